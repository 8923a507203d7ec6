// Wire format of every message on the bus: Avro single-object encoding.
//
//   offset  size  content
//   0       2     magic 0xC3 0x01
//   2       8     CRC-64-AVRO ("Rabin") fingerprint of the writer schema's Parsing Canonical
//                 Form, little-endian (see fingerprint.ts)
//   10      n     the value in Avro binary encoding, written with that schema
//
// A message carries no schema, only its fingerprint. A reader knows the writer schemas it can
// read: the current one, and older or newer ones registered with `registerWriterSchema`; it
// reads those through avsc's schema resolution (fields added with a default take the default,
// fields the reader no longer has are skipped). `timestamp-nanos` longs decode to exact bigints.
// Encoding and decoding in the current schema use code compiled from it (fast-encoder.ts,
// fast-decoder.ts, lazy-decoder.ts); avsc parses the schemas, resolves other writers and
// explains invalid values.
import avro from 'avsc';
import { parseAvroSchema } from './avro-types.js';
import { DecodeError, EncodeError, SchemaError } from './errors.js';
import type { CompiledDecoder } from './fast-decoder.js';
import { compileEncoder } from './fast-encoder.js';
import { compileDecoders } from './lazy-decoder.js';
import { schemaFingerprint } from './fingerprint.js';
import { ALERT_SCHEMA, EVENT_SCHEMA } from './schema-files.js';
import type { Alert, Event } from './types.generated.js';

export { alertFromJson, alertToJson, eventFromJson, eventToJson } from './json.js';
export { EVENT_SCHEMA, ALERT_SCHEMA } from './schema-files.js';

type Resolver = ReturnType<avro.Type['createResolver']>;

export const MAGIC_0 = 0xc3;
export const MAGIC_1 = 0x01;
export const HEADER_SIZE = 10;

export interface Codec<T> {
  /** Full name of the record, e.g. `saker.Event`. */
  readonly name: string;
  /** The current schema's fingerprint: 8 bytes, little-endian, as in the header. */
  readonly fingerprint: Buffer;
  encode(value: T): Buffer;
  /** Decodes one message; throws DecodeError (short buffer, bad magic, unknown fingerprint, truncated body...). */
  decode(buf: Buffer): T;
  /**
   * Like decode, but string fields are created when first read (schemas/lazy-decoder.ts):
   * several times cheaper when a reader looks at a few fields. The value keeps `buf`, which
   * must not be modified afterwards. Spread and Object.keys do not see the string fields;
   * property reads, JSON.stringify and eventToJson do. Other writers' messages decode eagerly.
   */
  decodeLazy(buf: Buffer): T;
  /** Makes messages written with `schema` (JSON text or object) readable. Returns its fingerprint as hex. */
  registerWriterSchema(schema: unknown): string;
  /** Fingerprints (hex, as in the header) this codec can read. */
  knownFingerprints(): string[];
}

