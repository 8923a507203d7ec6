// Lazy decoding: the same Avro binary reading as fast-decoder.ts, except that strings (and
// arrays of strings, maps, unions holding strings) are not created until a field is read.
// Rules read a handful of an event's ~45 strings, and creating strings is most of the cost of
// a full decode.
//
// A decode scans the whole message once: numbers, booleans, enums and ns timestamps are read
// (they are cheap), nested records and arrays of records become objects, and every string-like
// field records only where it starts (its bytes are bounds-checked then, so reading it later
// cannot fail). Reading such a field decodes it from the message buffer and keeps the value.
// The objects are instances of a class generated per record type:
//   - eagerly read fields are own properties; string-like fields are getters (with setters)
//     on the prototype, backed by own `$oN` (offset, -1 once read) and `$vN` (value) slots,
//     and `$b` holds the message buffer (which must not be modified afterwards);
//   - so property reads, `in`, JSON.stringify (toJSON) and eventToJson work as on plain
//     objects, but spread and Object.keys/entries do not see the string fields.
import type avro from 'avsc';
import { minEncodedSize } from './avro-types.js';
import { constant, decodeFunction, instantiate, newGen, reader, type CompiledDecoder, type Gen } from './fast-decoder.js';

type Kind = 'eager' | 'nested' | 'lazy';

interface LazyGen {
  g: Gen;
  skipNamed: Map<string, string>;
  scanNamed: Map<string, string>;
}

const isRecord = (t: avro.Type): boolean => t.typeName === 'record' || t.typeName === 'error';

/** How a field of this type is handled by the scan. */
function kindOf(t: avro.Type): Kind {
  switch (t.typeName) {
    case 'null': case 'boolean': case 'int': case 'long': case 'abstract:long':
    case 'float': case 'double': case 'enum': case 'fixed':
      return 'eager';
    case 'record': case 'error':
      return 'nested';
    case 'array':
      return isRecord((t as avro.types.ArrayType).itemsType) ? 'nested' : 'lazy';
    case 'union:unwrapped': {
      const kinds = (t as avro.types.UnwrappedUnionType).types.map(kindOf);
      if (kinds.every((k) => k === 'eager')) return 'eager';
      return kinds.every((k) => k !== 'lazy') ? 'nested' : 'lazy';
    }
    default:
      return 'lazy'; // string, bytes, map
  }
}

/** A statement skipping one value of `t` (validating lengths against the buffer). */
function skip(lg: LazyGen, t: avro.Type, path: string): string {
  switch (t.typeName) {
    case 'null': return '';
    case 'boolean': return 'pos++;';
    case 'int': case 'long': case 'abstract:long': case 'enum': return 'skipVarint();';
    case 'float': return 'pos += 4;';
    case 'double': return 'pos += 8;';
    case 'fixed': return `pos += ${(t as avro.types.FixedType).size};`;
    case 'string': case 'bytes': return 'skipBytes();';
    default: return `${skipFn(lg, t, path)}();`;
  }
}

function skipFn(lg: LazyGen, t: avro.Type, path: string): string {
  if (t.name !== undefined && lg.skipNamed.has(t.name)) return lg.skipNamed.get(t.name)!;
  const id = `k${lg.g.next++}`;
  if (t.name !== undefined) lg.skipNamed.set(t.name, id);
  let body: string;
  switch (t.typeName) {
    case 'record': case 'error':
      body = (t as avro.types.RecordType).fields.map((f) => skip(lg, f.type, `${path}.${f.name}`)).join('\n  ');
      break;
    case 'array': {
      const items = (t as avro.types.ArrayType).itemsType;
      body = `let n; while ((n = blockCount(${minEncodedSize(items) > 0}, ${JSON.stringify(path)})) !== 0) for (let i = 0; i < n; i++) { ${skip(lg, items, `${path}[]`)} }`;
      break;
    }
    case 'map': {
      const values = (t as avro.types.MapType).valuesType as avro.Type;
      body = `let n; while ((n = blockCount(true, ${JSON.stringify(path)})) !== 0) for (let i = 0; i < n; i++) { skipBytes(); ${skip(lg, values, `${path}{}`)} }`;
      break;
    }
    case 'union:unwrapped': {
      const branches = (t as avro.types.UnwrappedUnionType).types;
      body = `switch (rLong()) {\n${branches.map((b, i) => `    case ${i}: ${skip(lg, b, path)} return;`).join('\n')}\n    default: badUnion(${JSON.stringify(path)});\n  }`;
      break;
    }
    default:
      throw new Error(`the lazy decoder cannot skip Avro type ${t.typeName} at ${path}`);
  }
  lg.g.decls.push(`function ${id}() {\n  ${body}\n}`);
  return id;
}

