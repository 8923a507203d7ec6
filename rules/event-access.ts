// The two event representations conditions and outputs compile against:
// - Event (schemas/event.avsc), read through the registry's own readers: production.
// - a flat object keyed by field names ({"evt.type":"openat","proc.aname[2]":"sshd"}), for
//   `saker eval` and users' rule tests; a field absent from the object has no value.
import type { Event } from '../schemas/types.generated.js';
import type { FieldAccess } from './compile.js';
import type { FieldType, FieldValue, ResolvedField, Scalar } from './fields/index.js';

export const eventAccess: FieldAccess<Event> = {
  reader: (field) => field.def.bind(field.arg),
};

export type FlatEvent = Readonly<Record<string, unknown>>;

function coerce(value: unknown, type: FieldType): Scalar | undefined {
  if (value === null || value === undefined) return undefined;
  switch (type) {
    case 'int': case 'uint': case 'port': case 'reltime': case 'abstime': {
      const n = typeof value === 'number' ? value : Number(value);
      return Number.isNaN(n) ? undefined : n;
    }
    case 'bool':
      return value === true || value === 'true';
    default:
      return typeof value === 'string' ? value : String(value);
  }
}

function coerceValue(value: unknown, type: FieldType): FieldValue {
  if (Array.isArray(value)) {
    const out = value.map((v) => coerce(v, type)).filter((v): v is Scalar => v !== undefined);
    return out.length ? out : undefined;
  }
  return coerce(value, type);
}

/** The keys a flat object may use for a field: `evt.arg.flags` and `evt.arg[flags]` are one field. */
function spellings(field: ResolvedField): string[] {
  const { def, arg } = field;
  if (arg === undefined) return [def.name];
  return [...new Set([field.text, `${def.name}[${arg}]`, ...(def.dottedArg ? [`${def.name}.${arg}`] : [])])];
}

export const flatAccess: FieldAccess<FlatEvent> = {
  reader(field) {
    const keys = spellings(field);
    const type = field.def.type;
    if (field.arg === undefined && field.def.listWithoutArg) {
      // proc.aname without an index: every ancestor given as proc.aname[1], [2], ...
      const prefix = `${field.def.name}[`;
      return (e) => {
        if (field.def.name in e) return coerceValue(e[field.def.name], type);
        const values: unknown[] = [];
        for (const [k, v] of Object.entries(e)) {
          if (k.startsWith(prefix) && k !== `${prefix}0]`) values.push(v);
        }
        return values.length ? coerceValue(values, type) : undefined;
      };
    }
    if (keys.length === 1) {
      const key = keys[0]!;
      return (e) => coerceValue(e[key], type);
    }
    return (e) => {
      for (const k of keys) if (k in e) return coerceValue(e[k], type);
      return undefined;
    };
  },
};
