import type { KafkaMessage, PartitionMetadata } from 'kafkajs';
import { Partitioners } from './client.js';
import { describe, expect, it } from 'vitest';
import type { OutgoingMessage } from '../bus.js';
import { packedRequests } from './chunks.js';
import { MAX_PACK_BYTES, PACK_HEADER, PackedRecordError, pack, packGroups, packedSize, recordMessages, unpack } from './framing.js';

const record = (value: Buffer, headers: KafkaMessage['headers'] = { [PACK_HEADER]: Buffer.from('1') }, offset = '17'): KafkaMessage => ({
  key: null, value, headers, offset, timestamp: '1700000000000', attributes: 0,
});

const partitions = (n: number): PartitionMetadata[] =>
  Array.from({ length: n }, (_, i) => ({ partitionId: i, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));

describe('packed record framing', () => {
  it('round-trips keys (null, UTF-8), headers and values, in order', () => {
    const msgs: OutgoingMessage[] = [
      { key: 'host:1', value: Buffer.from([0xc3, 0x01, 9, 9]) },
      { key: null, value: Buffer.alloc(0), headers: { 'saker-dlq-reason': 'decode', ünï: 'çødé ✓' } },
      { key: '', value: Buffer.from('x'), headers: {} },
      { key: 'k'.repeat(300), value: Buffer.alloc(20_000, 7) },
    ];
    const buf = pack(msgs);
    expect(buf.length).toBe(1 + msgs.reduce((n, m) => n + packedSize(m), 0));
    const back = unpack(buf);
    expect(back.map((m) => m.key)).toEqual(['host:1', null, '', 'k'.repeat(300)]);
    expect(back.map((m) => m.headers)).toEqual([{}, { 'saker-dlq-reason': 'decode', ünï: 'çødé ✓' }, {}, {}]);
    back.forEach((m, i) => expect(m.value.equals(msgs[i]!.value)).toBe(true));
  });

  it('packs an empty list and reads it back as no messages', () => {
    expect(unpack(pack([]))).toEqual([]);
  });

  it('handles a huge message (multi-byte length varints) and a large count', () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 0xab);
    expect(unpack(pack([{ key: 'a', value: big }]))[0]!.value.equals(big)).toBe(true);
    const many = Array.from({ length: 70_000 }, (_, i) => ({ key: `h:${i}`, value: Buffer.from([i & 0xff]) }));
    const back = unpack(pack(many));
    expect(back).toHaveLength(70_000);
    expect(back[69_999]!.key).toBe('h:69999');
  });

  it('rejects corrupt values with a PackedRecordError (not retriable), never reading out of bounds', () => {
    const good = pack([{ key: 'k', value: Buffer.from('hello'), headers: { a: 'b' } }]);
    const cases: Buffer[] = [
      Buffer.alloc(0), // no count
      good.subarray(0, good.length - 1), // truncated value
      Buffer.concat([good, Buffer.from([0])]), // trailing byte
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), // varint over 5 bytes
      Buffer.from([0x80, 0x80, 0x80, 0x80, 0x7f]), // count out of range
      Buffer.from([0x7f, 0, 0, 0]), // count larger than the bytes can hold
      Buffer.from('this is not a packed record'),
    ];
    for (const c of cases) {
      let caught: unknown;
      try {
        unpack(c);
      } catch (err) {
        caught = err;
      }
      expect(caught, c.toString('hex')).toBeInstanceOf(PackedRecordError);
      expect((caught as PackedRecordError).retriable).toBe(false);
      expect((caught as Error).message).toMatch(/^corrupt packed record: /);
    }
  });

  it('groups one partition under the size bound, keeping order; a big message gets its own record', () => {
    const msgs = Array.from({ length: 1000 }, (_, i) => ({ key: `k${i}`, value: Buffer.alloc(600, i & 0xff) }));
    msgs.splice(500, 0, { key: 'big', value: Buffer.alloc(MAX_PACK_BYTES * 2) });
    const groups = packGroups(msgs);
    expect(groups.flat()).toEqual(msgs);
    for (const g of groups) {
      if (g.length > 1) expect(pack(g).length).toBeLessThanOrEqual(MAX_PACK_BYTES);
    }
    expect(groups.find((g) => g.some((m) => m.key === 'big'))).toHaveLength(1);
  });
});

