import { describe, expect, it } from 'vitest';
import avro from 'avsc';
import { alertCodec, createCodec, eventCodec, EVENT_SCHEMA, HEADER_SIZE, registerWriterSchema } from './codec.js';
import { DecodeError, EncodeError, SchemaError } from './errors.js';
import { exampleAlert, exampleEvent } from './examples.js';
import { canonicalForm, rabinFingerprint } from './fingerprint.js';
import type { Event } from './types.generated.js';

/** A copy of the event schema, transformed: for writers of other schema versions. */
function eventSchemaWith(change: (schema: { fields: Array<Record<string, unknown>> }) => void): unknown {
  const copy = structuredClone(EVENT_SCHEMA) as { fields: Array<Record<string, unknown>> };
  change(copy);
  return copy;
}

describe('eventCodec', () => {
  it('round-trips an event exactly', () => {
    const event = exampleEvent();
    const decoded = eventCodec.decode(eventCodec.encode(event));
    expect({ ...decoded }).toEqual(event);
  });

  it('keeps ns timestamps exact (bigint), beyond 2^53', () => {
    const event = exampleEvent();
    event.ts = 1700000000123456789n;
    event.proc.startTs = -(1n << 63n); // the smallest long
    const decoded = eventCodec.decode(eventCodec.encode(event));
    expect(decoded.ts).toBe(1700000000123456789n);
    expect(typeof decoded.ts).toBe('bigint');
    expect(decoded.proc.startTs).toBe(-(1n << 63n));
    // Other longs stay numbers.
    expect(typeof decoded.seq).toBe('number');
    expect(decoded.proc.capEffective).toBe(0x1ffffffffff);
  });

  it('writes the single-object header: magic and the schema fingerprint, little-endian', () => {
    const buf = eventCodec.encode(exampleEvent());
    expect(buf[0]).toBe(0xc3);
    expect(buf[1]).toBe(0x01);
    const expected = Buffer.alloc(8);
    expected.writeBigUInt64LE(rabinFingerprint(canonicalForm(EVENT_SCHEMA)));
    expect(buf.subarray(2, HEADER_SIZE)).toEqual(expected);
    expect(eventCodec.fingerprint).toEqual(expected);
    // The body is plain Avro binary, readable by a stock avsc type given the schema (with all
    // longs as bigint, since avsc's default long refuses ns timestamps).
    const bigLong = avro.types.LongType.__with({
      fromBuffer: (b: Buffer) => b.readBigInt64LE(0),
      toBuffer: (n: bigint) => { const b = Buffer.alloc(8); b.writeBigInt64LE(n); return b; },
      fromJSON: BigInt, toJSON: String, isValid: (n: unknown) => typeof n === 'bigint',
      compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
    });
    const plain = avro.Type.forSchema(EVENT_SCHEMA as avro.Schema, {
      wrapUnions: 'never',
      typeHook: (s) => (s === 'long' || (s as { type?: unknown }).type === 'long' ? bigLong : undefined),
    });
    const body = plain.fromBuffer(buf.subarray(HEADER_SIZE));
    expect(body.proc.name).toBe('cat');
    expect(body.ts).toBe(1700000000123456789n);
  });

  it('encodes many messages through its scratch buffer without mixing them up', () => {
    const big = exampleEvent();
    big.proc.args = Array.from({ length: 500 }, (_, i) => `argument-${i}`.repeat(3));
    const small = exampleEvent();
    small.seq = 7;
    const a = eventCodec.encode(small);
    const b = eventCodec.encode(big); // grows the scratch buffer
    const c = eventCodec.encode(small);
    expect(a).toEqual(c);
    expect(eventCodec.decode(a).seq).toBe(7);
    expect(eventCodec.decode(b).proc.args).toHaveLength(500);
  });

  it('decodes strings exactly through the intern cache: non-ASCII, long, many distinct', () => {
    const event = exampleEvent();
    event.proc.args = ['é', '日本語', 'naïve', 'x'.repeat(49), 'x'.repeat(48), ''];
    for (let round = 0; round < 3; round++) {
      expect(eventCodec.decode(eventCodec.encode(event)).proc.args).toEqual(event.proc.args);
    }
    // More distinct strings than cache slots: collisions must only cost misses.
    const names = Array.from({ length: 10_000 }, (_, i) => `/tmp/file-${i}`);
    for (const name of names) {
      event.fd!.name = name;
      expect(eventCodec.decode(eventCodec.encode(event)).fd!.name).toBe(name);
    }
    event.fd!.name = names[0]!;
    expect(eventCodec.decode(eventCodec.encode(event)).fd!.name).toBe('/tmp/file-0');
  });

  it('fills defaults for fields missing in the value', () => {
    const event = exampleEvent() as Partial<Event>;
    delete event.source;
    const decoded = eventCodec.decode(eventCodec.encode(event as Event));
    expect(decoded.source).toBe('syscall');
  });

  it('rejects a value that does not fit the schema with an EncodeError naming the field', () => {
    const event = exampleEvent() as unknown as { proc: { pid: unknown } };
    event.proc.pid = 'x';
    expect(() => eventCodec.encode(event as unknown as Event)).toThrow(EncodeError);
    expect(() => eventCodec.encode(event as unknown as Event)).toThrow(/proc\.pid/);
    const badTs = exampleEvent() as unknown as { ts: unknown };
    badTs.ts = 17; // a number, not a bigint
    expect(() => eventCodec.encode(badTs as unknown as Event)).toThrow('cannot encode saker.Event: ts: 17 is not a valid timestamp-nanos (bigint)');
  });
});