/** An expression producing the scanned value of a field of kind eager or nested. */
function scan(lg: LazyGen, t: avro.Type, path: string): string {
  if (kindOf(t) === 'eager') return reader(lg.g, t, path);
  if (t.name !== undefined && lg.scanNamed.has(t.name)) return `${lg.scanNamed.get(t.name)!}()`;
  const id = `s${lg.g.next++}`;
  if (t.name !== undefined) lg.scanNamed.set(t.name, id);
  switch (t.typeName) {
    case 'record': case 'error':
      lg.g.decls.push(recordClass(lg, t as avro.types.RecordType, id, path));
      break;
    case 'array': {
      const items = (t as avro.types.ArrayType).itemsType;
      lg.g.decls.push(`function ${id}() {
  let a = null, n;
  while ((n = blockCount(${minEncodedSize(items) > 0}, ${JSON.stringify(path)})) !== 0) {
    if (a === null) { a = new Array(n); for (let i = 0; i < n; i++) a[i] = ${scan(lg, items, `${path}[]`)}; }
    else for (let i = 0; i < n; i++) a.push(${scan(lg, items, `${path}[]`)});
  }
  return a === null ? [] : a;
}`);
      break;
    }
    case 'union:unwrapped': {
      const branches = (t as avro.types.UnwrappedUnionType).types;
      lg.g.decls.push(`function ${id}() {
  switch (rLong()) {
${branches.map((b, i) => `    case ${i}: return ${scan(lg, b, path)};`).join('\n')}
    default: return badUnion(${JSON.stringify(path)});
  }
}`);
      break;
    }
    default:
      throw new Error(`unexpected nested type ${t.typeName} at ${path}`);
  }
  return `${id}()`;
}

/** The class of a record type's lazy objects, its getters, and its scan function `id`. */
function recordClass(lg: LazyGen, t: avro.types.RecordType, id: string, path: string): string {
  const cls = `L${id}`;
  const ctorArgs: string[] = [];
  const ctorBody: string[] = ['this.$b = b;'];
  const scanBody: string[] = [];
  const accessors: string[] = [];
  t.fields.forEach((f, i) => {
    if (f.name.startsWith('$') || f.name === 'constructor' || f.name === 'toJSON') {
      throw new Error(`the lazy decoder cannot represent a field named ${f.name}`);
    }
    const key = JSON.stringify(f.name);
    const fieldPath = `${path}${path ? '.' : ''}${f.name}`;
    ctorArgs.push(`a${i}`);
    if (kindOf(f.type) !== 'lazy') {
      scanBody.push(`const a${i} = ${scan(lg, f.type, fieldPath)};`);
      ctorBody.push(`this[${key}] = a${i};`);
      return;
    }
    scanBody.push(`const a${i} = pos; ${skip(lg, f.type, fieldPath)}`);
    ctorBody.push(`this.$o${i} = a${i}; this.$v${i} = undefined;`);
    const load = `${id}_load${i}`;
    lg.g.decls.push(`function ${load}(o) {
  const b0 = buf, p0 = pos, e0 = end;
  buf = o.$b; pos = o.$o${i}; end = buf.length;
  try {
    const v = ${reader(lg.g, f.type, fieldPath)};
    o.$v${i} = v; o.$o${i} = -1;
    return v;
  } finally { buf = b0; pos = p0; end = e0; }
}`);
    accessors.push(`Object.defineProperty(${cls}.prototype, ${key}, {
  get() { return this.$o${i} < 0 ? this.$v${i} : ${load}(this); },
  set(v) { this.$v${i} = v; this.$o${i} = -1; },
  enumerable: true,
});`);
  });
  const names = constant(lg.g, t.fields.map((f) => f.name));
  return `class ${cls} {
  constructor(b, ${ctorArgs.join(', ')}) {
    ${ctorBody.join('\n    ')}
  }
  toJSON() { const out = {}; for (const k of ${names}) out[k] = this[k]; return out; }
  [INSPECT]() { return this.toJSON(); }
}
${accessors.join('\n')}
function ${id}() {
  ${scanBody.join('\n  ')}
  return new ${cls}(buf, ${ctorArgs.join(', ')});
}`;
}

const SKIP_RUNTIME = `
const INSPECT = Symbol.for('nodejs.util.inspect.custom'); // console.log shows the fields, not the slots
function skipVarint() { let i = 0; while ((buf[pos++] & 0x80) !== 0) if (++i >= 10) fail('varint longer than 10 bytes'); }
function skipBytes() { const n = rLong(); if (n < 0 || pos + n > end) fail('truncated body'); pos += n; }
`;

export interface Decoders<T> {
  /** Plain objects, every field read. */
  decode: CompiledDecoder<T>;
  /** Objects whose string-like fields are read on first access (see the top of this file). */
  decodeLazy: CompiledDecoder<T>;
}

/** Compiles both decoders for a record type (an avsc type from parseAvroSchema). */
export function compileDecoders<T>(type: avro.Type): Decoders<T> {
  if (!isRecord(type)) throw new Error('the lazy decoder needs a record type');
  const lg: LazyGen = { g: newGen(), skipNamed: new Map(), scanNamed: new Map() };
  lg.g.decls.push(SKIP_RUNTIME); // before the classes, which use INSPECT when defined
  const eager = reader(lg.g, type, '');
  const lazy = scan(lg, type, '');
  return instantiate<Decoders<T>>(
    lg.g,
    `${decodeFunction('decode', eager)}\n${decodeFunction('decodeLazy', lazy)}\nreturn { decode, decodeLazy };`,
  );
}