describe('reading fetched records', () => {
  it('gives every inner message the record offset and its index', () => {
    const msgs = recordMessages('t', 3, record(pack([{ key: 'a', value: Buffer.from('1') }, { key: 'b', value: Buffer.from('2') }])));
    expect(msgs.map((m) => [m.topic, m.partition, m.offset, m.index, m.key, m.value.toString(), m.timestamp])).toEqual([
      ['t', 3, '17', 0, 'a', '1', 1700000000000],
      ['t', 3, '17', 1, 'b', '2', 1700000000000],
    ]);
    expect(msgs[0]!.malformed).toBeUndefined();
  });

  it('reads a record without the pack header as one plain message', () => {
    const [m, ...rest] = recordMessages('t', 0, { ...record(Buffer.from('zombie'), { trace: Buffer.from('x') }), key: Buffer.from('z') });
    expect(rest).toEqual([]);
    expect([m!.key, m!.value.toString(), m!.headers, m!.index, m!.malformed]).toEqual(['z', 'zombie', { trace: 'x' }, undefined, undefined]);
  });

  it('hands a corrupt packed record on whole, marked malformed, instead of throwing', () => {
    const raw = Buffer.from([0x05, 0x02]);
    const [m, ...rest] = recordMessages('t', 1, record(raw));
    expect(rest).toEqual([]);
    expect(m!.value).toBe(raw);
    expect(m!.offset).toBe('17');
    expect(m!.malformed).toMatch(/^corrupt packed record: /);
    const [v] = recordMessages('t', 1, record(pack([]), { [PACK_HEADER]: '9' }));
    expect(v!.malformed).toMatch(/format '9' is not known/);
  });
});

describe('packed produce requests', () => {
  it('packs each partition of a request into records that unpack to the same messages, per-key order kept', () => {
    const msgs = Array.from({ length: 5000 }, (_, i) => ({ key: `host:${i % 97}`, value: Buffer.from(`v${i}`) }));
    const requests = packedRequests('t', msgs, partitions(12), Partitioners.DefaultPartitioner(), 4096);
    const seen: OutgoingMessage[] = [];
    const partitionOf = new Map<string, number>();
    for (const req of requests) {
      for (const r of req) {
        expect(r.key).toBeNull();
        expect(r.headers).toEqual({ [PACK_HEADER]: '1' });
        expect(r.value.length).toBeLessThanOrEqual(4096);
        for (const m of unpack(r.value)) {
          if (partitionOf.has(m.key!)) expect(partitionOf.get(m.key!)).toBe(r.partition);
          partitionOf.set(m.key!, r.partition);
          seen.push(m);
        }
      }
    }
    expect(seen).toHaveLength(5000);
    for (const key of ['host:0', 'host:42']) {
      const mine = seen.filter((m) => m.key === key).map((m) => m.value.toString());
      expect(mine).toEqual(msgs.filter((m) => m.key === key).map((m) => m.value.toString()));
    }
  });
});

describe('packed produce requests: partitions', () => {
  it('puts each message in the partition the default (murmur2) partitioner picks for its key', () => {
    const part = Partitioners.DefaultPartitioner();
    const msgs = Array.from({ length: 3000 }, (_, i) => ({ key: `host-${i % 5}:${i % 211}`, value: Buffer.from(`v${i}`) }));
    for (const req of packedRequests('t', msgs, partitions(12), Partitioners.DefaultPartitioner())) {
      for (const r of req) {
        for (const m of unpack(r.value)) {
          expect(r.partition).toBe(part({ topic: 't', partitionMetadata: partitions(12), message: { key: m.key, value: m.value } }));
        }
      }
    }
  });
});
