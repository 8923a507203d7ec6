import { describe, expect, it } from 'vitest';
import { ContainerRuntimeError } from '../errors.js';
import { decodeFields, encodeMessage, stringField, stringMap } from './protobuf.js';

describe('protobuf wire format', () => {
  it('reads back what it writes, embedded messages and maps included', () => {
    const entry = (k: string, v: string) => encodeMessage([[1, k], [2, v]]);
    const long = 'x'.repeat(300); // a two-byte length varint
    const msg = encodeMessage([[1, 'abc'], [2, entry('a', '1')], [2, entry('b', '2')], [3, long], [5, encodeMessage([[2, Buffer.from([0xff, 0])]])]]);
    const f = decodeFields(msg);
    expect(stringField(f, 1)).toBe('abc');
    expect(stringField(f, 3)).toBe(long);
    expect([...stringMap(f, 2)]).toEqual([['a', '1'], ['b', '2']]);
    expect(decodeFields(f.get(5)![0]!).get(2)![0]).toEqual(Buffer.from([0xff, 0]));
    expect(stringField(f, 9)).toBe('');
  });

  it('skips varint and fixed-width fields it does not read', () => {
    // field 4 varint 150 (0x96 0x01), field 6 fixed64, field 7 fixed32, then field 1 "ok"
    const msg = Buffer.from([0x20, 0x96, 0x01, 0x31, 1, 2, 3, 4, 5, 6, 7, 8, 0x3d, 1, 2, 3, 4, 0x0a, 2, 0x6f, 0x6b]);
    expect(stringField(decodeFields(msg), 1)).toBe('ok');
  });

  it('rejects truncated and malformed messages with the reason', () => {
    expect(() => decodeFields(Buffer.from([0x0a, 5, 0x61]))).toThrow(/field 1 runs past the end/);
    expect(() => decodeFields(Buffer.from([0x20, 0x96]))).toThrow(/truncated varint/);
    expect(() => decodeFields(Buffer.from([0x0b]))).toThrow(/wire type 3 of field 1/);
    expect(() => decodeFields(Buffer.from([0x0b]))).toThrow(ContainerRuntimeError);
  });
});
