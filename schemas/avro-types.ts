// Building avsc types for Saker's schemas. One deviation from avsc's defaults: longs with
// logicalType `timestamp-nanos` are read and written as exact bigints (avsc's own long is a
// double and loses precision past 2^53, which every ns timestamp since 1970-04 exceeds). All
// other longs stay plain numbers, so field reads on the hot path do not pay for bigint.
//
// Second deviation: arrays and maps check their block counts against the bytes left. avsc
// trusts the count, so one corrupt byte can turn a 600-byte message into a loop of 2^40
// reads past its end (seconds of a worker's time, measured). Each item takes at least one
// byte, so a count larger than what remains is corrupt and the read stops there (the codec
// reports a truncated body). These subclasses use avsc's internal Tap (buf, pos, readLong,
// skipLong), stable within the pinned avsc 5.7.9.
//
// Third: short ASCII strings are interned. An event carries ~45 strings and most repeat from
// event to event (host, names, paths, arg names); creating them was 65% of decode time.
import avro from 'avsc';

type AvroType = avro.Type;

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

function isInt64(value: unknown): value is bigint {
  return typeof value === 'bigint' && value >= INT64_MIN && value <= INT64_MAX;
}

/**
 * A long type whose values are bigint. avsc hands us the 8 bytes of the two's complement value
 * (it does the zig-zag varint part), so the conversion is one readBigInt64LE.
 */
function createNanosType(): AvroType {
  return avro.types.LongType.__with({
    fromBuffer: (buf: Buffer) => buf.readBigInt64LE(0),
    toBuffer: (value: bigint) => {
      const buf = Buffer.allocUnsafe(8);
      buf.writeBigInt64LE(value, 0);
      return buf;
    },
    // JSON is how avsc reads schema defaults; numbers and decimal strings are both accepted.
    fromJSON: (json: unknown) => {
      if (typeof json === 'bigint') return json;
      if (typeof json === 'number' && Number.isSafeInteger(json)) return BigInt(json);
      if (typeof json === 'string' && /^-?\d+$/.test(json)) return BigInt(json);
      throw new TypeError(`not a timestamp-nanos value: ${String(json)}`);
    },
    toJSON: (value: bigint) => value.toString(),
    isValid: isInt64,
    compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
  });
}

/** avsc's internal reading cursor, as far as the guards below use it. */
interface Tap {
  /** utf8Slice is Buffer's unchecked toString('utf8'), which Node has but does not type. */
  buf: Buffer & { utf8Slice(start: number, end: number): string };
  pos: number;
  readLong(): number;
  skipLong(): void;
  readString(): string;
}

/** What reads one value: a type, or a resolver reading another schema's bytes as this type. */
interface Reader {
  _read(tap: Tap): unknown;
}

/** Smallest encoding of a value of `type`, in bytes (0 for null and empty records). */
export function minEncodedSize(type: avro.Type): number {
  const t = type as avro.Type & { fields?: Array<{ type: avro.Type }>; size?: number; underlyingType?: avro.Type };
  if (t.typeName === 'null') return 0;
  if (t.typeName === 'fixed') return t.size ?? 0;
  if (t.typeName === 'record' || t.typeName === 'error') return (t.fields ?? []).reduce((n, f) => n + minEncodedSize(f.type), 0);
  if (t.typeName.startsWith('logical:') && t.underlyingType) return minEncodedSize(t.underlyingType);
  return 1;
}

/** Reads a block count; -1 when it cannot be right (more items than bytes left). */
function blockCount(tap: Tap, guarded: boolean): number {
  let n = tap.readLong();
  if (n < 0) {
    n = -n;
    tap.skipLong(); // the block's size in bytes
  }
  if (guarded && n > tap.buf.length - tap.pos) {
    tap.pos = tap.buf.length + 1; // invalid: the caller sees a truncated buffer
    return -1;
  }
  return n;
}

