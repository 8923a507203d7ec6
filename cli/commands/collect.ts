// `saker collect`: the fleet collector on one host (root). The probe's records go through the
// state engine and enrichment and are published to the events topic on Kafka, keyed host:tgid;
// evaluator workers anywhere judge them. --rules narrows what is published to what the rules
// need (the state still sees every attached syscall).
import { createKafkaBus } from '../../bus/kafka/index.js';
import { topicLayout } from '../../bus/topics.js';
import { renderCollectorMetrics, type CollectorSnapshot } from '../../collector/metrics.js';
import { newCollectorStats, runCollector, type CollectorStats } from '../../collector/service.js';
import { int, logLevel, parse } from '../args.js';
import type { Command } from '../command.js';
import { KAFKA_FLAGS, KAFKA_USAGE, kafkaOptions, serviceLogger } from '../kafka-flags.js';
import { LIVE_FLAGS, liveSettings, openLiveSource, ruleEventTypes, type LiveSource } from '../live.js';
import { startStatusServer, type StatusServer } from '../status-server.js';

const USAGE = `usage: saker collect --brokers HOST:PORT[,...] [--rules FILE...|default] [options]

Watches this host (root) and publishes its enriched events to the events topic.

${KAFKA_USAGE}Collector:
  --rules FILE...|default   publish only the event types these rules need (default: every attached syscall)
  --events-partitions N     partitions when creating the events topic (default 12)
  --no-create-topics        do not create missing topics
  --seconds N               stop after N seconds (default: until SIGINT/SIGTERM)
  --metrics-port N          serve /metrics (records, kernel drops, quarantined, table sizes) and
                            /healthz here (default 9465; 0 = any free port)
  --metrics-host H          address to serve on (default 127.0.0.1)
  --container-sockets P,... Docker/podman API sockets for container metadata (default: the usual paths)
  --log-level L             trace, debug, info, warn, error (default info)
`;

const FLAGS = {
  ...KAFKA_FLAGS,
  rules: { type: 'string', multiple: true },
  'events-partitions': { type: 'string' },
  'no-create-topics': { type: 'boolean' },
  'metrics-port': { type: 'string' },
  'metrics-host': { type: 'string' },
  ...LIVE_FLAGS,
  help: { type: 'boolean' },
} as const;

export const collectCommand: Command = {
  name: 'collect',
  summary: 'collect --brokers HOST:PORT[,...] [--rules FILE...|default] [--help]   fleet collector: this host\'s events to Kafka (root)',
  async run(argv, io) {
    const { values, positionals } = parse(argv, FLAGS);
    if (values.help) {
      io.stdout.write(USAGE);
      return 0;
    }
    const settings = liveSettings(values);
    const kafka = kafkaOptions(values, process.env, { clientId: 'saker-collector' });
    const logger = serviceLogger(logLevel(values['log-level'], 'info'), io.stderr);
    const types = ruleEventTypes([...(values.rules ?? []), ...positionals]);
    const layout = topicLayout({ prefix: values['topic-prefix'] ?? 'saker', partitions: { events: int('events-partitions', values['events-partitions'], 12) } });

    const metricsPort = int('metrics-port', values['metrics-port'], 9465);
    const bus = createKafkaBus({ ...kafka, logger });
    let status: StatusServer | null = null;
    try {
      if (!values['no-create-topics']) await bus.ensureTopics([layout.events, layout.deadLetter]);
      const live = await openLiveSource(types, settings, logger);
      const stats = newCollectorStats();
      let running = true;
      try {
        status = await startStatusServer({
          port: metricsPort, host: values['metrics-host'] ?? '127.0.0.1', logger,
          metrics: () => renderCollectorMetrics(snapshot(live, stats, running)),
          health: () => ({ state: running ? 'running' : 'stopped', host: live.host.name }),
        });
        logger.info({ host: live.host.name, syscalls: live.syscalls, events: layout.events.name }, 'collecting');
        live.stopOnSignalOrTimeout();
        await runCollector({
          source: live.probe, host: live.host, state: live.state, logger, eventTypes: live.eventTypes, stats,
          bus: { bus, eventsTopic: layout.events.name, deadLetterTopic: layout.deadLetter.name },
        });
        logger.info(stats, 'collector stopped');
        io.stderr.write(`saker collect: ${stats.published} events published, ${stats.quarantined} records quarantined, ${live.dropped} dropped in the kernel\n`);
        return 0;
      } finally {
        running = false;
        await live.close();
      }
    } finally {
      await status?.close();
      await bus.close();
    }
  },
};

function snapshot(live: LiveSource, stats: CollectorStats, running: boolean): CollectorSnapshot {
  const k = live.probe.stats();
  return {
    stats, kernel: { delivered: k.delivered, dropped: k.dropped, readFail: k.readFail },
    state: { sizes: live.state.sizes(), counters: live.state.counters }, containers: live.containerStats(), up: running ? 1 : 0,
  };
}
