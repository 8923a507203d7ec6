// The parser's tables: the boolean operators by precedence (jsep-style), the check operators in
// the order libsinsp tries them, transformers, keywords and modifiers. Grammar in parser.ts.
import type { BinaryOperator, TransformerName } from './ast.js';

export interface LogicalOperator {
  keyword: 'or' | 'and';
  precedence: number;
}

/** Binary boolean operators, loosest first (jsep-style precedence table). `not` is the prefix above them. */
export const LOGICAL_OPERATORS: readonly LogicalOperator[] = [
  { keyword: 'or', precedence: 1 },
  { keyword: 'and', precedence: 2 },
];
export const TIGHTEST = Math.max(...LOGICAL_OPERATORS.map((o) => o.precedence));

export type ValueKind = 'none' | 'number' | 'string' | 'list';

export interface CheckOperator {
  op: BinaryOperator | 'exists';
  value: ValueKind;
  /** Word operators need a blank after them (`containsx` is not `contains x`). */
  needsBlank: boolean;
}

/** Tried in order, as libsinsp does: a longer operator before its prefix. */
export const CHECK_OPERATORS: readonly CheckOperator[] = [
  { op: 'exists', value: 'none', needsBlank: false },
  ...(['<=', '<', '>=', '>'] as const).map((op) => ({ op, value: 'number' as const, needsBlank: false })),
  ...(['==', '=', '!='] as const).map((op) => ({ op, value: 'string' as const, needsBlank: false })),
  ...(['glob', 'iglob', 'contains', 'icontains', 'bcontains', 'startswith', 'bstartswith', 'endswith', 'regex'] as const).map(
    (op) => ({ op, value: 'string' as const, needsBlank: true }),
  ),
  ...(['intersects', 'in', 'pmatch'] as const).map((op) => ({ op, value: 'list' as const, needsBlank: false })),
];

export const TRANSFORMERS: ReadonlySet<string> = new Set<TransformerName>(['tolower', 'toupper', 'b64', 'basename', 'len']);
export const KEYWORDS: ReadonlySet<string> = new Set(['and', 'or', 'not']);
export const MODIFIERS = ['oneof', 'anyof', 'allof'] as const;

const quoteList = (names: Iterable<string>): string => [...names].map((n) => `'${n}'`).join(', ');
export const TRANSFORMER_LIST = quoteList(TRANSFORMERS);
export const VALUE_TRANSFORMER_LIST = quoteList(['val', ...TRANSFORMERS]);
export const OPERATOR_LIST = quoteList(CHECK_OPERATORS.map((o) => o.op));
