// Comparison operators, by field type. Every constant (number, set, regex, network, byte string)
// is prepared once when a condition compiles; the returned test runs per event on one scalar.
// Fields with no value never reach a test: the caller makes every comparison false for them.
import type { BinaryOperator } from './ast.js';
import type { FieldType, Scalar } from './fields/index.js';
import { type Network, inNetwork, parseNetwork } from './ip.js';

export type ScalarTest = (v: Scalar) => boolean;

/** A literal the compiler could not use; the message says what was expected. */
export class OperandError extends Error {}

export type TypeFamily = 'string' | 'number' | 'bool' | 'ip' | 'net';

export function familyOf(type: FieldType): TypeFamily {
  switch (type) {
    case 'int': case 'uint': case 'port': case 'reltime': case 'abstime': return 'number';
    case 'bool': return 'bool';
    case 'ipaddr': return 'ip';
    case 'ipnet': return 'net';
    default: return 'string';
  }
}

const SET_OPERATORS = new Set<BinaryOperator>(['in', 'intersects', 'pmatch']);
export const takesList = (op: BinaryOperator): boolean => SET_OPERATORS.has(op);

const ALLOWED: Record<TypeFamily, ReadonlySet<BinaryOperator>> = {
  string: new Set<BinaryOperator>(['=', '==', '!=', '<', '<=', '>', '>=', 'contains', 'icontains', 'bcontains', 'startswith',
    'bstartswith', 'endswith', 'glob', 'iglob', 'regex', 'in', 'intersects', 'pmatch']),
  number: new Set<BinaryOperator>(['=', '==', '!=', '<', '<=', '>', '>=', 'in', 'intersects']),
  bool: new Set<BinaryOperator>(['=', '==', '!=', 'in']),
  ip: new Set<BinaryOperator>(['=', '==', '!=', 'in', 'intersects']),
  net: new Set<BinaryOperator>(['=', '==', '!=', 'in', 'intersects']),
};

export function checkOperator(op: BinaryOperator, family: TypeFamily): void {
  if (!ALLOWED[family].has(op)) throw new OperandError(`'${op}' operator not supported for ${family} fields`);
}

export function parseNumber(text: string): number {
  const t = text.trim();
  const n = /^-?0x[0-9a-f]+$/i.test(t) ? (t.startsWith('-') ? -parseInt(t.slice(1), 16) : parseInt(t, 16)) : /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : NaN;
  if (Number.isNaN(n)) throw new OperandError(`'${text}' is not a number`);
  return n;
}

function parseBool(text: string): boolean {
  const t = text.toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  throw new OperandError(`'${text}' is not a boolean: expected true or false`);
}

