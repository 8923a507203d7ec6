// The JSON form of events and alerts, for files and the command line (`saker eval --events
// FILE.jsonl`): plain JSON with the schema's field names.
// - `timestamp-nanos` longs (ts, proc.startTs, time) are decimal strings ("1700000000123456789");
//   on input a number is accepted when it is a safe integer. Other longs are JSON numbers.
// - Unions are written plainly (`"res": 5`, `"fd": null`), not in Avro's {"long": 5} wrapping.
// - On input, a missing field takes the schema default; a missing field without default, an
//   unknown field or a value of the wrong type is a DecodeError naming the field's path
//   (`proc.pid: expected a number, got string "x"`).
// Converters are built once per schema from the schema JSON, so reading a large file does not
// walk the schema again for every line.
import { ALERT_SCHEMA, EVENT_SCHEMA } from './schema-files.js';
import { DecodeError, SchemaError } from './errors.js';
import type { Alert, Event } from './types.generated.js';

type Convert = (value: unknown, path: string) => unknown;

/** A converter pair for one schema node. `kind` is the JS type the JSON form uses, for unions. */
interface Node {
  kind: 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';
  label: string;
  fromJson: Convert;
  toJson: Convert;
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return `${typeof value} ${text.length > 40 ? text.slice(0, 40) + '...' : text}`;
}

