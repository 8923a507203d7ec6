// A compiled Avro binary encoder for one schema: the collector's publishing path (codec.encode).
// Writes the Avro binary encoding (see fast-decoder.ts for the layout) byte for byte as avsc
// does for valid values (checked on random values in fast-encoder.test.ts), and refuses invalid
// ones by throwing; the codec then asks avsc which field was wrong, for the message.
// Why: avsc measures every string with Buffer.byteLength (a native call) and dispatches through
// generic writers; here short ASCII strings are copied by a JS loop that finds their length on
// the way, and each record is straight-line code.
// Writes past the end of the buffer are dropped (typed-array semantics) and the returned end
// position tells the caller to grow the buffer and encode again.
import type avro from 'avsc';

export type CompiledEncoder<T> = (value: T, buf: Buffer, start: number) => number;

interface EncGen {
  decls: string[];
  consts: unknown[];
  named: Map<string, string>;
  next: number;
}

function constant(g: EncGen, value: unknown): string {
  g.consts.push(value);
  return `c${g.consts.length - 1}`;
}

/** A boolean expression: may `v` be written as `type`? Used to pick union branches. */
function accepts(type: avro.Type, v: string): string {
  switch (type.typeName) {
    case 'null': return `${v} === null`;
    case 'boolean': return `typeof ${v} === 'boolean'`;
    case 'int': return `isInt(${v})`;
    case 'long': return `isLong(${v})`;
    case 'abstract:long': return `isInt64(${v})`;
    case 'float': case 'double': return `typeof ${v} === 'number'`;
    case 'string': return `typeof ${v} === 'string'`;
    case 'bytes': case 'fixed': return `Buffer.isBuffer(${v})`;
    case 'enum': return `typeof ${v} === 'string'`;
    case 'array': return `Array.isArray(${v})`;
    default: return `(typeof ${v} === 'object' && ${v} !== null && !Array.isArray(${v}))`; // record, map
  }
}

/** Statements writing the value in variable `v` as `type`. */
function writer(g: EncGen, type: avro.Type, v: string, path: string): string {
  const p = JSON.stringify(path);
  switch (type.typeName) {
    case 'null': return `if (${v} !== null) bad(${p});`;
    case 'boolean': return `if (typeof ${v} !== 'boolean') bad(${p}); buf[pos++] = ${v} ? 1 : 0;`;
    case 'int': return `if (!isInt(${v})) bad(${p}); wLong(${v});`;
    case 'long': return `if (!isLong(${v})) bad(${p}); wLong(${v});`;
    case 'abstract:long': return `if (!isInt64(${v})) bad(${p}); wNanos(${v});`; // timestamp-nanos
    case 'float': return `if (typeof ${v} !== 'number') bad(${p}); if (pos + 4 <= buf.length) buf.writeFloatLE(${v}, pos); pos += 4;`;
    case 'double': return `if (typeof ${v} !== 'number') bad(${p}); if (pos + 8 <= buf.length) buf.writeDoubleLE(${v}, pos); pos += 8;`;
    case 'string': return `if (typeof ${v} !== 'string') bad(${p}); wString(${v});`;
    case 'bytes': return `if (!Buffer.isBuffer(${v})) bad(${p}); wLong(${v}.length); wRaw(${v});`;
    case 'fixed': return `if (!Buffer.isBuffer(${v}) || ${v}.length !== ${(type as avro.types.FixedType).size}) bad(${p}); wRaw(${v});`;
    case 'enum': {
      const index = constant(g, new Map((type as avro.types.EnumType).symbols.map((s, i) => [s, i])));
      return `{ const i = ${index}.get(${v}); if (i === undefined) bad(${p}); wLong(i); }`;
    }
    default:
      return `${fn(g, type, path)}(${v});`;
  }
}

