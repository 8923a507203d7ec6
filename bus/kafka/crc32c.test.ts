import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { crc32c } from './crc32c.js';

/** The definition, a bit at a time: the reference the table-driven one must equal. */
function bitwise(buf: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of buf) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('crc32c', () => {
  it('has the published check value and known vectors (RFC 3720 B.4)', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(32, 0))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i)))).toBe(0x46dd794e);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });

  it('equals the bit-at-a-time definition for every length around the 8-byte step', () => {
    const data = randomBytes(4096);
    for (let len = 0; len < 40; len++) expect(crc32c(data.subarray(0, len))).toBe(bitwise(data.subarray(0, len)));
    for (const len of [1000, 4095, 4096]) expect(crc32c(data.subarray(3, len))).toBe(bitwise(data.subarray(3, len)));
  });
});
