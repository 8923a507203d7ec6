import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CompressionTypes } from './client.js';
import { encodeProduceBody, type ProduceRequestArgs } from './produce-encoder.js';

const require = createRequire(import.meta.url);
const PRODUCE_V3 = 'kafkajs/src/protocol/requests/produce/v3/request.js';
const FRAME = 'kafkajs/src/protocol/request.js';

type Encoded = { buffer: Buffer };
type ProduceModule = (args: ProduceRequestArgs) => { apiVersion: number; encode(): Promise<Encoded> };
type FrameModule = (args: { correlationId: number; clientId: string; request: { apiKey: number; apiVersion: number; encode(): Promise<Encoded> } }) => Promise<Encoded>;

/** kafkajs' own module at `path`, loaded beside the one client.ts put in its place. */
function kafkajsOwn<T>(path: string): T {
  const resolved = require.resolve(path);
  const installed = require.cache[resolved];
  delete require.cache[resolved];
  try {
    return require(resolved) as T;
  } finally {
    require.cache[resolved] = installed;
  }
}

const NOW = 1_764_480_000_123;

/** A request as the bus sends it: packed records (null key, one header) on several partitions. */
function busRequest(transactional: boolean): ProduceRequestArgs {
  return {
    acks: -1,
    timeout: 30_000,
    transactionalId: transactional ? 'saker.evaluators.events.3' : null,
    producerId: transactional ? 4_000_000_123 : 17,
    producerEpoch: transactional ? 2 : 0,
    topicData: [{
      topic: 'saker.events',
      partitions: [
        { partition: 0, firstSequence: 41, messages: [{ key: null, value: randomBytes(256 * 1024), headers: { 'saker-pack': '1' } }] },
        { partition: 7, firstSequence: 0, messages: [{ key: null, value: randomBytes(9000), headers: { 'saker-pack': '1' } }, { key: null, value: randomBytes(70), headers: { 'saker-pack': '1' } }] },
      ],
    }],
  };
}

describe('bus/kafka/produce-encoder', () => {
  beforeEach(() => void vi.spyOn(Date, 'now').mockReturnValue(NOW));
  afterEach(() => void vi.restoreAllMocks());

  const ours = require(PRODUCE_V3) as ProduceModule;
  const theirs = kafkajsOwn<ProduceModule>(PRODUCE_V3);

  it('is the Produce v3 encoder kafkajs loads (v7 extends it)', () => {
    expect(ours).not.toBe(theirs);
    const v7 = require('kafkajs/src/protocol/requests/produce/v7/request.js') as ProduceModule;
    expect(v7(busRequest(false)).apiVersion).toBe(7);
  });

  it.each([false, true])('writes the bytes kafkajs writes for what the bus sends (transactional: %s)', async (transactional) => {
    const args = busRequest(transactional);
    const body = (await ours(args).encode()).buffer;
    expect(body.equals((await theirs(args).encode()).buffer)).toBe(true);
    expect(body.equals(encodeProduceBody(args)!)).toBe(true);
  });

  it('writes the bytes kafkajs writes for keys, values and headers of every kind it takes this path for', async () => {
    const messages = Array.from({ length: 300 }, (_, i) => ({
      key: i % 3 === 0 ? null : i % 3 === 1 ? `clé-${i}` : Buffer.from([i & 0xff, 0]),
      value: i % 7 === 0 ? null : i % 2 === 0 ? 'välue '.repeat(i) : randomBytes(i * 40),
      headers: i % 4 === 0 ? {} : { 'trace-id': `t${i}`, 'bïnary': Buffer.from([1, 2, 3]), empty: '' },
    }));
    const args: ProduceRequestArgs = {
      acks: 1, timeout: 5000, topicData: [
        { topic: 'a', partitions: [{ partition: 2, messages }, { partition: 3, messages: [] }] },
        { topic: 'bé', partitions: [{ partition: 0, messages: messages.slice(0, 5) }] },
      ],
    };
    expect(encodeProduceBody(args)).not.toBeNull();
    expect((await ours(args).encode()).buffer.equals((await theirs(args).encode()).buffer)).toBe(true);
  });

  it("leaves compressed batches, message timestamps and header arrays to kafkajs' own encoder", async () => {
    const one = (m: Record<string, unknown>, compression = CompressionTypes.None as number): ProduceRequestArgs => ({
      acks: -1, timeout: 1000, compression, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'k', value: 'v', ...m }] }] }],
    });
    const cases = [one({}, CompressionTypes.GZIP), one({ timestamp: '1700000000000' }), one({ headers: { h: ['a', 'b'] } })];
    for (const args of cases) {
      expect(encodeProduceBody(args)).toBeNull();
      expect((await ours(args).encode()).buffer.equals((await theirs(args).encode()).buffer)).toBe(true);
    }
    // kafkajs refuses a number as a value: so does the replacement, the same way.
    const numeric = one({ value: 5 });
    expect(encodeProduceBody(numeric)).toBeNull();
    await expect(ours(numeric).encode()).rejects.toThrow(TypeError);
  });

  it("frames every request as kafkajs' request.js does", async () => {
    const frame = require(FRAME) as FrameModule;
    const own = kafkajsOwn<FrameModule>(FRAME);
    expect(frame).not.toBe(own);
    const Encoder = require('kafkajs/src/protocol/encoder.js') as new () => { writeInt32(n: number): unknown; writeString(s: string): unknown } & Encoded;
    const metadata = { apiKey: 3, apiVersion: 6, encode: async () => { const e = new Encoder(); e.writeInt32(1); e.writeString('saker.events'); return e; } };
    const produce = ours(busRequest(true));
    for (const request of [metadata, { apiKey: 0, apiVersion: 7, encode: () => produce.encode() }]) {
      for (const clientId of ['saker-évaluator', 'x']) {
        const args = { correlationId: 1234567, clientId, request };
        expect((await frame(args)).buffer.equals((await own(args)).buffer)).toBe(true);
      }
    }
  });
});