function fn(g: EncGen, type: avro.Type, path: string): string {
  if (type.name !== undefined && g.named.has(type.name)) return g.named.get(type.name)!;
  const id = `w${g.next++}`;
  if (type.name !== undefined) g.named.set(type.name, id);
  const p = JSON.stringify(path);
  let body: string;
  switch (type.typeName) {
    case 'record': case 'error': {
      const lines = [`if (typeof v !== 'object' || v === null) bad(${p});`];
      (type as avro.types.RecordType).fields.forEach((f, i) => {
        const fieldPath = `${path}${path ? '.' : ''}${f.name}`;
        const write = writer(g, f.type, `f${i}`, fieldPath);
        const dflt = f.defaultValue() as unknown;
        // Like avsc: a missing (undefined) field with a default is written as the default.
        const missing = dflt === undefined ? `bad(${JSON.stringify(fieldPath)});` : `wRaw(${constant(g, f.type.toBuffer(dflt))});`;
        lines.push(`const f${i} = v[${JSON.stringify(f.name)}]; if (f${i} === undefined) { ${missing} } else { ${write} }`);
      });
      body = lines.join('\n  ');
      break;
    }
    case 'array': {
      const items = (type as avro.types.ArrayType).itemsType;
      body = `if (!Array.isArray(v)) bad(${p});
  const n = v.length;
  if (n > 0) { wLong(n); for (let i = 0; i < n; i++) { const x = v[i]; ${writer(g, items, 'x', `${path}[]`)} } }
  buf[pos++] = 0;`;
      break;
    }
    case 'map': {
      const values = (type as avro.types.MapType).valuesType as avro.Type;
      body = `if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(${p});
  const keys = Object.keys(v), n = keys.length;
  if (n > 0) { wLong(n); for (let i = 0; i < n; i++) { const k = keys[i], x = v[k]; wString(k); ${writer(g, values, 'x', `${path}{}`)} } }
  buf[pos++] = 0;`;
      break;
    }
    case 'union:unwrapped': {
      const branches = (type as avro.types.UnwrappedUnionType).types;
      body = branches.map((b, i) => `if (${accepts(b, 'v')}) { buf[pos++] = ${i * 2}; ${writer(g, b, 'v', path)} return; }`).join('\n  ') + `\n  bad(${p});`;
      if (branches.length > 63) throw new Error('unions of more than 63 branches are not supported');
      break;
    }
    default:
      throw new Error(`the fast encoder does not support Avro type ${type.typeName} at ${path}`);
  }
  g.decls.push(`function ${id}(v) {\n  ${body}\n}`);
  return id;
}

const RUNTIME = `
'use strict';
let buf = null, pos = 0;
const halves = new DataView(new ArrayBuffer(8));
function bad(path) { throw new Error('invalid value at ' + (path || '(root)')); }
// avsc's bounds for long, so both accept the same values.
function isLong(n) { return typeof n === 'number' && Number.isInteger(n) && n >= -9007199254740990 && n <= 9007199254740990; }
function isInt(n) { return typeof n === 'number' && (n | 0) === n; }
function isInt64(n) { return typeof n === 'bigint' && n >= -9223372036854775808n && n <= 9223372036854775807n; }
function wLong(n) {
  if (n >= -1073741824 && n < 1073741824) {
    let m = n >= 0 ? n << 1 : (~n << 1) | 1;
    while (m > 0x7f) { buf[pos++] = (m & 0x7f) | 0x80; m >>>= 7; }
    buf[pos++] = m;
    return;
  }
  // Beyond 31 bits: sign in bit 0, then the magnitude (exact up to 2^53) in 7-bit groups.
  const negative = n < 0;
  let m = negative ? -n - 1 : n;
  const low = m % 64;
  m = (m - low) / 64;
  buf[pos++] = (low << 1) | (negative ? 1 : 0) | 0x80;
  while (m > 0x7f) { buf[pos++] = (m % 128) | 0x80; m = Math.floor(m / 128); }
  buf[pos++] = m;
}
function wNanos(n) {
  halves.setBigInt64(0, n, true);
  let lo = halves.getUint32(0, true), hi = halves.getUint32(4, true);
  // zig-zag on the two halves: (n << 1) ^ (n >> 63)
  const sign = (hi >>> 31) ? 0xffffffff : 0;
  hi = (((hi << 1) | (lo >>> 31)) ^ sign) >>> 0;
  lo = ((lo << 1) ^ sign) >>> 0;
  while (hi !== 0 || lo > 0x7f) {
    buf[pos++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | ((hi & 0x7f) << 25)) >>> 0;
    hi >>>= 7;
  }
  buf[pos++] = lo;
}
function wRaw(b) {
  if (pos + b.length <= buf.length) b.copy(buf, pos);
  pos += b.length;
}
function wString(s) {
  const n = s.length;
  if (n < 64) {
    // ASCII: one byte per char and a one-byte length; found out while copying.
    let p = pos + 1, i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[p++] = c;
    }
    if (i === n) { buf[pos] = n << 1; pos = p; return; }
  }
  const len = Buffer.byteLength(s, 'utf8');
  wLong(len);
  if (pos + len <= buf.length) buf.utf8Write(s, pos, len);
  pos += len;
}
`;

/** Compiles an encoder for values of `type` (an avsc type from parseAvroSchema). */
export function compileEncoder<T>(type: avro.Type): CompiledEncoder<T> {
  const g: EncGen = { decls: [], consts: [], named: new Map(), next: 0 };
  const root = writer(g, type, 'value', '');
  const source = `${RUNTIME}
${g.decls.join('\n')}
return function encode(value, b, start) {
  buf = b; pos = start;
  try {
    ${root}
    return pos;
  } finally {
    buf = null;
  }
};`;
  const names = g.consts.map((_, i) => `c${i}`);
  // Compiled once per schema, from the schema only (no message data reaches the source).
  const factory = new Function(...names, source) as (...args: unknown[]) => CompiledEncoder<T>;
  return factory(...g.consts);
}
