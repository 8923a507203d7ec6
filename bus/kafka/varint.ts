// Unsigned LEB128 varints: 7 bits a byte, lowest first, the high bit set on every byte but the
// last; values 0 to 2^32 - 1 (at most 5 bytes). The packed-record format (framing.ts) writes
// them as they are; Kafka's record format (produce-encoder.ts) writes zigzag-mapped signed ints.

export function uvarintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

/** Writes `n` at `pos`; returns the position after it. */
export function writeUVarint(buf: Buffer, pos: number, n: number): number {
  while (n >= 0x80) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  buf[pos++] = n;
  return pos;
}
