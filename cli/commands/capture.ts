// `saker capture --out FILE.avro [--seconds N]`: records this machine's enriched events (live
// probe -> /proc-seeded state -> enrichment) into an Avro capture file, until N seconds have
// passed or SIGINT/SIGTERM. `--rules` narrows the recorded syscalls to what those rules need
// (plus what the state tracking needs); without it every syscall the probe knows is recorded.
import { pino, type DestinationStream } from 'pino';
import { createCaptureWriter } from '../../collector/capture/capture-file.js';
import { runCollector } from '../../collector/service.js';
import { logLevel, parse, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { LIVE_FLAGS, liveSettings, openLiveSource, ruleEventTypes } from '../live.js';

const OPTIONS = {
  ...LIVE_FLAGS,
  out: { type: 'string' },
  rules: { type: 'string', multiple: true },
  codec: { type: 'string' },
} as const;

export const captureCommand: Command = {
  name: 'capture',
  summary: 'capture --out FILE.avro [--seconds N] [--rules FILE...] [--codec deflate|null] [--container-sockets PATH,...] [--log-level L]   record live enriched events (root)',
  async run(argv, io) {
    const { values, positionals } = parse(argv, OPTIONS);
    if (!values.out) throw new UsageError('--out FILE.avro is required');
    const settings = liveSettings(values);
    const codec = values.codec ?? 'deflate';
    if (codec !== 'deflate' && codec !== 'null') throw new UsageError(`--codec must be deflate or null, got '${codec}'`);
    const level = logLevel(values['log-level'], 'warn');
    const logger = pino({ level }, io.stderr as unknown as DestinationStream);
    const types = ruleEventTypes([...(values.rules ?? []), ...positionals]);

    const live = await openLiveSource(types, settings, logger);
    const writer = createCaptureWriter(values.out, { codec });
    live.stopOnSignalOrTimeout();
    try {
      const stats = await runCollector({
        source: live.probe, host: live.host, state: live.state, logger, eventTypes: live.eventTypes,
        onEvents: async (events) => { for (const e of events) await writer.write(e); },
      });
      const written = await writer.close();
      io.stderr.write(`captured ${written} events (${stats.records} records, ${live.dropped} dropped in the kernel) to ${values.out}\n`);
      return 0;
    } finally {
      await live.close();
    }
  },
};
