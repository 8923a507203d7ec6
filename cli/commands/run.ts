// `saker run`: watch this host and print alerts — the single-host deployment. Every stage in
// one process, joined by the in-process bus exactly as Kafka joins them in a fleet:
//   probe -> collector (state, enrichment) -> events topic -> evaluator (rules) -> alerts topic -> stdout sink
// Needs root (the probe). Runs until SIGINT/SIGTERM, or --seconds N.
import { pino, type DestinationStream } from 'pino';
import { createMemoryBus } from '../../bus/memory.js';
import { topicLayout } from '../../bus/topics.js';
import { runCollector } from '../../collector/service.js';
import { openContainerMetadata, parseSocketList } from '../../collector/containers/metadata.js';
import { bootstrapState } from '../../collector/sources/bootstrap.js';
import { readSystemFiles } from '../../collector/sources/system-files.js';
import { createEvaluator } from '../../evaluator/service.js';
import { openProbe, selectSyscalls } from '../../probe/index.js';
import { createEngine } from '../../rules/index.js';
import { alertCodec, eventCodec } from '../../schemas/codec.js';
import { runSinks } from '../../sinks/service.js';
import { createStdoutSink } from '../../sinks/stdout.js';
import { SELECTION_OPTIONS, UsageError, engineOptions, parse } from '../args.js';
import type { Command } from '../command.js';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export const runCommand: Command = {
  name: 'run',
  summary: 'run [--rules FILE...|default] [--json] [--seconds N] [selection flags] [--container-sockets PATH,...] [--log-level L]   watch this host, print alerts (root)',
  async run(argv, io) {
    const { values } = parse(argv, { ...SELECTION_OPTIONS, seconds: { type: 'string' }, 'log-level': { type: 'string' }, 'container-sockets': { type: 'string' } } as const, false);
    const level = values['log-level'] ?? 'warn';
    if (!LOG_LEVELS.includes(level)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
    const sockets = parseSocketList(values['container-sockets']);
    if (sockets?.some((s) => !s.startsWith('/'))) throw new UsageError('--container-sockets takes absolute socket paths, comma-separated');
    const seconds = values.seconds === undefined ? null : Number(values.seconds);
    if (seconds !== null && !(seconds > 0)) throw new UsageError(`--seconds must be a positive number, got '${values.seconds}'`);
    const engine = createEngine(engineOptions({ ...values, rules: values.rules ?? ['default'] }));
    const logger = pino({ level, redact: ['*.password', '*.token', '*.webhookUrl'] }, io.stderr as unknown as DestinationStream);
    for (const w of engine.warnings) logger.warn({ code: w.code, item: w.location.itemName }, w.message);

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

    const sys = readSystemFiles();
    const { state } = bootstrapState({ users: sys.users, groups: sys.groups });
    const types = engine.eventTypes();
    const selection = selectSyscalls(types);
    if (selection.unsupported.length > 0) logger.warn({ unsupported: selection.unsupported }, 'event types the probe cannot record');
    const probe = await openProbe({ syscalls: selection.syscalls, logger });
    // Name, image, privileged, mounts from the runtime sockets, looked up in the background.
    const containers = await openContainerMetadata({ sockets, logger });
    containers.attach(state);
    io.stderr.write(`saker: watching ${sys.host.name} with ${engine.counts.enabled} rules (${selection.syscalls.length} syscalls); Ctrl-C stops\n`);

    const stop = (): void => void probe.close();
    const timer = seconds === null ? null : setTimeout(stop, seconds * 1000);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      const stats = await runCollector({
        source: probe, host: sys.host, state, logger,
        bus: { bus, eventsTopic: topics.events.name, deadLetterTopic: topics.deadLetter.name },
        eventTypes: types === 'all' ? 'all' : new Set([...types, 'procexit']),
      });
      // Drain: the evaluator and the sinks finish what is already on the bus, then stop.
      await bus.whenIdle();
      await evaluator.stop();
      await sinks.stop();
      io.stderr.write(`saker: ${stats.events} events judged, ${sinks.stats.alerts} alerts, ${stats.quarantined} records quarantined\n`);
      return 0;
    } finally {
      if (timer) clearTimeout(timer);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      containers.close();
      await probe.close();
      await bus.close();
    }
  },
};
