// `saker capture --out FILE.avro [--seconds N]`: records this machine's enriched events (live
// probe -> /proc-seeded state -> enrichment) into an Avro capture file, until N seconds have
// passed or SIGINT/SIGTERM. `--rules` narrows the recorded syscalls to what those rules need
// (plus what the state tracking needs); without it every syscall the probe knows is recorded.
import { pino, type DestinationStream } from 'pino';
import { createCaptureWriter } from '../../collector/capture/capture-file.js';
import { runCollector } from '../../collector/service.js';
import { openContainerMetadata, parseSocketList } from '../../collector/containers/metadata.js';
import { bootstrapState } from '../../collector/sources/bootstrap.js';
import { readSystemFiles } from '../../collector/sources/system-files.js';
import { openProbe, selectSyscalls } from '../../probe/index.js';
import { createEngine } from '../../rules/index.js';
import { parse, UsageError } from '../args.js';
import { expandRuleFiles } from '../paths.js';
import type { Command } from '../command.js';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

const OPTIONS = {
  out: { type: 'string' },
  seconds: { type: 'string' },
  rules: { type: 'string', multiple: true },
  codec: { type: 'string' },
  'log-level': { type: 'string' },
  'container-sockets': { type: 'string' },
} as const;


export const captureCommand: Command = {
  name: 'capture',
  summary: 'capture --out FILE.avro [--seconds N] [--rules FILE...] [--codec deflate|null] [--container-sockets PATH,...] [--log-level L]   record live enriched events (root)',
  async run(argv, io) {
    const { values, positionals } = parse(argv, OPTIONS);
    if (!values.out) throw new UsageError('--out FILE.avro is required');
    let seconds: number | null = null;
    if (values.seconds !== undefined) {
      seconds = Number(values.seconds);
      if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--seconds must be a positive number, got '${values.seconds}'`);
    }
    const codec = values.codec ?? 'deflate';
    if (codec !== 'deflate' && codec !== 'null') throw new UsageError(`--codec must be deflate or null, got '${codec}'`);
    const level = values['log-level'] ?? 'warn';
    if (!LOG_LEVELS.includes(level)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
    const sockets = parseSocketList(values['container-sockets']);
    if (sockets?.some((s) => !s.startsWith('/'))) throw new UsageError('--container-sockets takes absolute socket paths, comma-separated');
    const logger = pino({ level }, io.stderr as unknown as DestinationStream);
    const ruleFiles = [...(values.rules ?? []), ...positionals];
    const types = ruleFiles.length > 0 ? createEngine({ files: expandRuleFiles(ruleFiles) }).eventTypes() : 'all';

    const sys = readSystemFiles();
    const { state } = bootstrapState({ users: sys.users, groups: sys.groups });
    const selection = selectSyscalls(types);
    if (selection.unsupported.length > 0) logger.warn({ unsupported: selection.unsupported }, 'event types the probe cannot record');
    const probe = await openProbe({ syscalls: selection.syscalls, logger });
    // Name, image, privileged, mounts from the runtime sockets, looked up in the background.
    const containers = await openContainerMetadata({ sockets, logger });
    containers.attach(state);
    const writer = createCaptureWriter(values.out, { codec });
    // The probe's counters are read before closing it (closing ends the iteration).
    let dropped = 0;
    const stop = (): void => {
      try {
        dropped = probe.stats().dropped;
      } catch {
        // already closed
      }
      // A moment for the reader to deliver what is still in the ring before detaching.
      setTimeout(() => void probe.close(), 200);
    };
    const timer = seconds === null ? null : setTimeout(stop, seconds * 1000);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      const stats = await runCollector({
        source: probe, host: sys.host, state, logger,
        eventTypes: types === 'all' ? 'all' : new Set([...types, 'procexit']),
        onEvents: async (events) => { for (const e of events) await writer.write(e); },
      });
      const written = await writer.close();
      io.stderr.write(`captured ${written} events (${stats.records} records, ${dropped} dropped in the kernel) to ${values.out}\n`);
      return 0;
    } finally {
      if (timer) clearTimeout(timer);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      containers.close();
      await probe.close();
    }
  },
};
