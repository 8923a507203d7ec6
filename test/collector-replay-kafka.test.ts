// `saker replay FILE --to-kafka`: a capture's events land on a real broker's events topic, keyed
// host:tgid, decoding to the events that were captured.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateWorkload, seedWorkload } from '../bench/collector-workload.js';
import { createKafkaBus } from '../bus/kafka/index.js';
import { replayCommand } from '../cli/commands/replay.js';
import { createEngine } from '../rules/index.js';
import { formatAlertText } from '../sinks/format.js';
import { createCaptureWriter } from '../collector/capture/capture-file.js';
import { createPipeline } from '../collector/pipeline.js';
import { eventCodec } from '../schemas/codec.js';
import { kafkaEndpoint, readCommitted, uniquePrefix } from './harness/kafka.js';
import { memoryIo, type MemoryIo } from './harness/cli-io.js';

const dir = mkdtempSync(join(tmpdir(), 'saker-rk-'));
const prefix = uniquePrefix('replay');
let brokers: string[] = [];

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (brokers.length > 0) {
    const bus = createKafkaBus({ brokers, clientId: 'replay-test-cleanup' });
    await bus.deleteTopics([`${prefix}.events`]).catch(() => undefined);
    await bus.close();
  }
});

const RULES = `
- rule: Shell child reads passwd
  desc: test
  condition: evt.type = openat and proc.name = sh and fd.name = /etc/passwd
  output: "passwd read by %proc.cmdline (pid=%proc.pid parent=%proc.pname)"
  priority: WARNING
`;

const io = (): MemoryIo => memoryIo();

function big(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `${v}n` : v;
}

