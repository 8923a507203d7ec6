// `saker replay FILE`: judges a capture with rules and prints the alerts as `saker eval` does
// (Falco's text form, or its JSON with --json), or with --to-kafka publishes the capture's
// events to the events topic so a fleet's evaluators re-judge history with today's rules.
// FILE is a Saker capture (.avro, from `saker capture`) or a Falco/sysdig capture (.scap), or
// kafka:TOPIC for the events already on a topic (replay-kafka.ts).
import { createKafkaBus, type KafkaBusOptions } from '../../bus/kafka/index.js';
import { eventKey, topicLayout } from '../../bus/topics.js';
import { openCaptureReader } from '../../collector/capture/capture-file.js';
import { paced, replayEvents, type ReplaySpeed } from '../../collector/capture/replay.js';
import { describeSkipped, openScapFile } from '../../collector/sources/scap/reader.js';
import { replayScap, scapReplay, type SelectionProfile } from '../../collector/sources/scap/replay.js';
import { readSystemFiles } from '../../collector/sources/system-files.js';
import { createEngine } from '../../rules/index.js';
import { eventCodec } from '../../schemas/codec.js';
import type { Alert, Event } from '../../schemas/types.generated.js';
import { formatAlertJson, formatAlertText } from '../../sinks/format.js';
import { engineOptions, parse, SELECTION_OPTIONS, UsageError } from '../args.js';
import type { Command, CommandIo } from '../command.js';
import { KAFKA_FLAGS, KAFKA_USAGE, kafkaOptions, serviceLogger } from '../kafka-flags.js';
import { parseFrom, replayKafkaTopic } from './replay-kafka.js';

const OPTIONS = {
  ...SELECTION_OPTIONS,
  ...KAFKA_FLAGS,
  'all-events': { type: 'boolean' },
  'to-kafka': { type: 'boolean' },
  speed: { type: 'string' },
  from: { type: 'string' },
  'scap-profile': { type: 'string' },
  'no-progress': { type: 'boolean' },
} as const;


/** A progress line on a terminal (stderr), redrawn in place; nothing when stderr is a pipe. */
function progressBar(io: CommandIo, enabled: boolean, fraction: () => number | null): { tick(events: number): void; end(): void } {
  const tty = enabled && (io.stderr as { isTTY?: boolean }).isTTY === true;
  let drawn = false;
  return {
    tick(events) {
      if (!tty) return;
      const f = fraction();
      const bar = f === null ? '' : `[${'#'.repeat(Math.round(f * 30)).padEnd(30, '.')}] ${(f * 100).toFixed(0).padStart(3)}% `;
      io.stderr.write(`\r${bar}${events} events`);
      drawn = true;
    },
    end() {
      if (drawn) io.stderr.write('\n');
    },
  };
}

const USAGE = `usage: saker replay FILE.avro|FILE.scap|kafka:TOPIC --rules FILE... [options]
       saker replay FILE.avro|FILE.scap --to-kafka --brokers HOST:PORT[,...] [options]

Judges a capture (Saker's Avro capture or a Falco/sysdig .scap) and prints its alerts as
saker eval does; kafka:TOPIC re-judges the events already on a topic; --to-kafka publishes a
capture's events to the events topic instead, for a fleet's evaluators to judge.
  --from earliest|ISO-8601|epoch-ms|offset:N|offset:P=N,...   where kafka:TOPIC starts
  --speed real|max          --to-kafka and Avro captures: original pacing or as fast as possible
  --all-events              also the events Falco skips by default
  --scap-profile P          .scap selection profile (default falco-0.10; all = --all-events)
${KAFKA_USAGE}`;

