import type { PartitionMetadata } from 'kafkajs';
import { Partitioners } from './client.js';
import { describe, expect, it } from 'vitest';
import { chunkForProduce } from './chunks.js';

const partitions = (n: number): PartitionMetadata[] =>
  Array.from({ length: n }, (_, i) => ({ partitionId: i, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));

describe('produce chunking', () => {
  it('keeps every partition of a request under the limit, in publish order', () => {
    const msgs = Array.from({ length: 2000 }, (_, i) => ({ key: `k${i % 7}`, value: Buffer.alloc(1000, i % 256) }));
    const requests = chunkForProduce('t', msgs, partitions(3), Partitioners.DefaultPartitioner(), 64 * 1024);
    expect(requests.length).toBeGreaterThan(1);
    for (const r of requests) {
      const perPartition = new Map<number, number>();
      for (const m of r) perPartition.set(m.partition, (perPartition.get(m.partition) ?? 0) + m.value.length + 32 + 2);
      for (const bytes of perPartition.values()) expect(bytes).toBeLessThanOrEqual(64 * 1024);
    }
    const flat = requests.flat();
    expect(flat.length).toBe(msgs.length);
    expect(flat.every((m, i) => m.value === msgs[i]!.value)).toBe(true);
  });

  it('sends a key always to the same partition, as kafkajs would', () => {
    const p = Partitioners.DefaultPartitioner();
    const msgs = Array.from({ length: 100 }, (_, i) => ({ key: `host:${i % 10}`, value: Buffer.from('x') }));
    const out = chunkForProduce('t', msgs, partitions(12), p).flat();
    const byKey = new Map<string, Set<number>>();
    for (const m of out) byKey.set(m.key!, (byKey.get(m.key!) ?? new Set()).add(m.partition));
    for (const s of byKey.values()) expect(s.size).toBe(1);
  });
});
