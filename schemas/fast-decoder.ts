// A compiled Avro binary decoder for one schema: the evaluator's hot path (codec.decode of
// messages written with the current schema). Reads the Avro binary encoding
// (https://avro.apache.org/docs/1.11.1/specification/#binary-encoding):
//   int/long     zig-zag varint          string/bytes  long length, then the bytes
//   boolean      one byte                enum          long index into the symbols
//   union        long branch index, then the branch's value
//   array/map    blocks: long count (negative: -count then a long byte size), items; 0 ends
//   record       the fields in order     fixed         `size` bytes;  float/double  LE IEEE 754
// It returns the same values as the avsc type it is compiled from (plain objects instead of
// avsc's record classes), and is checked against avsc on random values (fast-decoder.test.ts).
// Why: decode is on the evaluator's hot path. Straight-line code per record and inline varints
// beat avsc's generic readers; strings (~45 per event, most of the cost) are reused instead of
// created: each read site first compares the bytes with the string it read last time (host,
// process, image... repeat from event to event), then looks in the shared intern table.
// Safety on corrupt input: every loop is bounded by the bytes left (array counts, string
// lengths, varints of at most 10 bytes), so a bad message fails fast with a reason.
import avro from 'avsc';
import { internTable, INTERN_MAX_BYTES, INTERN_SLOTS, minEncodedSize } from './avro-types.js';

export type CompiledDecoder<T> = (buf: Buffer, start: number) => T;

export interface Gen {
  /** Function declarations emitted so far. */
  decls: string[];
  /** Values the generated code refers to (symbol lists, defaults...), as c0, c1... */
  consts: unknown[];
  /** Reader function per named type, so recursive and shared types compile once. */
  named: Map<string, string>;
  next: number;
  /** String reads so far: each call site keeps the last string it read. */
  sites: number;
}

export function constant(g: Gen, value: unknown): string {
  g.consts.push(value);
  return `c${g.consts.length - 1}`;
}

/** Returns an expression reading one value of `type` (it may call generated functions). */
export function reader(g: Gen, type: avro.Type, path: string): string {
  const name = type.typeName;
  switch (name) {
    case 'null': return 'null';
    case 'boolean': return 'rBool()';
    case 'int': return 'rInt()';
    case 'long': return 'rLong()';
    case 'abstract:long': return 'rNanos()'; // the only abstract long: timestamp-nanos (avro-types.ts)
    case 'float': return 'rFloat()';
    case 'double': return 'rDouble()';
    case 'string': return `rString(${g.sites++})`;
    case 'bytes': return 'rBytes(rLong())';
    case 'fixed': return `rBytes(${(type as avro.types.FixedType).size})`;
    case 'enum': {
      const symbols = constant(g, (type as avro.types.EnumType).symbols);
      return `rEnum(${symbols}, ${JSON.stringify(path)})`;
    }
    case 'array': case 'map': case 'union:unwrapped': case 'record': case 'error':
      return `${fn(g, type, path)}()`;
    default:
      if (name.startsWith('logical:')) throw new Error(`the fast decoder does not support logical type ${name} at ${path}`);
      throw new Error(`the fast decoder does not support Avro type ${name} at ${path}`);
  }
}

