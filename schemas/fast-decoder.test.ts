import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { parseAvroSchema } from './avro-types.js';
import { compileDecoder } from './fast-decoder.js';
import { ALERT_SCHEMA, EVENT_SCHEMA } from './schema-files.js';

/** avsc's own decoding of the same bytes, as plain data (its records are class instances). */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

describe('compiled decoder', () => {
  it.each([['event', EVENT_SCHEMA], ['alert', ALERT_SCHEMA]])('decodes 2000 random %s values exactly as avsc does', (_name, schema) => {
    const type = parseAvroSchema(schema);
    const decode = compileDecoder<unknown>(type);
    for (let i = 0; i < 2000; i++) {
      const bytes = type.toBuffer(type.random());
      expect(decode(bytes, 0)).toEqual(plain(type.fromBuffer(bytes)));
    }
  });

  it('reads every long and ns timestamp size exactly (varints of 1 to 10 bytes, both signs)', () => {
    // Bytes from an exact zig-zag varint writer (bigint), independent of avsc's encoder, which
    // itself rounds odd zig-zag values past 2^53.
    const varint = (v: bigint): number[] => {
      let raw = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
      const out: number[] = [];
      do {
        const low = Number(raw & 0x7fn);
        raw >>= 7n;
        out.push(raw !== 0n ? low | 0x80 : low);
      } while (raw !== 0n);
      return out;
    };
    const schema = {
      type: 'record', name: 'L', fields: [
        { name: 'n', type: 'long' },
        { name: 'i', type: 'int' },
        { name: 't', type: { type: 'long', logicalType: 'timestamp-nanos' } },
      ],
    };
    const decode = compileDecoder<{ n: number; i: number; t: bigint }>(parseAvroSchema(schema));
    const longs = [0, 1, -1, 63, -64, 64, -65, 8191, 8192, 2 ** 31 - 1, -(2 ** 31), 2 ** 32, 2 ** 40 + 3, -(2 ** 47) - 5, 9007199254740990, -9007199254740990, -9007199254740989];
    const nanos = [0n, 1n, -1n, 1700000000123456789n, -1700000000123456789n, (1n << 63n) - 1n, -(1n << 63n), 1n << 35n, (1n << 56n) + 7n, -(1n << 62n) - 3n];
    for (let k = 0; k < Math.max(longs.length, nanos.length); k++) {
      const value = { n: longs[k % longs.length]!, i: k % 2 ? 2 ** 31 - 1 : -(2 ** 31), t: nanos[k % nanos.length]! };
      const bytes = Buffer.from([...varint(BigInt(value.n)), ...varint(BigInt(value.i)), ...varint(value.t)]);
      expect(decode(bytes, 0)).toEqual(value);
    }
  });

  it('refuses a long that a number cannot hold, as avsc does', () => {
    const type = parseAvroSchema({ type: 'record', name: 'L', fields: [{ name: 'n', type: { type: 'long', logicalType: 'timestamp-nanos' } }] });
    const bytes = type.toBuffer({ n: 1n << 60n });
    const asNumber = compileDecoder(parseAvroSchema({ type: 'record', name: 'L', fields: [{ name: 'n', type: 'long' }] }));
    expect(() => asNumber(bytes, 0)).toThrow(/beyond 2\^53/);
  });

  it('stops at corrupt structure with a reason', () => {
    const type = parseAvroSchema(EVENT_SCHEMA);
    const decode = compileDecoder(type);
    expect(() => decode(Buffer.from([0x02, 0x61]), 0)).toThrow(/truncated body/);
    expect(() => decode(Buffer.alloc(12, 0xff), 0)).toThrow(/varint longer than 10 bytes/);
  });
});
