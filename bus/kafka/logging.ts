// kafkajs' own log lines, routed into the caller's pino logger (namespace 'bus.kafka').
import type { logCreator } from 'kafkajs';
import { logLevel } from './client.js';
import type { Logger } from 'pino';

export function pinoLogCreator(log: Logger): logCreator {
  return () => (entry) => {
    // kafkajs puts a timestamp and the message in `log`; pino has its own timestamp.
    const { message, timestamp: _ts, logger: _l, ...extra } = entry.log;
    const fields = { kafkajs: entry.namespace, ...extra };
    switch (entry.level) {
      case logLevel.ERROR:
        log.error(fields, message);
        break;
      case logLevel.WARN:
        log.warn(fields, message);
        break;
      case logLevel.INFO:
        log.info(fields, message);
        break;
      default:
        log.debug(fields, message);
    }
  };
}

/** kafkajs filters before building log entries; match pino's level so debug costs nothing. */
export function kafkajsLevel(log: Logger): logLevel {
  const level = log.levelVal;
  if (level <= 20) return logLevel.DEBUG;
  if (level <= 30) return logLevel.INFO;
  if (level <= 40) return logLevel.WARN;
  if (level <= 50) return logLevel.ERROR;
  return logLevel.NOTHING;
}
