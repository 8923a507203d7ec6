import { describe, expect, it } from 'vitest';
import { parseAvroSchema } from './avro-types.js';
import { exampleAlert, exampleEvent } from './examples.js';
import { compileDecoder } from './fast-decoder.js';
import { compileEncoder } from './fast-encoder.js';
import { ALERT_SCHEMA, EVENT_SCHEMA } from './schema-files.js';

function encodeWith(encode: (v: unknown, b: Buffer, s: number) => number, value: unknown): Buffer {
  let buf = Buffer.alloc(64);
  let end = encode(value, buf, 0);
  if (end > buf.length) {
    buf = Buffer.alloc(end);
    end = encode(value, buf, 0);
  }
  return buf.subarray(0, end);
}

describe('compiled encoder', () => {
  it.each([['event', EVENT_SCHEMA], ['alert', ALERT_SCHEMA]])('writes 2000 random %s values byte for byte as avsc does', (_name, schema) => {
    const type = parseAvroSchema(schema);
    const encode = compileEncoder(type);
    for (let i = 0; i < 2000; i++) {
      const value = type.random();
      expect(encodeWith(encode, value).toString('hex')).toBe(type.toBuffer(value).toString('hex'));
    }
  });

  it('writes the examples, non-ASCII and long strings, defaults for missing fields, as avsc does', () => {
    const type = parseAvroSchema(EVENT_SCHEMA);
    const encode = compileEncoder(type);
    const event = exampleEvent() as unknown as Record<string, unknown> & ReturnType<typeof exampleEvent>;
    event.proc.args = ['é', '日本語 ' + 'x'.repeat(70), 'a'.repeat(63), 'b'.repeat(64), '😀', ''];
    delete (event as Partial<typeof event>).source;
    delete (event.proc as Partial<typeof event.proc>).loginuid;
    event.proc.capEffective = 2 ** 45 + 17;
    event.proc.loginuid = undefined as unknown as number;
    event.res = -(2 ** 40) - 1;
    expect(encodeWith(encode, event).toString('hex')).toBe(type.toBuffer(event).toString('hex'));
    const alertType = parseAvroSchema(ALERT_SCHEMA);
    expect(encodeWith(compileEncoder(alertType), exampleAlert()).toString('hex')).toBe(alertType.toBuffer(exampleAlert()).toString('hex'));
  });

  it('writes longs of every size exactly, including past 2^52 where avsc rounds', () => {
    const type = parseAvroSchema({ type: 'record', name: 'L', fields: [{ name: 'n', type: 'long' }, { name: 't', type: { type: 'long', logicalType: 'timestamp-nanos' } }] });
    const encode = compileEncoder(type);
    const decode = compileDecoder<{ n: number; t: bigint }>(type);
    for (const n of [0, -1, 63, -64, 64, 2 ** 30, -(2 ** 30) - 1, 2 ** 31, 2 ** 47 + 5, 9007199254740990, -9007199254740990, -9007199254740989]) {
      for (const t of [0n, -1n, 1700000000123456789n, -(1n << 63n), (1n << 63n) - 1n]) {
        const bytes = encodeWith(encode, { n, t });
        const back = type.fromBuffer(bytes) as { n: number; t: bigint };
        if (Math.abs(n) <= 2 ** 52) expect(bytes.toString('hex')).toBe(type.toBuffer({ n, t }).toString('hex'));
        expect(back.t).toBe(t);
        if (Math.abs(n) <= 2 ** 52) expect(back.n).toBe(n);
        expect(decode(bytes, 0)).toEqual({ n, t }); // exact with Saker's own decoder
      }
    }
  });

  it('refuses values that do not fit', () => {
    const encode = compileEncoder(parseAvroSchema(EVENT_SCHEMA));
    const bad = (change: (e: ReturnType<typeof exampleEvent>) => void) => {
      const e = exampleEvent();
      change(e);
      return () => encodeWith(encode, e);
    };
    expect(bad((e) => { (e.proc as { pid: unknown }).pid = '1'; })).toThrow(/proc.pid/);
    expect(bad((e) => { (e as { ts: unknown }).ts = 5; })).toThrow(/ts/);
    expect(bad((e) => { (e as { dir: unknown }).dir = 'SIDEWAYS'; })).toThrow(/dir/);
    expect(bad((e) => { (e.fd as { cport: unknown }).cport = 'x'; })).toThrow(/fd.cport/);
    expect(bad((e) => { (e as { host: unknown }).host = undefined; })).toThrow(/host/);
    expect(bad((e) => { e.cpu = 2 ** 31; })).toThrow(/cpu/);
    expect(bad((e) => { e.seq = 1.5; })).toThrow(/seq/);
  });
});
