import { randomBytes } from 'node:crypto';
import type { PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { Partitioners } from './kafka/client.js';
import { keyPartition, murmur2 } from './murmur2.js';

describe('murmur2 / keyPartition', () => {
  it("matches the Java client's murmur2 on Kafka's own test vectors (UtilsTest.testMurmur2)", () => {
    const cases: Array<[string, number]> = [
      ['21', -973932308], ['foobar', -790332482], ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829], ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, hash] of cases) expect(murmur2(Buffer.from(key)), key).toBe(hash);
  });

  it("puts every key in the partition kafkajs' DefaultPartitioner picks", () => {
    const partitioner = Partitioners.DefaultPartitioner();
    for (const n of [1, 6, 12, 13]) {
      const meta: PartitionMetadata[] = Array.from({ length: n }, (_, i) => ({ partitionId: i, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 }));
      for (let i = 0; i < 2000; i++) {
        const key = i % 2 ? randomBytes(1 + (i % 40)).toString('base64') : `host-${i % 7}:${i}`;
        expect(keyPartition(key, n), key).toBe(partitioner({ topic: 't', partitionMetadata: meta, message: { key, value: null } }));
      }
    }
  });
});
