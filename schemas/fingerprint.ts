// Schema identity for the single-object encoding: the Avro Parsing Canonical Form (PCF) of a
// schema and its CRC-64-AVRO ("Rabin") fingerprint, as defined by the Avro specification
// ("Parsing Canonical Form for Schemas" and "Schema Fingerprints").
//
// PCF keeps only what decides how bytes are read: full names, type, fields (name, type),
// symbols, items, values, size, in that key order, without whitespace. Docs, defaults, aliases
// and logical types are dropped, so two schemas with the same PCF read the same bytes.
// The PCF is computed here from the schema JSON, independently of avsc, so the fingerprint
// does not depend on how a library chooses to print schemas.

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The Parsing Canonical Form of a schema given as JSON text or as parsed JSON. */
export function canonicalForm(schema: unknown): string {
  const parsed: unknown = typeof schema === 'string' ? parseSchemaText(schema) : schema;
  return canonical(parsed as Json, '', new Set());
}

function parseSchemaText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // A bare name such as `int` (without quotes) is not JSON but is how the spec writes it.
    return text;
  }
}

function fullName(name: string, namespace: string): string {
  if (name.includes('.') || PRIMITIVES.has(name) || namespace === '') return name;
  return `${namespace}.${name}`;
}

function namespaceOf(full: string): string {
  const dot = full.lastIndexOf('.');
  return dot < 0 ? '' : full.slice(0, dot);
}

function canonical(schema: Json, namespace: string, defined: Set<string>): string {
  if (typeof schema === 'string') return JSON.stringify(fullName(schema, namespace));
  if (Array.isArray(schema)) return `[${schema.map((s) => canonical(s, namespace, defined)).join(',')}]`;
  if (schema === null || typeof schema !== 'object') {
    throw new TypeError(`not an Avro schema: ${JSON.stringify(schema)}`);
  }
  const type = schema.type;
  if (typeof type !== 'string') {
    if (type === undefined) throw new TypeError(`schema without a type: ${JSON.stringify(schema)}`);
    return canonical(type, namespace, defined);
  }
  if (PRIMITIVES.has(type)) return JSON.stringify(type);
  switch (type) {
    case 'array':
      return `{"type":"array","items":${canonical(schema.items as Json, namespace, defined)}}`;
    case 'map':
      return `{"type":"map","values":${canonical(schema.values as Json, namespace, defined)}}`;
    case 'record':
    case 'error':
    case 'enum':
    case 'fixed': {
      if (typeof schema.name !== 'string') throw new TypeError(`${type} without a name`);
      const ns = typeof schema.namespace === 'string' ? schema.namespace : namespace;
      const name = fullName(schema.name, ns);
      if (defined.has(name)) return JSON.stringify(name);
      defined.add(name);
      const head = `{"name":${JSON.stringify(name)},"type":${JSON.stringify(type)}`;
      if (type === 'enum') return `${head},"symbols":${JSON.stringify(schema.symbols)}}`;
      if (type === 'fixed') return `${head},"size":${JSON.stringify(schema.size)}}`;
      const inner = namespaceOf(name);
      const fields = (schema.fields as Array<{ name: string; type: Json }>).map(
        (f) => `{"name":${JSON.stringify(f.name)},"type":${canonical(f.type, inner, defined)}}`,
      );
      return `${head},"fields":[${fields.join(',')}]}`;
    }
    default:
      // A reference written as {"type": "saker.Host"}.
      return JSON.stringify(fullName(type, namespace));
  }
}

// CRC-64-AVRO: the spec's 64-bit Rabin fingerprint. Computed once per schema, so bigint is fine.
const EMPTY = 0xc15d213aa4d7a795n;
const MASK64 = 0xffffffffffffffffn;
const TABLE: bigint[] = Array.from({ length: 256 }, (_, i) => {
  let fp = BigInt(i);
  for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n));
  return fp & MASK64;
});

/** CRC-64-AVRO of the UTF-8 bytes of `text`, as an unsigned 64-bit bigint. */
export function rabinFingerprint(text: string): bigint {
  let fp = EMPTY;
  for (const byte of Buffer.from(text, 'utf8')) fp = (fp >> 8n) ^ TABLE[Number((fp ^ BigInt(byte)) & 0xffn)]!;
  return fp;
}

/** The fingerprint of a schema's canonical form, as the 8 little-endian bytes the header carries. */
export function schemaFingerprint(schema: unknown): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(rabinFingerprint(canonicalForm(schema)));
  return out;
}