/** Emits a function reading a complex type; returns its name. */
function fn(g: Gen, type: avro.Type, path: string): string {
  const named = type.name;
  if (named !== undefined && g.named.has(named)) return g.named.get(named)!;
  const id = `f${g.next++}`;
  if (named !== undefined) g.named.set(named, id);
  let body: string;
  switch (type.typeName) {
    case 'record':
    case 'error': {
      const fields = (type as avro.types.RecordType).fields;
      // One object literal: properties are read in field order and every object of this type
      // gets the same hidden class.
      body = `return {${fields.map((f) => `${JSON.stringify(f.name)}: ${reader(g, f.type, `${path}${path ? '.' : ''}${f.name}`)}`).join(', ')}};`;
      break;
    }
    case 'array': {
      const items = (type as avro.types.ArrayType).itemsType;
      const guard = minEncodedSize(items) > 0;
      body = `let a = null, n;
  while ((n = blockCount(${guard}, ${JSON.stringify(path)})) !== 0) {
    if (a === null) { a = new Array(n); for (let i = 0; i < n; i++) a[i] = ${reader(g, items, `${path}[]`)}; }
    else for (let i = 0; i < n; i++) a.push(${reader(g, items, `${path}[]`)});
  }
  return a === null ? [] : a;`;
      break;
    }
    case 'map': {
      const values = (type as avro.types.MapType).valuesType as avro.Type;
      body = `const m = {}; let n;
  while ((n = blockCount(true, ${JSON.stringify(path)})) !== 0) {
    for (let i = 0; i < n; i++) { const k = rString(${g.sites++}); m[k] = ${reader(g, values, `${path}{}`)}; }
  }
  return m;`;
      break;
    }
    case 'union:unwrapped': {
      const branches = (type as avro.types.UnwrappedUnionType).types;
      body = `switch (rLong()) {
${branches.map((b, i) => `    case ${i}: return ${reader(g, b, path)};`).join('\n')}
    default: return badUnion(${JSON.stringify(path)});
  }`;
      break;
    }
    default:
      throw new Error(`unexpected type ${type.typeName}`);
  }
  g.decls.push(`function ${id}() {\n  ${body}\n}`);
  return id;
}

// The runtime the generated readers share: cursor state in closure variables (no per-message
// object), varints with a one-byte fast path, and the string intern table of avro-types.ts.
const RUNTIME = `
'use strict';
let buf = null, pos = 0, end = 0;
const halves = new DataView(new ArrayBuffer(8));
function fail(message) { throw new Error(message); }
function badUnion(path) { return fail('invalid union branch at ' + path); }
function rLong() {
  let b = buf[pos++];
  if (b < 0x80) return (b & 1) ? -((b >>> 1) + 1) : b >>> 1;
  // Magnitude m = raw >>> 1, built from 7-bit groups; the sign is bit 0 of the first byte.
  const negative = b & 1;
  let m = (b & 0x7f) >>> 1, scale = 64, i = 1;
  do {
    b = buf[pos++];
    m += (b & 0x7f) * scale;
    scale *= 128;
  } while ((b & 0x80) !== 0 && ++i < 10);
  if ((b & 0x80) !== 0) fail('varint longer than 10 bytes');
  const v = negative ? -(m + 1) : m;
  // The same bounds as avsc's long (which refuses to write anything larger).
  if (v > 9007199254740990 || v < -9007199254740990) fail('long beyond 2^53 (would lose precision)');
  return v;
}
function rInt() { return rLong(); }
function rNanos() {
  // The raw 64-bit varint as two 32-bit halves, zig-zag undone on the halves, read back as one
  // signed 64-bit integer: a single bigint allocation.
  let lo = 0, hi = 0, b = 0, shift = 0, i = 0;
  do {
    b = buf[pos++];
    const bits = b & 0x7f;
    if (shift < 28) lo |= bits << shift;
    else if (shift === 28) { lo |= bits << 28; hi = bits >>> 4; }
    else hi |= bits << (shift - 32);
    shift += 7;
  } while ((b & 0x80) !== 0 && ++i < 10);
  if ((b & 0x80) !== 0) fail('varint longer than 10 bytes');
  lo >>>= 0; hi >>>= 0;
  let mLo = ((lo >>> 1) | (hi << 31)) >>> 0, mHi = hi >>> 1;
  if (lo & 1) { mLo = ~mLo >>> 0; mHi = ~mHi >>> 0; }
  halves.setUint32(0, mLo, true); halves.setUint32(4, mHi, true);
  return halves.getBigInt64(0, true);
}
function rBool() { return buf[pos++] !== 0; }
function rFloat() { if (pos + 4 > end) fail('truncated body'); const v = buf.readFloatLE(pos); pos += 4; return v; }
function rDouble() { if (pos + 8 > end) fail('truncated body'); const v = buf.readDoubleLE(pos); pos += 8; return v; }
function rBytes(len) {
  if (len < 0 || pos + len > end) fail('truncated body');
  const out = Buffer.allocUnsafe(len);
  buf.copy(out, 0, pos, pos + len);
  pos += len;
  return out;
}
function rString(site) {
  const len = rLong();
  const start = pos, stop = pos + len;
  if (len < 0 || stop > end) fail('truncated body');
  pos = stop;
  // First guess: the string this field had in the previous message (host, process, image...
  // repeat from event to event). No hashing needed when it matches.
  const last = lastAtSite[site];
  if (last.length === len) {
    let i = 0;
    while (i < len && last.charCodeAt(i) === buf[start + i]) i++;
    if (i === len) return last;
  }
  const text = interned_(start, stop, len);
  if (text.length === len) lastAtSite[site] = text;
  return text;
}
function interned_(start, stop, len) {
  if (len > INTERN_MAX_BYTES) return buf.utf8Slice(start, stop);
  let h = 0x811c9dc5 ^ len;
  for (let i = start; i < stop; i++) h = Math.imul(h ^ buf[i], 16777619);
  const slot = (h ^ (h >>> 15)) & (INTERN_SLOTS - 1);
  const cached = interned[slot];
  if (cached.length === len) {
    let i = 0;
    while (i < len && cached.charCodeAt(i) === buf[start + i]) i++;
    if (i === len) return cached;
  }
  const text = buf.utf8Slice(start, stop);
  if (text.length === len) interned[slot] = text;
  return text;
}
function rEnum(symbols, path) {
  const i = rLong();
  const s = symbols[i];
  return s === undefined ? fail('invalid enum index ' + i + ' at ' + path) : s;
}
function blockCount(guarded, path) {
  let n = rLong();
  if (n < 0) { n = -n; rLong(); }
  if (guarded && n > end - pos) fail('truncated body (' + path + ' claims ' + n + ' items)');
  return n;
}
`;