function fail(path: string, expected: string, value: unknown): never {
  throw new DecodeError(`${path || '(root)'}: expected ${expected}, got ${show(value)}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const identity: Convert = (value) => value;

function primitive(type: string): Node {
  switch (type) {
    case 'null':
      return { kind: 'null', label: 'null', toJson: identity, fromJson: (v, p) => (v === null ? null : fail(p, 'null', v)) };
    case 'boolean':
      return { kind: 'boolean', label: 'a boolean', toJson: identity, fromJson: (v, p) => (typeof v === 'boolean' ? v : fail(p, 'a boolean', v)) };
    case 'string':
      return { kind: 'string', label: 'a string', toJson: identity, fromJson: (v, p) => (typeof v === 'string' ? v : fail(p, 'a string', v)) };
    case 'int':
      return {
        kind: 'number', label: 'a number', toJson: identity,
        fromJson: (v, p) => (typeof v === 'number' && Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff ? v : fail(p, 'a number (32-bit integer)', v)),
      };
    case 'long':
      return {
        kind: 'number', label: 'a number', toJson: identity,
        fromJson: (v, p) => {
          if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
          if (typeof v === 'number') fail(p, 'a number (integer, at most 2^53)', v);
          return fail(p, 'a number', v);
        },
      };
    case 'float':
    case 'double':
      return { kind: 'number', label: 'a number', toJson: identity, fromJson: (v, p) => (typeof v === 'number' ? v : fail(p, 'a number', v)) };
    default:
      throw new SchemaError(`the JSON form does not support Avro type ${type}`);
  }
}

const nanos: Node = {
  kind: 'string',
  label: 'a timestamp in ns (decimal string)',
  toJson: (v) => (v as bigint).toString(),
  fromJson: (v, p) => {
    let n: bigint | undefined;
    if (typeof v === 'bigint') n = v;
    else if (typeof v === 'number' && Number.isSafeInteger(v)) n = BigInt(v);
    else if (typeof v === 'string' && /^-?\d{1,19}$/.test(v)) n = BigInt(v);
    if (n === undefined || n < INT64_MIN || n > INT64_MAX) {
      return fail(p, 'a timestamp in ns (decimal string, or a number up to 2^53)', v);
    }
    return n;
  },
};

function qualify(name: string, namespace: string): string {
  return name.includes('.') || namespace === '' ? name : `${namespace}.${name}`;
}

/** Compiles the converters of a schema (parsed JSON). Named types are resolved by full name. */
function compile(schema: unknown, namespace: string, named: Map<string, Node>): Node {
  if (typeof schema === 'string') {
    const ref = named.get(qualify(schema, namespace)) ?? named.get(schema);
    return ref ?? primitive(schema);
  }
  if (Array.isArray(schema)) return union(schema.map((s) => compile(s, namespace, named)));
  if (!isPlainObject(schema)) throw new SchemaError(`not an Avro schema: ${JSON.stringify(schema)}`);
  const type = schema.type;
  if (typeof type !== 'string') return compile(type, namespace, named);
  if (type === 'long' && schema.logicalType === 'timestamp-nanos') return nanos;
  switch (type) {
    case 'record':
      return record(schema, namespace, named);
    case 'enum': {
      const symbols = schema.symbols as string[];
      const label = `one of ${symbols.join(', ')}`;
      const node: Node = { kind: 'string', label, toJson: identity, fromJson: (v, p) => (typeof v === 'string' && symbols.includes(v) ? v : fail(p, label, v)) };
      named.set(qualify(String(schema.name), typeof schema.namespace === 'string' ? schema.namespace : namespace), node);
      return node;
    }
    case 'array': {
      const items = compile(schema.items, namespace, named);
      const map = (convert: Convert) => (v: unknown, p: string) => {
        if (!Array.isArray(v)) return fail(p, 'an array', v);
        return v.map((item, i) => convert(item, `${p}[${i}]`));
      };
      return { kind: 'array', label: 'an array', fromJson: map(items.fromJson), toJson: map(items.toJson) };
    }
    case 'map': {
      const values = compile(schema.values, namespace, named);
      const map = (convert: Convert) => (v: unknown, p: string) => {
        if (!isPlainObject(v)) return fail(p, 'an object', v);
        const out: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(v)) out[key] = convert(value, `${p}[${JSON.stringify(key)}]`);
        return out;
      };
      return { kind: 'object', label: 'an object', fromJson: map(values.fromJson), toJson: map(values.toJson) };
    }
    default:
      return primitive(type);
  }
}

function union(branches: Node[]): Node {
  const label = branches.map((b) => b.label).join(' or ');
  const pick = (v: unknown): Node | undefined => {
    const kind = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'bigint' ? 'number' : typeof v;
    return branches.find((b) => b.kind === kind);
  };
  return {
    kind: 'object',
    label,
    fromJson: (v, p) => {
      const branch = pick(v);
      return branch === undefined ? fail(p, label, v) : branch.fromJson(v, p);
    },
    toJson: (v, p) => {
      const branch = pick(v);
      return branch === undefined ? v : branch.toJson(v, p);
    },
  };
}

function record(schema: Record<string, unknown>, namespace: string, named: Map<string, Node>): Node {
  const ns = typeof schema.namespace === 'string' ? schema.namespace : namespace;
  const fullName = qualify(String(schema.name), ns);
  const inner = fullName.includes('.') ? fullName.slice(0, fullName.lastIndexOf('.')) : '';
  interface Field { name: string; node: Node; hasDefault: boolean; defaultJson: unknown }
  const fields: Field[] = [];
  const known = new Set<string>();
  const node: Node = {
    kind: 'object',
    label: 'an object',
    fromJson: (v, p) => {
      if (!isPlainObject(v)) return fail(p, `an object (${fullName})`, v);
      for (const key of Object.keys(v)) {
        if (!known.has(key)) throw new DecodeError(`${p ? p + '.' : ''}${key}: unknown field of ${fullName}`);
      }
      const out: Record<string, unknown> = {};
      for (const f of fields) {
        const path = p ? `${p}.${f.name}` : f.name;
        const value = v[f.name];
        if (value !== undefined) out[f.name] = f.node.fromJson(value, path);
        else if (f.hasDefault) out[f.name] = f.node.fromJson(f.defaultJson, path);
        else throw new DecodeError(`${path}: missing (required by ${fullName}, no default)`);
      }
      return out;
    },
    toJson: (v, p) => {
      const rec = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const f of fields) out[f.name] = f.node.toJson(rec[f.name], p ? `${p}.${f.name}` : f.name);
      return out;
    },
  };
  // Registered before the fields are compiled, so a recursive reference finds it.
  named.set(fullName, node);
  for (const f of schema.fields as Array<Record<string, unknown>>) {
    const name = String(f.name);
    known.add(name);
    // Avro defaults of a union are of its first branch; the plain converter accepts them as is.
    fields.push({ name, node: compile(f.type, inner, named), hasDefault: 'default' in f, defaultJson: f.default });
  }
  return node;
}

const eventNode = compile(EVENT_SCHEMA, '', new Map());
const alertNode = compile(ALERT_SCHEMA, '', new Map());

/** Validates the JSON form of an event (parsed JSON) and returns the Event. */
export function eventFromJson(obj: unknown): Event {
  return eventNode.fromJson(obj, '') as Event;
}

/** The JSON form of an event: a plain object ready for JSON.stringify (no bigint). */
export function eventToJson(event: Event): Record<string, unknown> {
  return eventNode.toJson(event, '') as Record<string, unknown>;
}

export function alertFromJson(obj: unknown): Alert {
  return alertNode.fromJson(obj, '') as Alert;
}

export function alertToJson(alert: Alert): Record<string, unknown> {
  return alertNode.toJson(alert, '') as Record<string, unknown>;
}