describe('saker replay with Kafka', () => {
  it('--to-kafka publishes every captured event keyed host:tgid; kafka:TOPIC re-judges them, --from a time or an offset reads only what came since', async () => {
    brokers = (await kafkaEndpoint()).brokers;
    const pipeline = createPipeline({ host: { id: 'beef', name: 'replay-host' } });
    seedWorkload(pipeline.state, 10);
    const events = generateWorkload({ servers: 10, records: 3000, recordsPerChild: 30 }).map((r) => pipeline.enrich(r));
    const file = join(dir, 'c.avro');
    const w = createCaptureWriter(file);
    for (const e of events) await w.write(e);
    await w.close();

    const publish = io();
    const code = await replayCommand.run([file, '--to-kafka', '--brokers', brokers.join(','), '--topic-prefix', prefix], publish.io);
    expect(code).toBe(0);
    expect(publish.err()).toContain(`published ${events.length} events to ${prefix}.events`);

    const got = await readCommitted(brokers, `${prefix}.events`, { atLeast: events.length, quietMs: 1000 });
    expect(got.length).toBe(events.length);
    const bySeq = new Map(events.map((e) => [e.seq, e]));
    for (const m of got) {
      const e = eventCodec.decode(m.value!);
      expect(m.key!.toString()).toBe(`beef:${e.proc.pid}`);
      expect(JSON.stringify(e, big)).toBe(JSON.stringify(bySeq.get(e.seq), big));
    }

    // Re-judging the topic with rules gives the alerts of judging the events directly.
    const rules = join(dir, 'rules.yaml');
    writeFileSync(rules, RULES);
    const engine = createEngine({ files: [rules] });
    const direct = events.flatMap((e) => engine.judge(e)).map((a) => formatAlertText(a)).sort();
    expect(direct.length).toBeGreaterThan(10);
    const r = io();
    expect(await replayCommand.run([`kafka:${prefix}.events`, '--brokers', brokers.join(','), '--rules', rules], r.io)).toBe(0);
    expect(r.out().trim().split('\n').sort()).toEqual(direct);
    expect(r.err()).toContain(`replayed ${events.length} messages from ${prefix}.events: judged ${events.length}, skipped 0`);
    // --from a time: the group starts at the first record written at or after it, so what came
    // before is not even read.
    await new Promise((r) => setTimeout(r, 50));
    const from = Date.now();
    await new Promise((r) => setTimeout(r, 50));
    const bus = createKafkaBus({ brokers, clientId: 'replay-test-more' });
    const more = events.slice(0, 100);
    await bus.publish(`${prefix}.events`, more.map((e) => ({ key: `beef:${e.proc.pid}`, value: eventCodec.encode(e) })));
    await bus.close();
    const since = io();
    expect(await replayCommand.run([`kafka:${prefix}.events`, '--brokers', brokers.join(','), '--rules', rules, '--from', new Date(from).toISOString()], since.io)).toBe(0);
    expect(since.err()).toContain(`replayed ${more.length} messages from ${prefix}.events: judged ${more.length}, skipped 0`);
    expect(since.out().trim().split('\n').filter(Boolean).sort()).toEqual(more.flatMap((e) => engine.judge(e)).map((a) => formatAlertText(a)).sort());
    const later = io();
    expect(await replayCommand.run([`kafka:${prefix}.events`, '--brokers', brokers.join(','), '--rules', rules, '--from', new Date(Date.now() + 3_600_000).toISOString()], later.io)).toBe(0);
    expect(later.out()).toBe('');
    expect(later.err()).toContain(`replayed 0 messages from ${prefix}.events: judged 0, skipped 0`);

    // An undecodable message that shares its Kafka record with a good one is named by offset and
    // index; the good one is judged and the exit code says something was wrong.
    await new Promise((r) => setTimeout(r, 50));
    const fromBad = Date.now();
    await new Promise((r) => setTimeout(r, 50));
    const badBus = createKafkaBus({ brokers, clientId: 'replay-test-bad' });
    await badBus.publish(`${prefix}.events`, [{ key: 'beef:1', value: eventCodec.encode(events[0]!) }, { key: 'beef:1', value: Buffer.from('not avro') }]);
    await badBus.close();
    const bad = io();
    expect(await replayCommand.run([`kafka:${prefix}.events`, '--brokers', brokers.join(','), '--rules', rules, '--from', new Date(fromBad).toISOString()], bad.io)).toBe(1);
    expect(bad.err()).toMatch(new RegExp(`error: ${prefix.replace(/\./g, '\\.')}\\.events\\[\\d+\\]@\\d+#1: `));
    expect(bad.err()).toContain('replayed 2 messages from');
    expect(bad.err()).toContain('1 undecodable');

    // --from offset:P=O, with the offset the error line named: exactly that record (the last of
    // its partition) is read again; the other partitions are not read.
    const [, partition, offset] = /\[(\d+)\]@(\d+)#1: /.exec(bad.err())!;
    const byOffset = io();
    expect(await replayCommand.run([`kafka:${prefix}.events`, '--brokers', brokers.join(','), '--rules', rules, '--from', `offset:${partition}=${offset}`], byOffset.io)).toBe(1);
    expect(byOffset.err()).toContain(`replayed 2 messages from ${prefix}.events: judged 1, skipped 0 before --from, 1 undecodable`);
    // offset:N in every partition: past the end reads nothing; 0 reads everything.
    const past = io();
    expect(await replayCommand.run([`kafka:${prefix}.events`, '--brokers', brokers.join(','), '--rules', rules, '--from', 'offset:1000000'], past.io)).toBe(0);
    expect(past.err()).toContain(`replayed 0 messages from ${prefix}.events`);
    const all = io();
    expect(await replayCommand.run([`kafka:${prefix}.events`, '--brokers', brokers.join(','), '--rules', rules, '--from', 'offset:0'], all.io)).toBe(1);
    expect(all.err()).toContain(`replayed ${events.length + more.length + 2} messages from ${prefix}.events: judged ${events.length + more.length + 1}`);
    const noSuch = io();
    await expect(replayCommand.run([`kafka:${prefix}.events`, '--brokers', brokers.join(','), '--rules', rules, '--from', 'offset:99=0'], noSuch.io)).rejects.toThrow(/has no partition 99/);
  }, 180_000);
});
