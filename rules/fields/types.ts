// The shape of a field in the registry. A field is defined once: its name, type and description
// (for `saker fields`, conditions and outputs) and how to read it from an Event. Readers are
// bound once per use (`bind(arg)`), so the argument (`[2]`, `.flags`) is parsed at load time and
// the per-event read does no parsing and no allocation it can avoid.
import type { Event } from '../../schemas/types.generated.js';

/** What a field yields for one event; `undefined` means the field has no value. */
export type Scalar = string | number | boolean | bigint;
export type FieldValue = Scalar | readonly Scalar[] | undefined;

export type FieldType =
  | 'string'
  | 'int'
  | 'uint'
  | 'bool'
  | 'ipaddr'
  | 'ipnet'
  | 'port'
  | 'reltime'
  | 'abstime'
  | 'bytes';

/** How a field takes an argument: `proc.aname[2]`, `evt.arg.flags`, `evt.arg[flags]`. */
export type ArgPolicy = 'none' | 'optional' | 'required';

export type Reader = (event: Event) => FieldValue;

export interface FieldDef {
  name: string;
  type: FieldType;
  desc: string;
  arg: ArgPolicy;
  /** The argument may also be written after a dot: `evt.arg.flags`. */
  dottedArg?: boolean;
  /** Without an argument the field yields every value (ancestors): checks match when any does. */
  listWithoutArg?: boolean;
  /** Saker does not collect this yet; it always has no value (kept so upstream rules load). */
  notCollected?: boolean;
  /** Builds the reader for one use. Throws an Error whose message says what the argument must be. */
  bind(arg: string | undefined): Reader;
}

/** Helper for fields without an argument. */
export function simple(name: string, type: FieldType, desc: string, read: Reader): FieldDef {
  return { name, type, desc, arg: 'none', bind: () => read };
}

/** A field Saker keeps in the registry for compatibility but has no data for. */
export function uncollected(name: string, type: FieldType, desc: string, arg: ArgPolicy = 'none'): FieldDef {
  const none: Reader = () => undefined;
  return { name, type, desc: `${desc} (not collected by Saker: always without value)`, arg, notCollected: true, bind: () => none };
}

export function parseIndexArg(field: string, arg: string | undefined, min = 0): number {
  if (arg === undefined || !/^\d+$/.test(arg)) throw new Error(`${field} needs a numeric argument, e.g. ${field}[1]`);
  const n = Number(arg);
  if (n < min) throw new Error(`${field} argument must be at least ${min}`);
  return n;
}
