// `saker evaluator`: one stateless evaluator worker on Kafka. Reads its configuration once
// (flags, TLS/password files, SAKER_SASL_PASSWORD), validates it, and wires the Kafka bus, the
// rule engine, the evaluator service and the status endpoint. SIGTERM/SIGINT: finish the batch
// in hand, commit, leave the group, exit 0.
import { readFileSync } from 'node:fs';
import { pino, type DestinationStream, type Logger } from 'pino';
import { createKafkaBus, REDACT_PATHS, type KafkaBusOptions } from '../../bus/kafka/index.js';
import { topicLayout } from '../../bus/topics.js';
import { EvaluatorMetrics } from '../../evaluator/metrics.js';
import { startStatusServer } from '../../evaluator/http.js';
import { createEvaluator } from '../../evaluator/service.js';
import { createEngine, formatWarning, type EngineOptions } from '../../rules/index.js';
import { alertCodec, eventCodec } from '../../schemas/codec.js';
import { engineOptions, parse, SELECTION_OPTIONS, UsageError } from '../args.js';
import type { Command, CommandIo } from '../command.js';

const USAGE = `usage: saker evaluator --brokers HOST:PORT[,...] --rules FILE [FILE...] [options]

Joins a consumer group on the events topic, judges events with the rules and publishes alerts
to the alerts topic, exactly once. Undecodable events go to the dead-letter topic.

Kafka:
  --brokers LIST            bootstrap brokers, comma separated (required)
  --client-id ID            client id (default saker-evaluator)
  --group ID                consumer group (default saker-evaluator)
  --topic-prefix P          topics are P.events, P.alerts, P.events.dlq (default saker)
  --events-partitions N     partitions when creating the events topic (default 12)
  --no-create-topics        do not create missing topics (needs no CreateTopics permission)
  --tls                     TLS with the system's CAs
  --tls-ca FILE --tls-cert FILE --tls-key FILE   TLS with these PEM files
  --tls-insecure            do not verify the broker's certificate (testing only)
  --sasl-mechanism M        plain, scram-sha-256 or scram-sha-512
  --sasl-username U         SASL user; the password comes from --sasl-password-file or the
  --sasl-password-file F    environment variable SAKER_SASL_PASSWORD (never a flag: ps shows flags)
  --compression C           none or gzip (default none)
  --concurrency N           partition batches (each its own transaction) handled at once (default 12)
Rules (as saker eval):
  --rules FILE...|default   rules files, in load order (required)
  --match first|all  --tag T  --skip-tag T  --disable-rule NAME  --priority P
Service:
  --metrics-port N          serve /metrics and /healthz here (default 9464; 0 = any free port)
  --metrics-host H          address to serve on (default 127.0.0.1)
  --log-level L             trace, debug, info, warn, error (default info)
`;

export interface EvaluatorConfig {
  kafka: KafkaBusOptions;
  groupId: string;
  topicPrefix: string;
  eventsPartitions: number;
  createTopics: boolean;
  engine: EngineOptions;
  metricsPort: number;
  metricsHost: string;
  logLevel: string;
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

function list(v: string | undefined): string[] | undefined {
  return v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean);
}

function int(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer, got '${v}'`);
  return n;
}

function readSecretFile(flag: string, path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--${flag} ${path}: ${(err as Error).message}`);
  }
}

const FLAGS = {
  ...SELECTION_OPTIONS,

  brokers: { type: 'string' },
  'client-id': { type: 'string' },
  group: { type: 'string' },
  'topic-prefix': { type: 'string' },
  'events-partitions': { type: 'string' },
  'no-create-topics': { type: 'boolean' },
  tls: { type: 'boolean' },
  'tls-ca': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-insecure': { type: 'boolean' },
  'sasl-mechanism': { type: 'string' },
  'sasl-username': { type: 'string' },
  'sasl-password-file': { type: 'string' },
  compression: { type: 'string' },
  concurrency: { type: 'string' },
  'metrics-port': { type: 'string' },
  'metrics-host': { type: 'string' },
  'log-level': { type: 'string' },
} as const;


