// `saker replay FILE --to-kafka`: a capture's events land on a real broker's events topic, keyed
// host:tgid, decoding to the events that were captured.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { generateWorkload, seedWorkload } from '../bench/collector-workload.js';
import { createKafkaBus } from '../bus/kafka/index.js';
import { replayCommand } from '../cli/commands/replay.js';
import { createCaptureWriter } from '../collector/capture/capture-file.js';
import { createPipeline } from '../collector/pipeline.js';
import { eventCodec } from '../schemas/codec.js';
import { kafkaEndpoint, readCommitted, uniquePrefix } from './harness/kafka.js';

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

function big(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `${v}n` : v;
}

describe('saker replay --to-kafka', () => {
  it('publishes every captured event, keyed host:tgid', async () => {
    brokers = (await kafkaEndpoint()).brokers;
    const pipeline = createPipeline({ host: { id: 'beef', name: 'replay-host' } });
    seedWorkload(pipeline.state, 10);
    const events = generateWorkload({ servers: 10, records: 3000, recordsPerChild: 30 }).map((r) => pipeline.enrich(r));
    const file = join(dir, 'c.avro');
    const w = createCaptureWriter(file);
    for (const e of events) await w.write(e);
    await w.close();

    const out = new PassThrough();
    const err = new PassThrough();
    let errText = '';
    err.on('data', (d: Buffer) => { errText += d.toString(); });
    const code = await replayCommand.run([file, '--to-kafka', '--brokers', brokers.join(','), '--topic-prefix', prefix], { stdout: out, stderr: err, stdin: new PassThrough() });
    expect(code).toBe(0);
    expect(errText).toContain(`published ${events.length} events to ${prefix}.events`);

    const got = await readCommitted(brokers, `${prefix}.events`, { atLeast: events.length, quietMs: 1000 });
    expect(got.length).toBe(events.length);
    const bySeq = new Map(events.map((e) => [e.seq, e]));
    for (const m of got) {
      const e = eventCodec.decode(m.value!);
      expect(m.key!.toString()).toBe(`beef:${e.proc.pid}`);
      expect(JSON.stringify(e, big)).toBe(JSON.stringify(bySeq.get(e.seq), big));
    }
  }, 180_000);
});