/**
 * Whether a count of these items can be checked against the bytes left. Cached per item reader
 * (the types are frozen by avsc, so the answer cannot be stored on them). A resolver is judged
 * by its reader type: a writer whose items encode to zero bytes while the reader's do not is
 * not a case Saker's schemas have.
 */
const guardCache = new WeakMap<object, boolean>();
function isGuarded(items: Reader): boolean {
  let guarded = guardCache.get(items);
  if (guarded === undefined) {
    const type = items instanceof avro.Type ? items : (items as { _readerType?: avro.Type })._readerType;
    guarded = type === undefined ? false : minEncodedSize(type) > 0;
    guardCache.set(items, guarded);
  }
  return guarded;
}

class GuardedArrayType extends avro.types.ArrayType {
  _read(this: { itemsType: Reader }, tap: Tap): unknown[] {
    const items = this.itemsType;
    const guarded = isGuarded(items);
    let out: unknown[] | undefined;
    let i = 0;
    let n: number;
    while ((n = blockCount(tap, guarded)) > 0) {
      out ??= new Array<unknown>(n);
      while (n--) out[i++] = items._read(tap);
    }
    return out ?? [];
  }
}

class GuardedMapType extends avro.types.MapType {
  _read(this: { valuesType: Reader }, tap: Tap): Record<string, unknown> {
    const values = this.valuesType;
    const out: Record<string, unknown> = {};
    let n: number;
    // Every entry has a key, so every entry takes at least one byte.
    while ((n = blockCount(tap, true)) > 0) {
      while (n--) {
        const key = tap.readString();
        out[key] = values._read(tap);
      }
    }
    return out;
  }
}

// Direct-mapped cache of recently decoded short ASCII strings, shared by all types (strings are
// values, so sharing is safe). A hit compares the bytes to the cached string, so a hash
// collision only costs a miss.
export const INTERN_MAX_BYTES = 48;
export const INTERN_SLOTS = 4096; // power of two
export const internTable: string[] = new Array<string>(INTERN_SLOTS).fill('');

class InternedStringType extends avro.types.StringType {
  _read(tap: Tap): string | undefined {
    const len = tap.readLong();
    const buf = tap.buf;
    const start = tap.pos;
    const end = start + len;
    tap.pos = end;
    if (len < 0 || end > buf.length) {
      tap.pos = buf.length + 1; // invalid: the caller sees a truncated buffer
      return undefined;
    }
    if (len > INTERN_MAX_BYTES) return buf.utf8Slice(start, end);
    let h = 0x811c9dc5 ^ len; // FNV-1a
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 16777619);
    const slot = (h ^ (h >>> 15)) & (INTERN_SLOTS - 1);
    const cached = internTable[slot]!;
    if (cached.length === len) {
      let i = 0;
      while (i < len && cached.charCodeAt(i) === buf[start + i]) i++;
      if (i === len) return cached;
    }
    const text = buf.utf8Slice(start, end);
    // Only ASCII is cached: then one char is one byte and the comparison above is exact.
    if (text.length === len) internTable[slot] = text;
    return text;
  }
}

/** Parses an Avro schema (JSON text or object) into an avsc type with bigint ns timestamps. */
export function parseAvroSchema(schema: unknown): AvroType {
  const parsed: unknown = typeof schema === 'string' ? JSON.parse(schema) : schema;
  // One instance per parse keeps types from different schemas independent.
  const nanos = createNanosType();
  const strings = new InternedStringType();
  return avro.Type.forSchema(parsed as avro.Schema, {
    wrapUnions: 'never',
    typeHook: (node: avro.Schema, hookOptions: unknown) => {
      if (node === 'string') return strings;
      if (typeof node === 'object' && node !== null && !Array.isArray(node)) {
        const n = node as { type?: unknown; logicalType?: unknown };
        if (n.type === 'long' && n.logicalType === 'timestamp-nanos') return nanos;
        if (n.type === 'string' && n.logicalType === undefined) return strings;
        if (n.type === 'array') return new GuardedArrayType(node, hookOptions);
        if (n.type === 'map') return new GuardedMapType(node, hookOptions);
      }
      return undefined;
    },
  });
}
