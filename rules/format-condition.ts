// AST -> condition text that parseCondition reads back to the same AST (positions aside):
// for logs, explanations and composed conditions. Nested and/or groups and `not` operands are
// always parenthesised, because the parser folds `not not x` into `x` and flattens runs of one
// operator; parentheses keep every node of the tree.
import type { BoolNode, FieldExpr, LiteralValue, ValueExpr } from './ast.js';

export function formatCondition(node: BoolNode): string {
  switch (node.kind) {
    case 'or':
    case 'and':
      return node.children.map((c) => (c.kind === 'or' || c.kind === 'and' ? `(${formatCondition(c)})` : formatCondition(c))).join(` ${node.kind} `);
    case 'not':
      return `not (${formatCondition(node.child)})`;
    case 'macro':
      return node.name;
    case 'unary':
      return `${formatField(node.left)} ${node.op}`;
    case 'binary':
      return `${formatField(node.left)} ${node.op} ${formatValue(node.right)}`;
  }
}

export function formatField(expr: FieldExpr): string {
  if (expr.kind === 'transformer') return `${expr.name}(${formatField(expr.arg)})`;
  if (expr.arg === undefined) return expr.name;
  return `${expr.name}[${isBareFieldArg(expr.arg) ? expr.arg : quote(expr.arg)}]`;
}

export function formatValue(value: ValueExpr): string {
  switch (value.kind) {
    case 'literal':
      return formatLiteral(value);
    case 'list':
      return `(${value.items.map(formatLiteral).join(', ')})`;
    case 'fieldValue':
      return value.field.kind === 'field' ? `val(${formatField(value.field)})` : formatField(value.field);
  }
}

function formatLiteral(lit: LiteralValue): string {
  return lit.quoted || !isBareString(lit.text) ? quote(lit.text) : lit.text;
}

/**
 * Double-quotes `text` so that the scanner reads it back unchanged. A quoted string ends at the
 * first quote not preceded by a backslash (libsinsp's rule), so a backslash right before the
 * closing quote is written `\ `, which libsinsp and the scanner read as one backslash.
 */
export function quote(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') out += '\\"';
    else if (c === '\\') out += i === text.length - 1 ? '\\ ' : '\\\\';
    else out += c;
  }
  return `${out}"`;
}

const BARE_STOP = new Set([...'()"\'=, \t\n\v\f\r']);
const ARG_STOP = new Set([...'[]"\' \t\n\v\f\r']);

export function isBareString(text: string): boolean {
  if (text.length === 0) return false;
  for (const c of text) if (BARE_STOP.has(c)) return false;
  return true;
}

function isBareFieldArg(text: string): boolean {
  if (text.length === 0) return false;
  for (const c of text) if (ARG_STOP.has(c)) return false;
  return true;
}
