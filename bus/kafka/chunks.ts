// Splitting outgoing messages into produce requests the broker accepts. The broker rejects a
// record batch (one partition's share of a request) above max.message.bytes (1 MiB by default),
// and a request half-rejected cannot be retried without duplicating the accepted half, so each
// message's partition is chosen here (Kafka's Java-compatible murmur2 key partitioning,
// murmur2.ts; kafkajs' partitioner for keyless messages) and every request carries at most
// MAX_PARTITION_BYTES per partition.
import type { Admin, PartitionMetadata } from 'kafkajs';
import { Partitioners } from './client.js';
import type { OutgoingMessage } from '../bus.js';
import { MAX_PACK_BYTES, PACK_HEADER, PACK_VERSION, pack, packGroups } from './framing.js';
import { keyPartition } from '../murmur2.js';

export const MAX_PARTITION_BYTES = 768 * 1024;
/** Per-record overhead in a record batch (varints, attributes, header framing), rounded up. */
const RECORD_OVERHEAD = 32;

export interface PartitionedMessage {
  partition: number;
  key: string | null;
  value: Buffer;
  headers?: Record<string, string>;
}

function size(m: OutgoingMessage): number {
  let n = RECORD_OVERHEAD + m.value.length + (m.key === null ? 0 : Buffer.byteLength(m.key));
  if (m.headers) for (const k in m.headers) n += Buffer.byteLength(k) + Buffer.byteLength(m.headers[k]!) + 4;
  return n;
}

/** Requests (arrays of messages with their partition) in publish order; per-key order is kept. */
export function chunkForProduce(
  topic: string,
  messages: OutgoingMessage[],
  partitions: PartitionMetadata[],
  partitioner: ReturnType<typeof Partitioners.DefaultPartitioner>,
  maxPartitionBytes = MAX_PARTITION_BYTES,
): PartitionedMessage[][] {
  const requests: PartitionedMessage[][] = [];
  let current: PartitionedMessage[] = [];
  let bytes = new Map<number, number>();
  // A process's events share a key: murmur2 (with a Buffer per key) once per key and call.
  const byKey = new Map<string, number>();
  for (const m of messages) {
    let partition: number | undefined;
    if (m.key === null) {
      partition = partitioner({ topic, partitionMetadata: partitions, message: { key: null, value: m.value } });
    } else {
      partition = byKey.get(m.key);
      if (partition === undefined) byKey.set(m.key, (partition = keyPartition(m.key, partitions.length)));
    }
    const s = size(m);
    const used = bytes.get(partition) ?? 0;
    if (used > 0 && used + s > maxPartitionBytes) {
      requests.push(current);
      current = [];
      bytes = new Map();
    }
    current.push({ partition, key: m.key, value: m.value, headers: m.headers });
    bytes.set(partition, (bytes.get(partition) ?? 0) + s);
  }
  if (current.length > 0) requests.push(current);
  return requests;
}

/** Partition metadata per topic, cached for a minute (partitions are rarely added). */
export class PartitionCache {
  private readonly cache = new Map<string, { at: number; partitions: Promise<PartitionMetadata[]> }>();

  constructor(private readonly admin: () => Promise<Admin>, private readonly ttlMs = 60_000) {}

  get(topic: string): Promise<PartitionMetadata[]> {
    const hit = this.cache.get(topic);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.partitions;
    const partitions = this.admin()
      .then((a) => a.fetchTopicMetadata({ topics: [topic] }))
      .then((m) => {
        const ps = m.topics[0]?.partitions ?? [];
        if (ps.length === 0) throw new Error(`topic '${topic}' has no partitions (does it exist?)`);
        return ps;
      });
    this.cache.set(topic, { at: Date.now(), partitions });
    partitions.catch(() => this.cache.delete(topic));
    return partitions;
  }
}

/** A Kafka record as the producer sends it: one packed record for one partition. */
export interface PackedRecord {
  partition: number;
  key: null;
  value: Buffer;
  headers: Record<string, string>;
}

/**
 * Produce requests of packed records (framing.ts): each request's messages are grouped by
 * partition, in order, and each group packed into records of at most `maxPackBytes`. Per-key
 * order holds: a key always maps to one partition, and records of a partition keep their order.
 */
export function packedRequests(
  topic: string,
  messages: OutgoingMessage[],
  partitions: PartitionMetadata[],
  partitioner: ReturnType<typeof Partitioners.DefaultPartitioner>,
  maxPackBytes = MAX_PACK_BYTES,
): PackedRecord[][] {
  return chunkForProduce(topic, messages, partitions, partitioner).map((request) => {
    const byPartition = new Map<number, OutgoingMessage[]>();
    for (const m of request) {
      let list = byPartition.get(m.partition);
      if (!list) byPartition.set(m.partition, (list = []));
      list.push(m);
    }
    const records: PackedRecord[] = [];
    for (const [partition, list] of byPartition) {
      for (const group of packGroups(list, maxPackBytes)) {
        records.push({ partition, key: null, value: pack(group), headers: { [PACK_HEADER]: PACK_VERSION } });
      }
    }
    return records;
  });
}
