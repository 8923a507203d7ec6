// `saker run`: watch this host and print alerts — the single-host deployment. Every stage in
// one process, joined by the in-process bus exactly as Kafka joins them in a fleet:
//   probe -> collector (state, enrichment) -> events topic -> evaluator (rules) -> alerts topic -> stdout sink
// Needs root (the probe). Runs until SIGINT/SIGTERM, or --seconds N. SIGHUP reloads the rules
// (cli/reload.ts); new event types need a restart, since the probe attaches syscalls at start.
import { pino, type DestinationStream } from 'pino';
import { createMemoryBus } from '../../bus/memory.js';
import { topicLayout } from '../../bus/topics.js';
import { runCollector } from '../../collector/service.js';
import { createEvaluator } from '../../evaluator/service.js';
import { ReloadableEngine } from '../../rules/index.js';
import { alertCodec, eventCodec } from '../../schemas/codec.js';
import { runSinks } from '../../sinks/service.js';
import { createStdoutSink } from '../../sinks/stdout.js';
import { SELECTION_OPTIONS, engineOptions, logLevel, parse } from '../args.js';
import type { Command } from '../command.js';
import { LIVE_FLAGS, liveSettings, openLiveSource } from '../live.js';
import { reloadRulesOnSighup } from '../reload.js';

export const runCommand: Command = {
  name: 'run',
  summary: 'run [--rules FILE...|default] [--json] [--seconds N] [selection flags] [--container-sockets PATH,...] [--log-level L]   watch this host, print alerts (root)',
  async run(argv, io) {
    const { values } = parse(argv, { ...SELECTION_OPTIONS, ...LIVE_FLAGS } as const, false);
    const level = logLevel(values['log-level'], 'warn');
    const settings = liveSettings(values);
    const engine = new ReloadableEngine(engineOptions({ ...values, rules: values.rules ?? ['default'] }));
    const logger = pino({ level, redact: ['*.password', '*.token', '*.webhookUrl'] }, io.stderr as unknown as DestinationStream);
    for (const w of engine.engine.warnings) logger.warn({ code: w.code, item: w.location.itemName }, w.message);

    const topics = topicLayout();
    const bus = createMemoryBus({ logger, retainConsumed: false });
    const evaluator = createEvaluator({
      bus, judge: engine, eventCodec, alertCodec, logger,
      topics: { events: topics.events.name, alerts: topics.alerts.name, deadLetter: topics.deadLetter.name },
    });
    await evaluator.start();
    const sinks = await runSinks({
      bus, topic: topics.alerts.name, groupId: 'saker-sinks', deadLetterTopic: topics.deadLetter.name, logger,
      sinks: [createStdoutSink({ format: values.json ? 'json' : 'text', stream: io.stdout, logger })],
    });

    const live = await openLiveSource(engine.eventTypes(), settings, logger);
    io.stderr.write(`saker: watching ${live.host.name} with ${engine.engine.counts.enabled} rules (${live.syscalls} syscalls); Ctrl-C stops\n`);
    live.stopOnSignalOrTimeout();
    const stopReloading = reloadRulesOnSighup(engine, logger, (outcome) => {
      if (outcome.ok && outcome.newEventTypes.length > 0) {
        logger.warn({ eventTypes: outcome.newEventTypes }, 'the new rules match event types this run does not record; restart saker to record them');
      }
    });
    try {
      const stats = await runCollector({
        source: live.probe, host: live.host, state: live.state, logger, eventTypes: live.eventTypes,
        bus: { bus, eventsTopic: topics.events.name, deadLetterTopic: topics.deadLetter.name },
      });
      // Drain: the evaluator and the sinks finish what is already on the bus, then stop.
      await bus.whenIdle();
      await evaluator.stop();
      await sinks.stop();
      io.stderr.write(`saker: ${stats.events} events judged, ${sinks.stats.alerts} alerts, ${stats.quarantined} records quarantined, ${live.dropped} dropped in the kernel\n`);
      return 0;
    } finally {
      stopReloading();
      await live.close();
      await bus.close();
    }
  },
};