/** Flags, files and the one environment variable, read once into typed options. */
export function parseEvaluatorArgs(argv: string[], env: NodeJS.ProcessEnv): EvaluatorConfig {
  const { values, positionals } = parse(argv, FLAGS);
  const brokers = list(values.brokers);
  if (!brokers || brokers.length === 0) throw new UsageError('--brokers HOST:PORT is required');
  // `--rules a.yaml b.yaml`: the files after the flag arrive as positionals.
  const engine = engineOptions({ ...values, rules: [...(values.rules ?? []), ...positionals] });
  const logLevel = values['log-level'] ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  const compression = values.compression ?? 'none';
  if (compression !== 'none' && compression !== 'gzip') throw new UsageError(`--compression must be none or gzip (kafkajs has no other codec built in), got '${compression}'`);

  const kafka: KafkaBusOptions = {
    brokers,
    clientId: values['client-id'] ?? 'saker-evaluator',
    compression,
    partitionsConsumedConcurrently: Math.max(1, int('concurrency', values.concurrency, 12)),
    transactionalIdPrefix: 'saker-evaluator',
  };
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
  return {
    kafka,
    groupId: values.group ?? 'saker-evaluator',
    topicPrefix: values['topic-prefix'] ?? 'saker',
    eventsPartitions: int('events-partitions', values['events-partitions'], 12),
    createTopics: !values['no-create-topics'],
    engine,
    metricsPort: int('metrics-port', values['metrics-port'], 9464),
    metricsHost: values['metrics-host'] ?? '127.0.0.1',
    logLevel,
  };
}

/** The service's logger: JSON lines on `stream`, secrets censored wherever the config is logged. */
export function evaluatorLogger(level: string, stream: NodeJS.WritableStream): Logger {
  const paths = [...REDACT_PATHS, ...REDACT_PATHS.map((p) => `config.kafka.${p}`), 'config.kafka.tls.key'];
  return pino({ level, redact: { paths, censor: '[redacted]' } }, stream as unknown as DestinationStream);
}

export const evaluatorCommand: Command = {
  name: 'evaluator',
  summary: 'evaluator --brokers HOST:PORT[,...] --rules FILE... [--group G] [--topic-prefix P] [--metrics-port N] [--help]   Kafka worker: events in, alerts out, exactly once',
  async run(argv: string[], io: CommandIo): Promise<number> {
    if (argv.includes('--help') || argv.includes('-h')) {
      io.stdout.write(USAGE);
      return 0;
    }
    const config = parseEvaluatorArgs(argv, process.env);
    const logger = evaluatorLogger(config.logLevel, io.stderr);
    logger.info({ config }, 'configuration');
    return runEvaluator(config, logger);
  },
};

async function runEvaluator(config: EvaluatorConfig, logger: Logger): Promise<number> {
  // Rule errors propagate to cli/main.ts, which prints each with its location.
  const engine = createEngine(config.engine);
  for (const w of engine.warnings) logger.warn({ code: w.code }, formatWarning(w));
  logger.info({ ...engine.counts, eventTypes: engine.eventTypes() === 'all' ? 'all' : [...engine.eventTypes()].length }, 'rules loaded');

  let bus;
  try {
    bus = createKafkaBus({ ...config.kafka, logger });
  } catch (err) {
    logger.error({ err }, 'invalid Kafka settings');
    return 2;
  }
  const layout = topicLayout({ prefix: config.topicPrefix, partitions: { events: config.eventsPartitions } });
  const metrics = new EvaluatorMetrics();
  const evaluator = createEvaluator({
    bus,
    judge: engine,
    eventCodec,
    alertCodec,
    topics: { events: layout.events.name, alerts: layout.alerts.name, deadLetter: layout.deadLetter.name },
    groupId: config.groupId,
    logger,
    metrics,
  });

  let status;
  try {
    status = await startStatusServer({ port: config.metricsPort, host: config.metricsHost, metrics: () => (evaluator.health(), metrics.render()), health: () => evaluator.health(), logger });
  } catch (err) {
    logger.error({ err }, `cannot serve metrics on ${config.metricsHost}:${config.metricsPort}`);
    await bus.close();
    return 1;
  }

  let resolveExit!: (code: number) => void;
  const exit = new Promise<number>((r) => (resolveExit = r));
  let shuttingDown = false;
  const shutdown = async (code: number, why: string): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ why }, 'shutting down');
    try {
      await evaluator.stop();
      await bus.close();
    } catch (err) {
      logger.error({ err }, 'unclean shutdown');
      code = code || 1;
    }
    await status.close();
    resolveExit(code);
  };
  const onSignal = (signal: NodeJS.Signals): void => void shutdown(0, signal);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);

  try {
    if (config.createTopics) await bus.ensureTopics([layout.events, layout.alerts, layout.deadLetter]);
    await evaluator.start();
  } catch (err) {
    logger.error({ err }, 'cannot start the evaluator');
    await shutdown(1, 'start failed');
  }
  // A consumer that kafkajs gave up on cannot recover in this process: exit so a supervisor restarts it.
  const watch = setInterval(() => {
    const h = evaluator.health();
    if (h.state === 'failed') void shutdown(1, `consumer failed: ${h.error ?? 'unknown'}`);
  }, 1000);
  const code = await exit;
  clearInterval(watch);
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  return code;
}
