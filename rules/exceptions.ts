// Rule exceptions compile to condition text, as Falco does:
//   (<condition>) and not ((f1 op1 v1 and f2 op2 v2) or (...)) [and not (...) per exception]
// One field: `field op (v1, v2, ...)`. Values that are not bare words are quoted; a cell that is
// a list becomes `(a, b)`. The text then goes through list substitution and the parser like any
// condition, so an exception value may name a list.
import type { ExceptionDef } from './ruleset.js';

const BARE_WORD = /^[^ \t\n\r(),="']+$/;
const LIST_OPERATORS = new Set(['in', 'intersects', 'pmatch']);

/** A value as condition text: bare when it can be, kept as written when the author quoted it. */
export function quoteValue(value: unknown): string {
  const text = String(value);
  if (BARE_WORD.test(text)) return text;
  // Already quoted in the YAML (`'"cat /dev/null"'`): Falco keeps it as written.
  if (text.length >= 2 && (text[0] === '"' || text[0] === "'") && text[text.length - 1] === text[0]) return text;
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function valueText(value: unknown, comp: string): string {
  if (Array.isArray(value)) return `(${value.map(quoteValue).join(', ')})`;
  if (!LIST_OPERATORS.has(comp)) return quoteValue(value);
  // A list operator with one value: a list reference or list literal in parentheses is kept
  // (`(cat_cmdlines)`), anything else is put in parentheses.
  const text = String(value);
  return text.startsWith('(') && text.endsWith(')') ? text : `(${quoteValue(value)})`;
}

/** The `not (...)` part for one exception, or '' when it has no values. */
export function exceptionCondition(ex: ExceptionDef): string {
  if (ex.values.length === 0) return '';
  if (!Array.isArray(ex.fields)) {
    const comp = Array.isArray(ex.comps) ? ex.comps[0] ?? 'in' : ex.comps;
    return `${ex.fields} ${comp} (${ex.values.map(quoteValue).join(', ')})`;
  }
  const fields = ex.fields;
  const comps = ex.comps as string[];
  const rows = ex.values.map((row) => {
    const cells = row as unknown[];
    return `(${fields.map((f, i) => `${f} ${comps[i]} ${valueText(cells[i], comps[i]!)}`).join(' and ')})`;
  });
  return rows.join(' or ');
}

/** The rule's condition with its exceptions applied. */
export function withExceptions(condition: string, exceptions: readonly ExceptionDef[]): string {
  const parts = exceptions.map(exceptionCondition).filter((p) => p !== '');
  if (parts.length === 0) return condition;
  return `(${condition}) and not ${parts.map((p) => `(${p})`).join(' and not ')}`;
}