describe('alertCodec', () => {
  it('round-trips an alert with its output fields and null values', () => {
    const alert = exampleAlert();
    const decoded = alertCodec.decode(alertCodec.encode(alert));
    expect({ ...decoded }).toEqual(alert);
    expect(decoded.time).toBe(1700000000123456789n);
  });

  it('does not read an event as an alert (different fingerprint)', () => {
    expect(() => alertCodec.decode(eventCodec.encode(exampleEvent()))).toThrow(/unknown writer schema fingerprint/);
  });
});

describe('decode errors', () => {
  const good = eventCodec.encode(exampleEvent());

  it.each([
    ['an empty buffer', Buffer.alloc(0), /shorter than the 10-byte header/],
    ['a short buffer', good.subarray(0, 6), /shorter than the 10-byte header/],
    ['bad magic', Buffer.concat([Buffer.from([0x4f, 0x62]), good.subarray(2)]), /bad magic 0x4f62/],
    ['an unknown fingerprint', Buffer.concat([good.subarray(0, 2), Buffer.alloc(8, 0xab), good.subarray(10)]), /unknown writer schema fingerprint abababababababab/],
    ['a truncated body', good.subarray(0, good.length - 5), /truncated body/],
    ['a header without body', good.subarray(0, HEADER_SIZE), /truncated body|corrupt body/],
    ['trailing bytes', Buffer.concat([good, Buffer.from([1, 2, 3])]), /3 trailing bytes/],
  ])('rejects %s with a DecodeError', (_what, buf, reason) => {
    let error: unknown;
    try {
      eventCodec.decode(buf);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as DecodeError).retriable).toBe(false);
    expect((error as Error).message).toMatch(reason);
  });

  it('rejects an array count larger than the bytes left, without reading past the end', () => {
    // proc.args holds ['/etc/shadow']: a count of 1 followed by the string. A count of 2^40
    // used to make avsc loop for seconds over the missing items.
    const event = exampleEvent();
    event.proc.args = ['ARGV-MARK'];
    const buf = eventCodec.encode(event);
    const at = buf.indexOf(Buffer.from('ARGV-MARK')) - 2; // count byte, then length byte
    expect(buf[at]).toBe(2); // zig-zag of 1
    const huge = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]); // zig-zag of 2^41 / 2
    const bad = Buffer.concat([buf.subarray(0, at), huge, buf.subarray(at + 1)]);
    expect(() => eventCodec.decode(bad)).toThrow(/truncated body/);
  });

  it('rejects what is not a Buffer', () => {
    expect(() => eventCodec.decode(new Uint8Array(20) as Buffer)).toThrow(/expected a Buffer/);
    expect(() => eventCodec.decode(null as unknown as Buffer)).toThrow(DecodeError);
  });

  it('turns every corruption of the body into a DecodeError or a value, never another error', () => {
    // Flip each body byte in turn: the decoder must not crash with a foreign error.
    let decodeErrors = 0;
    for (let i = HEADER_SIZE; i < good.length; i++) {
      const bad = Buffer.from(good);
      bad[i] = bad[i]! ^ 0xff;
      try {
        eventCodec.decode(bad);
      } catch (err) {
        expect(err).toBeInstanceOf(DecodeError);
        decodeErrors++;
      }
    }
    expect(decodeErrors).toBeGreaterThan(0);
  });
});