/** Shell glob -> anchored RegExp; `*` crosses `/` as in Falco. */
export function globToRegExp(glob: string, ignoreCase: boolean): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let cls = glob.slice(i + 1, end);
        if (cls.startsWith('!')) cls = `^${cls.slice(1)}`;
        re += `[${cls.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, ignoreCase ? 'si' : 's');
}

function hexToLatin1(hex: string): string {
  const clean = hex.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})+$/.test(clean)) throw new OperandError(`'${hex}' is not a hex byte string`);
  return Buffer.from(clean, 'hex').toString('latin1');
}

const asNumber = (v: Scalar): number => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : Number(v));
const asString = (v: Scalar): string => (typeof v === 'string' ? v : String(v));

/** `/etc` matches `/etc` and `/etc/passwd`, not `/etcx`. */
function pathPrefixTest(prefixes: string[]): ScalarTest {
  const normalized = prefixes.map((p) => (p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p));
  return (v) => {
    const s = asString(v);
    for (const p of normalized) {
      if (s === p) return true;
      if (s.startsWith(p) && (p === '/' || s.charCodeAt(p.length) === 47)) return true;
    }
    return false;
  };
}

/** Builds the test for `field op values` (values: one literal, or the list for in/intersects/pmatch). */
export function buildTest(op: BinaryOperator, family: TypeFamily, values: readonly string[]): ScalarTest {
  checkOperator(op, family);
  if (takesList(op)) return buildSetTest(op, family, values);
  const text = values[0]!;
  switch (family) {
    case 'number': {
      const n = parseNumber(text);
      return compareTest(op, (v) => asNumber(v) - n);
    }
    case 'bool': {
      const b = parseBool(text);
      return op === '!=' ? (v) => v !== b : (v) => v === b;
    }
    case 'ip': case 'net': {
      const net = parseNetwork(text);
      if (!net) throw new OperandError(`'${text}' is not an IP address or network`);
      return op === '!=' ? (v) => !inNetwork(asString(v), net) : (v) => inNetwork(asString(v), net);
    }
    case 'string':
      return stringTest(op, text);
  }
}

function compareTest(op: BinaryOperator, diff: (v: Scalar) => number): ScalarTest {
  switch (op) {
    case '=': case '==': return (v) => diff(v) === 0;
    case '!=': return (v) => diff(v) !== 0;
    case '<': return (v) => diff(v) < 0;
    case '<=': return (v) => diff(v) <= 0;
    case '>': return (v) => diff(v) > 0;
    case '>=': return (v) => diff(v) >= 0;
    default: throw new OperandError(`'${op}' operator not supported here`);
  }
}

function stringTest(op: BinaryOperator, c: string): ScalarTest {
  switch (op) {
    case '=': case '==': return (v) => v === c;
    case '!=': return (v) => v !== c;
    case '<': case '<=': case '>': case '>=':
      return compareTest(op, (v) => { const s = asString(v); return s < c ? -1 : s > c ? 1 : 0; });
    case 'contains': return (v) => asString(v).includes(c);
    case 'icontains': { const lc = c.toLowerCase(); return (v) => asString(v).toLowerCase().includes(lc); }
    case 'startswith': return (v) => asString(v).startsWith(c);
    case 'endswith': return (v) => asString(v).endsWith(c);
    case 'bcontains': { const b = hexToLatin1(c); return (v) => asString(v).includes(b); }
    case 'bstartswith': { const b = hexToLatin1(c); return (v) => asString(v).startsWith(b); }
    case 'glob': case 'iglob': { const re = globToRegExp(c, op === 'iglob'); return (v) => re.test(asString(v)); }
    case 'regex': {
      let re: RegExp;
      try {
        re = new RegExp(`^(?:${c})$`, 's');
      } catch (err) {
        throw new OperandError(`invalid regular expression '${c}': ${(err as Error).message}`);
      }
      return (v) => re.test(asString(v));
    }
    default: throw new OperandError(`'${op}' operator not supported for string fields`);
  }
}

function buildSetTest(op: BinaryOperator, family: TypeFamily, values: readonly string[]): ScalarTest {
  if (op === 'pmatch') {
    if (family !== 'string') throw new OperandError(`'pmatch' operator not supported for ${family} fields`);
    return pathPrefixTest([...values]);
  }
  switch (family) {
    case 'string': { const set = new Set(values); return (v) => set.has(asString(v)); }
    case 'number': { const set = new Set(values.map(parseNumber)); return (v) => set.has(asNumber(v)); }
    case 'bool': { const set = new Set(values.map(parseBool)); return (v) => set.has(v as boolean); }
    case 'ip': case 'net': {
      const nets: Network[] = values.map((t) => {
        const net = parseNetwork(t);
        if (!net) throw new OperandError(`'${t}' is not an IP address or network`);
        return net;
      });
      return (v) => nets.some((n) => inNetwork(asString(v), n));
    }
  }
}

/** `field op val(other)`: both sides known only per event. */
export function dynamicTest(op: BinaryOperator, family: TypeFamily): (left: Scalar, right: Scalar) => boolean {
  checkOperator(op, family);
  if (family === 'number') {
    const cmp = compareTest(op, (d) => d as number);
    return (l, r) => cmp(asNumber(l) - asNumber(r));
  }
  switch (op) {
    case '=': case '==': return (l, r) => asString(l) === asString(r);
    case '!=': return (l, r) => asString(l) !== asString(r);
    case 'contains': return (l, r) => asString(l).includes(asString(r));
    case 'icontains': return (l, r) => asString(l).toLowerCase().includes(asString(r).toLowerCase());
    case 'startswith': return (l, r) => asString(l).startsWith(asString(r));
    case 'endswith': return (l, r) => asString(l).endsWith(asString(r));
    case 'pmatch': return (l, r) => pathPrefixTest([asString(r)])(l);
    case 'glob': case 'iglob': return (l, r) => globToRegExp(asString(r), op === 'iglob').test(asString(l));
    default: throw new OperandError(`'${op}' operator not supported with a field on the right-hand side`);
  }
}
