import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseAvroSchema } from './avro-types.js';
import { alertCodec, eventCodec, HEADER_SIZE } from './codec.js';
import { DecodeError } from './errors.js';
import { exampleAlert, exampleEvent } from './examples.js';
import { alertToJson, eventToJson } from './json.js';
import { compileDecoders } from './lazy-decoder.js';
import { ALERT_SCHEMA, EVENT_SCHEMA } from './schema-files.js';
import type { Event } from './types.generated.js';

const asText = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

describe('lazy decoding', () => {
  it.each([['event', EVENT_SCHEMA], ['alert', ALERT_SCHEMA]])('reads 2000 random %s values the same as the eager decoder', (_name, schema) => {
    const type = parseAvroSchema(schema);
    const { decode, decodeLazy } = compileDecoders<unknown>(type);
    for (let i = 0; i < 2000; i++) {
      const bytes = type.toBuffer(type.random());
      // JSON.stringify reads every field (through toJSON on lazy objects).
      expect(asText(decodeLazy(bytes, 0))).toBe(asText(decode(bytes, 0)));
    }
  });

  it('gives the fields of an event on access, in any order, the same each time', () => {
    const bytes = eventCodec.encode(exampleEvent());
    const e = eventCodec.decodeLazy(bytes);
    expect(e.fd!.name).toBe('/etc/shadow');
    expect(e.ancestors[2]!.args).toEqual(['-namespace', 'moby', '-id', '0123456789ab']);
    expect(e.type).toBe('openat');
    expect(e.proc.name).toBe('cat');
    expect(e.proc.name).toBe('cat');
    expect(e.ts).toBe(1700000000123456789n);
    expect(e.args.map((a) => [a.name, a.raw])).toEqual(exampleEvent().args.map((a) => [a.name, a.raw]));
    expect('name' in e.proc).toBe(true);
    expect(eventToJson(e)).toEqual(eventToJson(exampleEvent()));
    expect(inspect(e.host)).toContain("name: 'web-01'");
  });

  it('lets fields be assigned', () => {
    const e = eventCodec.decodeLazy(eventCodec.encode(exampleEvent()));
    e.proc.name = 'renamed';
    e.container.image = null;
    expect(e.proc.name).toBe('renamed');
    expect(e.container.image).toBeNull();
    expect(eventToJson(e)).toMatchObject({ proc: { name: 'renamed' }, container: { image: null } });
  });

  it('decodes alerts lazily too (map of output fields)', () => {
    const a = alertCodec.decodeLazy(alertCodec.encode(exampleAlert()));
    expect(a.outputFields['fd.name']).toBe('/etc/shadow');
    expect(alertToJson(a)).toEqual(alertToJson(exampleAlert()));
  });

  it('finds corruption during the decode, so reading a field later never throws', () => {
    const good = eventCodec.encode(exampleEvent());
    let errors = 0;
    for (let i = HEADER_SIZE; i < good.length; i++) {
      const bad = Buffer.from(good);
      bad[i] = bad[i]! ^ 0xff;
      let e: Event;
      try {
        e = eventCodec.decodeLazy(bad);
      } catch (err) {
        expect(err).toBeInstanceOf(DecodeError);
        errors++;
        continue;
      }
      expect(() => eventToJson(e)).not.toThrow();
    }
    expect(errors).toBeGreaterThan(0);
    expect(() => eventCodec.decodeLazy(good.subarray(0, good.length - 3))).toThrow(/truncated body/);
  });
});
