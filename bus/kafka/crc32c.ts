// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of every Kafka record batch
// a producer writes. kafkajs computes it a byte at a time in JavaScript (~450 MB/s here), a tenth
// of the publisher's CPU with packed records; this is the same function eight bytes at a time
// ("slicing-by-8": eight 256-entry tables, table t holds the CRC of a byte followed by t zero
// bytes), ~1.3 GB/s. bus/kafka/client.ts puts it in place of kafkajs' own.

const TABLES: Int32Array[] = (() => {
  const t = Array.from({ length: 8 }, () => new Int32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[0]![n] = c;
  }
  for (let n = 0; n < 256; n++) for (let i = 1; i < 8; i++) t[i]![n] = (t[i - 1]![n]! >>> 8) ^ t[0]![t[i - 1]![n]! & 0xff]!;
  return t;
})();
const [T0, T1, T2, T3, T4, T5, T6, T7] = TABLES as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];

/** CRC-32C of `buf`, as an unsigned 32-bit number. */
export function crc32c(buf: Uint8Array): number {
  let crc = -1;
  let i = 0;
  const n = buf.length;
  const whole = n - (n % 8);
  for (; i < whole; i += 8) {
    const a = crc ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    crc = T7[a & 0xff]! ^ T6[(a >>> 8) & 0xff]! ^ T5[(a >>> 16) & 0xff]! ^ T4[a >>> 24]! ^ T3[buf[i + 4]!]! ^ T2[buf[i + 5]!]! ^ T1[buf[i + 6]!]! ^ T0[buf[i + 7]!]!;
  }
  for (; i < n; i++) crc = T0[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}