function fullNameOf(schema: unknown): string {
  const s = schema as { name?: unknown; namespace?: unknown };
  if (typeof s !== 'object' || s === null || typeof s.name !== 'string') {
    throw new SchemaError('a writer schema must be a named record');
  }
  return s.name.includes('.') || typeof s.namespace !== 'string' ? s.name : `${s.namespace}.${s.name}`;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Builds a codec for a record schema (JSON text or object). */
export function createCodec<T>(schema: unknown): Codec<T> {
  const json: unknown = typeof schema === 'string' ? JSON.parse(schema) : schema;
  const name = fullNameOf(json);
  const reader = parseAvroSchema(json);
  // Messages in the current schema (nearly all of them) go through the compiled decoders;
  // other writers' through avsc's resolver.
  const compiled = compileDecoders<T>(reader);
  const encodeBody = compileEncoder<T>(reader);
  const fingerprint = schemaFingerprint(json);
  // The fingerprint as two 32-bit halves: the hot path compares two integers, no allocation.
  const fpLow = fingerprint.readUInt32LE(0);
  const fpHigh = fingerprint.readUInt32LE(4);
  const currentHex = fingerprint.toString('hex');
  /** Other writer schemas, by fingerprint (hex): read through avsc's schema resolution. */
  const writers = new Map<string, Resolver>();

  // Encoding goes through one growing scratch buffer with the header already in place, so
  // each message costs one allocation: the returned Buffer.
  let scratch = Buffer.allocUnsafe(4096);
  const writeHeader = (buf: Buffer): void => {
    buf[0] = MAGIC_0;
    buf[1] = MAGIC_1;
    fingerprint.copy(buf, 2);
  };
  writeHeader(scratch);

  const invalid = (value: unknown, cause: unknown): EncodeError => {
    const paths: string[] = [];
    reader.isValid(value, {
      errorHook: (path: string[], got: unknown, type: avro.Type) => {
        const expected = type.typeName === 'abstract:long' ? 'timestamp-nanos (bigint)' : type.typeName;
        if (paths.length < 5) paths.push(`${path.join('.') || '(root)'}: ${String(got)} is not a valid ${expected}`);
      },
    });
    const detail = paths.length > 0 ? paths.join('; ') : describe(cause);
    return new EncodeError(`cannot encode ${name}: ${detail}`, { cause });
  };

  const decodeResolved = (buf: Buffer, resolver: Resolver): T => {
    let result: { value: unknown; offset: number };
    try {
      result = reader.decode(buf, HEADER_SIZE, resolver);
    } catch (err) {
      throw new DecodeError(`${name}: corrupt body: ${describe(err)}`, { cause: err });
    }
    if (result.offset < 0) throw new DecodeError(`${name}: truncated body (${buf.length} bytes)`);
    if (result.offset !== buf.length) {
      throw new DecodeError(`${name}: ${buf.length - result.offset} trailing bytes after the body`);
    }
    return result.value as T;
  };

  const decodeWith = (buf: Buffer, current: CompiledDecoder<T>): T => {
    if (!Buffer.isBuffer(buf)) throw new DecodeError(`${name}: expected a Buffer, got ${buf === null ? 'null' : typeof buf}`);
    if (buf.length < HEADER_SIZE) {
      throw new DecodeError(`${name}: message of ${buf.length} bytes is shorter than the ${HEADER_SIZE}-byte header`);
    }
    if (buf[0] !== MAGIC_0 || buf[1] !== MAGIC_1) {
      throw new DecodeError(`${name}: bad magic 0x${buf.subarray(0, 2).toString('hex')} (expected 0xc301, Avro single-object encoding)`);
    }
    // The common case costs two integer comparisons before the body.
    if (buf.readUInt32LE(2) === fpLow && buf.readUInt32LE(6) === fpHigh) {
      try {
        return current(buf, HEADER_SIZE);
      } catch (err) {
        throw new DecodeError(`${name}: ${describe(err)}`, { cause: err });
      }
    }
    const fp = buf.subarray(2, HEADER_SIZE).toString('hex');
    const resolver = writers.get(fp);
    if (resolver === undefined) {
      throw new DecodeError(`${name}: unknown writer schema fingerprint ${fp} (known: ${[currentHex, ...writers.keys()].join(', ')})`);
    }
    return decodeResolved(buf, resolver);
  };

  return {
    name,
    fingerprint: Buffer.from(fingerprint),

    encode(value: T): Buffer {
      let end: number;
      try {
        end = encodeBody(value, scratch, HEADER_SIZE);
        if (end > scratch.length) {
          // The encoder reports how far it would have written; grow to fit and write again.
          scratch = Buffer.allocUnsafe(Math.max(scratch.length * 2, end + 1024));
          writeHeader(scratch);
          end = encodeBody(value, scratch, HEADER_SIZE);
        }
      } catch (err) {
        throw invalid(value, err);
      }
      const out = Buffer.allocUnsafe(end);
      scratch.copy(out, 0, 0, end);
      return out;
    },

    decode(buf: Buffer): T {
      return decodeWith(buf, compiled.decode);
    },

    decodeLazy(buf: Buffer): T {
      return decodeWith(buf, compiled.decodeLazy);
    },

    registerWriterSchema(writerSchema: unknown): string {
      let writerJson: unknown;
      let writerType: avro.Type;
      try {
        writerJson = typeof writerSchema === 'string' ? JSON.parse(writerSchema) : writerSchema;
        writerType = parseAvroSchema(writerJson);
      } catch (err) {
        throw new SchemaError(`invalid writer schema for ${name}: ${describe(err)}`, { cause: err });
      }
      const fp = schemaFingerprint(writerJson).toString('hex');
      if (fp === currentHex || writers.has(fp)) return fp;
      try {
        writers.set(fp, reader.createResolver(writerType));
      } catch (err) {
        throw new SchemaError(`${name} cannot read data written with schema ${fp}: ${describe(err)}`, { cause: err });
      }
      return fp;
    },

    knownFingerprints(): string[] {
      return [currentHex, ...writers.keys()];
    },
  };
}

export const eventCodec: Codec<Event> = createCodec<Event>(EVENT_SCHEMA);
export const alertCodec: Codec<Alert> = createCodec<Alert>(ALERT_SCHEMA);

/**
 * Registers a writer schema with the codec whose record it is (saker.Event or saker.Alert,
 * by full name). Returns the fingerprint (hex).
 */
export function registerWriterSchema(schema: unknown): string {
  let json: unknown;
  try {
    json = typeof schema === 'string' ? JSON.parse(schema) : schema;
  } catch (err) {
    throw new SchemaError(`writer schema is not JSON: ${describe(err)}`, { cause: err });
  }
  const name = fullNameOf(json);
  const codec = [eventCodec, alertCodec].find((c) => c.name === name);
  if (codec === undefined) throw new SchemaError(`no codec reads records named ${name} (known: saker.Event, saker.Alert)`);
  return codec.registerWriterSchema(json);
}