describe('schema evolution', () => {
  it('reads an event written before an optional field existed (the default fills it)', () => {
    // The older writer had no container.privileged and no proc.sname.
    const older = eventSchemaWith((s) => {
      const container = s.fields.find((f) => f.name === 'container')!.type as { fields: Array<{ name: string }> };
      container.fields = container.fields.filter((f) => f.name !== 'privileged');
      const proc = s.fields.find((f) => f.name === 'proc')!.type as { fields: Array<{ name: string }> };
      proc.fields = proc.fields.filter((f) => f.name !== 'sname');
    });
    const writer = createCodec<Event>(older);
    const event = exampleEvent();
    const bytes = writer.encode(event);
    expect(() => eventCodec.decode(bytes)).toThrow(/unknown writer schema fingerprint/);

    const fp = eventCodec.registerWriterSchema(older);
    expect(bytes.subarray(2, HEADER_SIZE).toString('hex')).toBe(fp);
    expect(eventCodec.knownFingerprints()).toContain(fp);
    const decoded = eventCodec.decode(bytes);
    expect(decoded.container.privileged).toBeNull();
    expect(decoded.proc.sname).toBeNull();
    expect(decoded.ts).toBe(event.ts);
    expect(decoded.proc.exepath).toBe('/usr/bin/cat');
  });

  it('reads an event from a newer writer with an extra field (the field is dropped)', () => {
    const newer = eventSchemaWith((s) => {
      s.fields.splice(3, 0, { name: 'bootId', type: 'string', default: '' });
      s.fields.push({ name: 'k8s', type: ['null', { type: 'record', name: 'K8s', fields: [{ name: 'pod', type: 'string' }] }], default: null });
    });
    const writer = createCodec<Event & { bootId: string; k8s: { pod: string } | null }>(newer);
    const bytes = writer.encode({ ...exampleEvent(), bootId: 'b00t', k8s: { pod: 'web-7f9c' } });
    registerWriterSchema(JSON.stringify(newer)); // routed to eventCodec by the record name
    const decoded = eventCodec.decode(bytes);
    expect(decoded).not.toHaveProperty('bootId');
    expect(decoded).not.toHaveProperty('k8s');
    expect(decoded.ts).toBe(1700000000123456789n);
    expect(decoded.container.image).toBe('docker.io/library/nginx:1.25');
  });

  it('refuses a writer schema the reader cannot read', () => {
    const incompatible = eventSchemaWith((s) => {
      s.fields = s.fields.filter((f) => f.name !== 'seq'); // required by the reader, no default
    });
    expect(() => eventCodec.registerWriterSchema(incompatible)).toThrow(SchemaError);
    expect(() => registerWriterSchema({ type: 'record', name: 'other.Thing', fields: [] })).toThrow(/no codec reads records named other.Thing/);
    expect(() => registerWriterSchema('{not json')).toThrow(SchemaError);
  });
});
