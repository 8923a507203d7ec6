// The field registry: every field a condition or an output may name, as one data table. It can
// print itself (`saker fields`), and it is the only place that knows how to read a field from an
// Event.
import { containerFields } from './container.js';
import { evtFields } from './evt.js';
import { fdFields } from './fd.js';
import { procFields } from './proc.js';
import type { FieldDef } from './types.js';

export type { FieldDef, FieldType, FieldValue, Reader, Scalar } from './types.js';

export const FIELDS: readonly FieldDef[] = [...evtFields, ...procFields, ...fdFields, ...containerFields];

const byName = new Map(FIELDS.map((f) => [f.name, f]));
if (byName.size !== FIELDS.length) throw new Error('field registry has duplicate names');

export interface ResolvedField {
  def: FieldDef;
  /** The argument, from `[arg]` or a dotted suffix (`evt.arg.flags` -> `flags`). */
  arg: string | undefined;
  /** The canonical text: `evt.arg.flags`, `proc.aname[2]`. */
  text: string;
}

/**
 * Finds a field by the name written in a condition or output. Returns undefined for an unknown
 * name; throws an Error with a message for a known field used with a wrong argument.
 */
export function resolveField(name: string, bracketArg: string | undefined): ResolvedField | undefined {
  const text = bracketArg === undefined ? name : `${name}[${bracketArg}]`;
  const exact = byName.get(name);
  if (exact) {
    if (bracketArg !== undefined && exact.arg === 'none') throw new Error(`field ${name} does not take an argument`);
    if (bracketArg === undefined && exact.arg === 'required') throw new Error(`field ${name} needs an argument, e.g. ${name}[...]`);
    return { def: exact, arg: bracketArg, text };
  }
  // `evt.arg.flags`: the longest registered prefix that accepts a dotted argument.
  for (let dot = name.lastIndexOf('.'); dot > 0; dot = name.lastIndexOf('.', dot - 1)) {
    const def = byName.get(name.slice(0, dot));
    if (def?.dottedArg && bracketArg === undefined) return { def, arg: name.slice(dot + 1), text };
  }
  return undefined;
}

export function fieldsAsJson(): object[] {
  return FIELDS.map((f) => ({
    name: f.name, type: f.type, arg: f.arg, desc: f.desc,
    ...(f.listWithoutArg ? { listWithoutArg: true } : {}),
    ...(f.notCollected ? { notCollected: true } : {}),
  }));
}

const argHint = (f: FieldDef): string => (f.arg === 'required' ? '[ARG]' : f.arg === 'optional' ? '[ARG?]' : '');

export function fieldsAsText(): string {
  const width = Math.max(...FIELDS.map((f) => f.name.length + argHint(f).length)) + 2;
  return FIELDS.map((f) => `${(f.name + argHint(f)).padEnd(width)}${f.type.padEnd(9)}${f.desc}`).join('\n') + '\n';
}

export function fieldsAsMarkdown(): string {
  const rows = FIELDS.map((f) => `| \`${f.name}${argHint(f)}\` | ${f.type} | ${f.desc.replace(/\|/g, '\\|')} |`);
  return ['| field | type | description |', '| --- | --- | --- |', ...rows].join('\n') + '\n';
}