export const replayCommand: Command = {
  name: 'replay',
  summary: 'replay FILE.avro|FILE.scap|kafka:TOPIC --rules FILE... [--match first|all] [--json] [--tag T] [--skip-tag T] [--disable-rule NAME] [--priority P] [--all-events] [--speed real|max] [--brokers H:P --from TIME|offset:N|offset:P=N,...] | FILE --to-kafka --brokers H:P [--topic-prefix P] [Kafka TLS/SASL flags: --help]',
  async run(argv, io) {
    if (argv.includes('--help') || argv.includes('-h')) {
      io.stdout.write(USAGE);
      return 0;
    }
    const { values, positionals } = parse(argv, OPTIONS);
    const file = positionals[0];
    if (file === undefined) throw new UsageError('the capture FILE to replay is required');
    const speed = (values.speed ?? 'max') as ReplaySpeed;
    if (speed !== 'real' && speed !== 'max') throw new UsageError(`--speed must be real or max, not ${values.speed}`);
    const isScap = /\.scap(\.gz)?$/.test(file);

    if (values['to-kafka']) return toKafka(file, isScap, values, kafkaOptions(values, process.env, { clientId: 'saker-replay' }), io);

    // `--rules a.yaml b.yaml`: files after the flag arrive as further positionals.
    const engine = createEngine(engineOptions({ ...values, rules: [...(values.rules ?? []), ...positionals.slice(1)] }));
    const print = (a: Alert): void => {
      io.stdout.write(`${values.json ? formatAlertJson(a) : formatAlertText(a)}\n`);
    };
    if (file.startsWith('kafka:')) {
      const topic = file.slice('kafka:'.length);
      if (topic === '') throw new UsageError('kafka:TOPIC needs a topic name');
      return replayKafkaTopic({
        topic, kafka: kafkaOptions(values, process.env, { clientId: 'saker-replay' }), from: parseFrom(values.from),
        engine, print, io, logger: serviceLogger('warn', io.stderr),
      });
    }
    if (isScap) {
      const profile = (values['scap-profile'] ?? (values['all-events'] ? 'all' : 'falco-0.10')) as SelectionProfile;
      const reader = openScapFile(file);
      const counts = replayScap(reader, { host: scapHost(), profile, judgedTypes: engine.eventTypes() }, (e) => {
        for (const a of engine.judge(e)) print(a);
      });
      io.stderr.write(`replayed ${counts.records} records, judged ${counts.judged}\n`);
      // Unknown block or event types are never fatal, but the user hears about them.
      const skipped = describeSkipped(counts.scap);
      if (skipped) io.stderr.write(`skipped: ${skipped}\n`);
      return 0;
    }
    const reader = openCaptureReader(file);
    const bar = progressBar(io, !values['no-progress'], () => {
      const p = reader.progress();
      return p.total > 0 ? p.bytesRead / p.total : null;
    });
    const stats = await replayEvents(reader, (e) => engine.judge(e), {
      speed, allEvents: values['all-events'] === true, onAlert: print, onProgress: (n) => bar.tick(n),
    });
    bar.end();
    io.stderr.write(`replayed ${stats.events} events, judged ${stats.judged}, ${stats.alerts} alerts\n`);
    return 0;
  },
};

/** Host of events read from a .scap file: the capture does not name its machine reliably. */
function scapHost(): { id: string; name: string } {
  try {
    return readSystemFiles().host;
  } catch {
    return { id: '00000000000000000000000000000000', name: 'scap' };
  }
}

async function toKafka(file: string, isScap: boolean, values: { 'topic-prefix'?: string; speed?: string; 'all-events'?: boolean; 'scap-profile'?: string }, kafka: KafkaBusOptions, io: CommandIo): Promise<number> {
  const layout = topicLayout({ prefix: values['topic-prefix'] ?? 'saker' });
  const bus = createKafkaBus({ ...kafka, logger: serviceLogger('warn', io.stderr) });
  const topic = layout.events.name;
  let published = 0;
  let batch: Array<{ key: string; value: Buffer }> = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    await bus.publish(topic, batch);
    published += batch.length;
    batch = [];
  };
  const add = async (e: Event): Promise<void> => {
    batch.push({ key: eventKey(e.host.id, e.proc.pid), value: eventCodec.encode(e) });
    if (batch.length >= 1000) await flush();
  };
  try {
    await bus.ensureTopics([layout.events]);
    if (isScap) {
      const profile = (values['scap-profile'] ?? (values['all-events'] ? 'all' : 'falco-0.10')) as SelectionProfile;
      // One event at a time from the reader's window to the publisher: bounded memory.
      for (const e of scapReplay(openScapFile(file), { host: scapHost(), profile }).events) await add(e);
    } else {
      // Every event goes to the fleet: the evaluators decide what to judge.
      for await (const e of paced(openCaptureReader(file), (values.speed ?? 'max') as ReplaySpeed)) await add(e);
    }
    await flush();
  } finally {
    await bus.close();
  }
  io.stderr.write(`published ${published} events to ${topic}\n`);
  return 0;
}
