// Rule outputs: `%field` inserts a value (`%proc.aname[2]`, `%evt.arg.flags`,
// `%toupper(proc.name)`); a field with no value prints `<NA>`. Parsed and checked once at load;
// rendering is a join of prepared parts.
import type { TransformerName } from './ast.js';
import type { FieldAccess, ValueReader } from './compile.js';
import { type FieldValue, type ResolvedField, resolveField } from './fields/index.js';
import { applyTransformer } from './transformers.js';

export class OutputError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

export interface OutputField { text: string; field: ResolvedField; transformer: TransformerName | undefined }
export type OutputPart = { kind: 'text'; text: string } | { kind: 'field'; field: OutputField };
export interface OutputTemplate { parts: OutputPart[]; fields: OutputField[] }

const TRANSFORMERS: readonly TransformerName[] = ['tolower', 'toupper', 'b64', 'basename', 'len'];
const isNameChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_.]/.test(c);

export const NA = '<NA>';

export function parseOutput(output: string): OutputTemplate {
  const parts: OutputPart[] = [];
  const fields: OutputField[] = [];
  let text = '';
  let i = 0;
  while (i < output.length) {
    const c = output[i]!;
    if (c !== '%' || !isNameChar(output[i + 1])) {
      text += c;
      i++;
      continue;
    }
    const start = i;
    i++;
    let transformer: TransformerName | undefined;
    const open = output.indexOf('(', i);
    const word = open > i ? output.slice(i, open) : '';
    if (TRANSFORMERS.includes(word as TransformerName)) {
      transformer = word as TransformerName;
      i = open + 1;
    }
    let name = '';
    while (isNameChar(output[i])) name += output[i++];
    while (name.endsWith('.')) {
      name = name.slice(0, -1);
      i--;
    }
    let arg: string | undefined;
    if (output[i] === '[') {
      const close = output.indexOf(']', i);
      if (close < 0) throw new OutputError(`invalid formatting token ${name}: missing ']'`, start);
      arg = output.slice(i + 1, close);
      i = close + 1;
    }
    if (transformer) {
      if (output[i] !== ')') throw new OutputError(`invalid formatting token ${transformer}(${name}: missing ')'`, start);
      i++;
    }
    let field: ResolvedField | undefined;
    try {
      field = resolveField(name, arg);
    } catch (err) {
      throw new OutputError(`invalid formatting token ${name}: ${(err as Error).message}`, start);
    }
    if (!field) throw new OutputError(`invalid formatting token ${name}`, start);
    if (text) parts.push({ kind: 'text', text });
    text = '';
    const tokenText = output.slice(start + 1, i);
    const of: OutputField = { text: tokenText, field, transformer };
    parts.push({ kind: 'field', field: of });
    if (!fields.some((f) => f.text === tokenText)) fields.push(of);
  }
  if (text) parts.push({ kind: 'text', text });
  return { parts, fields };
}

export function valueText(v: FieldValue): string | null {
  if (v === undefined) return null;
  if (typeof v === 'object') return v.length ? v.map(String).join(',') : null;
  return String(v);
}

export interface RenderedOutput { text: string; fields: Record<string, string | null> }

/** Compiles a template for one event representation. */
export function compileOutput<T>(template: OutputTemplate, access: FieldAccess<T>): (e: T) => RenderedOutput {
  const readerOf = (f: OutputField): ValueReader<T> => {
    const read = access.reader(f.field);
    return f.transformer ? applyTransformer(f.transformer, read) : read;
  };
  const fieldReaders = template.fields.map((f) => ({ key: f.text, read: readerOf(f) }));
  const pieces = template.parts.map((p) => (p.kind === 'text' ? p.text : fieldReaders.find((r) => r.key === p.field.text)!));
  return (e) => {
    const fields: Record<string, string | null> = {};
    for (const r of fieldReaders) fields[r.key] = valueText(r.read(e));
    let text = '';
    for (const p of pieces) text += typeof p === 'string' ? p : fields[p.key] ?? NA;
    return { text, fields };
  };
}
