// Kafka's key partitioning, as the Java client's default partitioner (and kafkajs'
// DefaultPartitioner) computes it: partition = (murmur2(UTF-8 key) & 0x7fffffff) % partitions.
// The same 32-bit murmur2 as org.apache.kafka.common.utils.Utils.murmur2, in Math.imul instead of
// kafkajs' 64-bit Long objects, which cost about a microsecond per message on the publish path.
// Equal partitions matter: a key's events must land where any other Kafka client puts that key.

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Kafka's murmur2 of `data`, a signed 32-bit integer (Java int). */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // The 1 to 3 trailing bytes (Java's switch falls through from case 3 to case 1).
  const tail = length & 3;
  if (tail === 3) h ^= data[whole + 2]! << 16;
  if (tail >= 2) h ^= data[whole + 1]! << 8;
  if (tail >= 1) h = Math.imul(h ^ data[whole]!, M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition of a keyed message among `partitions` (the topic's partition count). */
export function keyPartition(key: string, partitions: number): number {
  return (murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff) % partitions;
}
