// The Kafka flags every fleet command takes (evaluator, collect, sinks), read once into
// KafkaBusOptions. Secrets never come from a flag (ps shows flags): the SASL password from a
// file or SAKER_SASL_PASSWORD, TLS material from files.
import { pino, type DestinationStream, type Logger } from 'pino';
import { REDACT_PATHS, type KafkaBusOptions } from '../bus/kafka/index.js';
import { UsageError, list, readSecretFile } from './args.js';

export const KAFKA_FLAGS = {
  brokers: { type: 'string' },
  'client-id': { type: 'string' },
  'topic-prefix': { type: 'string' },
  tls: { type: 'boolean' },
  'tls-ca': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-insecure': { type: 'boolean' },
  'sasl-mechanism': { type: 'string' },
  'sasl-username': { type: 'string' },
  'sasl-password-file': { type: 'string' },
  compression: { type: 'string' },
} as const;

export const KAFKA_USAGE = `Kafka:
  --brokers LIST            bootstrap brokers, comma separated (required)
  --client-id ID            client id
  --topic-prefix P          topics are P.events, P.alerts, P.events.dlq (default saker)
  --tls                     TLS with the system's CAs
  --tls-ca FILE --tls-cert FILE --tls-key FILE   TLS with these PEM files
  --tls-insecure            do not verify the broker's certificate (testing only)
  --sasl-mechanism M        plain, scram-sha-256 or scram-sha-512
  --sasl-username U         SASL user; the password comes from --sasl-password-file or the
  --sasl-password-file F    environment variable SAKER_SASL_PASSWORD (never a flag: ps shows flags)
  --compression C           none or gzip (default none)
`;

type KafkaValues = {
  brokers?: string; 'client-id'?: string; tls?: boolean; 'tls-ca'?: string; 'tls-cert'?: string; 'tls-key'?: string;
  'tls-insecure'?: boolean; 'sasl-mechanism'?: string; 'sasl-username'?: string; 'sasl-password-file'?: string; compression?: string;
};

/** Kafka client settings from the flags (the client id always set); `defaults` fills what the command decides. */
export function kafkaOptions(values: KafkaValues, env: NodeJS.ProcessEnv, defaults: { clientId: string } & Partial<KafkaBusOptions>): KafkaBusOptions & { clientId: string } {
  const brokers = list(values.brokers);
  if (!brokers || brokers.length === 0) throw new UsageError('--brokers HOST:PORT is required');
  const compression = values.compression ?? 'none';
  if (compression !== 'none' && compression !== 'gzip') throw new UsageError(`--compression must be none or gzip (kafkajs has no other codec built in), got '${compression}'`);
  const kafka: KafkaBusOptions & { clientId: string } = { ...defaults, brokers, clientId: values['client-id'] ?? defaults.clientId, compression };
  const ca = readSecretFile('tls-ca', values['tls-ca']);
  const cert = readSecretFile('tls-cert', values['tls-cert']);
  const key = readSecretFile('tls-key', values['tls-key']);
  if (ca || cert || key || values['tls-insecure']) {
    kafka.tls = { ca, cert, key, rejectUnauthorized: !values['tls-insecure'] };
  } else if (values.tls) {
    kafka.tls = true;
  }
  const mechanism = values['sasl-mechanism'];
  if (mechanism !== undefined) {
    if (mechanism !== 'plain' && mechanism !== 'scram-sha-256' && mechanism !== 'scram-sha-512') {
      throw new UsageError(`--sasl-mechanism must be plain, scram-sha-256 or scram-sha-512, got '${mechanism}'`);
    }
    const fromFile = readSecretFile('sasl-password-file', values['sasl-password-file'])?.replace(/\r?\n$/, '');
    const password = fromFile ?? env.SAKER_SASL_PASSWORD;
    if (!password) throw new UsageError('SASL needs a password: --sasl-password-file FILE or SAKER_SASL_PASSWORD');
    if (!values['sasl-username']) throw new UsageError('SASL needs --sasl-username');
    kafka.sasl = { mechanism, username: values['sasl-username'], password };
  }
  return kafka;
}

/** A service's logger: JSON lines on `stream`, secrets censored wherever the config is logged. */
export function serviceLogger(level: string, stream: NodeJS.WritableStream): Logger {
  const paths = [...REDACT_PATHS, ...REDACT_PATHS.map((p) => `config.kafka.${p}`), 'config.kafka.tls.key'];
  return pino({ level, redact: { paths, censor: '[redacted]' } }, stream as unknown as DestinationStream);
}