export function newGen(): Gen {
  return { decls: [], consts: [], named: new Map(), next: 0, sites: 0 };
}

/**
 * Turns generated declarations into live functions: the runtime, g.decls, then `tail` (which
 * must `return` what the caller wants), evaluated once.
 */
export function instantiate<R>(g: Gen, tail: string): R {
  const source = `${RUNTIME}
${g.decls.join('\n')}
const lastAtSite = new Array(${g.sites}).fill('');
${tail}`;
  const names = ['interned', 'INTERN_MAX_BYTES', 'INTERN_SLOTS', ...g.consts.map((_, i) => `c${i}`)];
  // Compiled once per schema, from the schema only (no message data reaches the source).
  const factory = new Function(...names, source) as (...args: unknown[]) => R;
  return factory(internTable, INTERN_MAX_BYTES, INTERN_SLOTS, ...g.consts);
}

/** The body of a top-level decode function reading `expr` from b at start. */
export function decodeFunction(name: string, expr: string): string {
  return `function ${name}(b, start) {
  buf = b; pos = start; end = b.length;
  try {
    const value = ${expr};
    if (pos > end) fail('truncated body');
    if (pos < end) fail((end - pos) + ' trailing bytes after the body');
    return value;
  } finally {
    buf = null; // do not keep the last message alive
  }
}`;
}

/** Compiles a decoder for values of `type` (an avsc type from parseAvroSchema). */
export function compileDecoder<T>(type: avro.Type): CompiledDecoder<T> {
  const g = newGen();
  const root = reader(g, type, '');
  return instantiate<CompiledDecoder<T>>(g, `return ${decodeFunction('decode', root)};`);
}
