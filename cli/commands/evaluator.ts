// `saker evaluator`: one stateless evaluator worker on Kafka. Reads its configuration once
// (flags, TLS/password files, SAKER_SASL_PASSWORD), validates it, and wires the Kafka bus, the
// rule engine, the evaluator service and the status endpoint. SIGTERM/SIGINT: finish the batch
// in hand, commit, leave the group, exit 0. SIGHUP: reload the rules files (cli/reload.ts); rules
// with errors are not used and the running ones stay.
import type { Logger } from 'pino';
import { createKafkaBus, type KafkaBusOptions } from '../../bus/kafka/index.js';
import { topicLayout } from '../../bus/topics.js';
import { EvaluatorMetrics } from '../../evaluator/metrics.js';
import { startStatusServer } from '../status-server.js';
import { createEvaluator } from '../../evaluator/service.js';
import { ReloadableEngine, formatWarning, type EngineOptions } from '../../rules/index.js';
import { alertCodec, eventCodec } from '../../schemas/codec.js';
import { engineOptions, int, logLevel, parse, SELECTION_OPTIONS, UsageError } from '../args.js';
import type { Command, CommandIo } from '../command.js';
import { KAFKA_FLAGS, KAFKA_USAGE, kafkaOptions, serviceLogger } from '../kafka-flags.js';
import { reloadRulesOnSighup } from '../reload.js';

const USAGE = `usage: saker evaluator --brokers HOST:PORT[,...] --rules FILE [FILE...] [options]

Joins a consumer group on the events topic, judges events with the rules and publishes alerts
to the alerts topic, exactly once. Undecodable events go to the dead-letter topic. SIGHUP
reloads the rules files; if they have errors, the running rules stay (each error is logged).

${KAFKA_USAGE}Evaluator:
  --group ID                consumer group (default saker-evaluator)
  --events-partitions N     partitions when creating the events topic (default 12)
  --no-create-topics        do not create missing topics (needs no CreateTopics permission)
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




const FLAGS = {
  ...SELECTION_OPTIONS,
  ...KAFKA_FLAGS,
  group: { type: 'string' },
  'events-partitions': { type: 'string' },
  'no-create-topics': { type: 'boolean' },
  concurrency: { type: 'string' },
  'metrics-port': { type: 'string' },
  'metrics-host': { type: 'string' },
  'log-level': { type: 'string' },
} as const;

/** Flags, files and the one environment variable, read once into typed options. */
export function parseEvaluatorArgs(argv: string[], env: NodeJS.ProcessEnv): EvaluatorConfig {
  const { values, positionals } = parse(argv, FLAGS);
  // `--rules a.yaml b.yaml`: the files after the flag arrive as positionals.
  const engine = engineOptions({ ...values, rules: [...(values.rules ?? []), ...positionals] });
  const kafka = kafkaOptions(values, env, {
    clientId: 'saker-evaluator',
    partitionsConsumedConcurrently: Math.max(1, int('concurrency', values.concurrency, 12)),
    transactionalIdPrefix: 'saker-evaluator',
  });
  return {
    kafka,
    groupId: values.group ?? 'saker-evaluator',
    topicPrefix: values['topic-prefix'] ?? 'saker',
    eventsPartitions: int('events-partitions', values['events-partitions'], 12),
    createTopics: !values['no-create-topics'],
    engine,
    metricsPort: int('metrics-port', values['metrics-port'], 9464),
    metricsHost: values['metrics-host'] ?? '127.0.0.1',
    logLevel: logLevel(values['log-level'], 'info'),
  };
}

/** The service's logger (kept under this name for the evaluator's tests). */
export const evaluatorLogger = serviceLogger;

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
  const engine = new ReloadableEngine(config.engine);
  for (const w of engine.engine.warnings) logger.warn({ code: w.code }, formatWarning(w));
  logger.info({ ...engine.engine.counts, eventTypes: engine.eventTypes() === 'all' ? 'all' : [...engine.eventTypes()].length }, 'rules loaded');

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
  const stopReloading = reloadRulesOnSighup(engine, logger);

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
  stopReloading();
  return code;
}
