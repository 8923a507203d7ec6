// The condition AST. Every node carries the source position of its first character so that
// errors found after parsing (unknown field, undefined macro, bad value) can point at it.
// Positions are relative to the condition text as written in the rule file; the loader adds
// the YAML location of that text.

export interface Position {
  /** 0-based character offset into the condition text. */
  offset: number;
  /** 1-based line within the condition text. */
  line: number;
  /** 1-based column within the line. */
  column: number;
}

/** Boolean structure. */
export type BoolNode = OrNode | AndNode | NotNode | MacroRef | UnaryCheck | BinaryCheck;

export interface OrNode { kind: 'or'; children: BoolNode[]; pos: Position }
export interface AndNode { kind: 'and'; children: BoolNode[]; pos: Position }
export interface NotNode { kind: 'not'; child: BoolNode; pos: Position }
/** A bare identifier: a reference to a macro, resolved by the compiler. */
export interface MacroRef { kind: 'macro'; name: string; pos: Position }

export type UnaryOperator = 'exists';
export interface UnaryCheck { kind: 'unary'; op: UnaryOperator; left: FieldExpr; pos: Position }

export type BinaryOperator =
  | '=' | '==' | '!=' | '<' | '<=' | '>' | '>='
  | 'contains' | 'icontains' | 'bcontains' | 'startswith' | 'bstartswith' | 'endswith'
  | 'glob' | 'iglob' | 'regex' | 'in' | 'intersects' | 'pmatch';

export interface BinaryCheck {
  kind: 'binary';
  op: BinaryOperator;
  left: FieldExpr;
  right: ValueExpr;
  pos: Position;
}

/** Left-hand side of a check: a field, possibly wrapped in transformers. */
export type FieldExpr = FieldRef | TransformerExpr;

/** `proc.aname[2]`, `evt.arg.flags` (argument `flags`), `evt.arg[flags]`. */
export interface FieldRef { kind: 'field'; name: string; arg?: string; pos: Position }

export type TransformerName = 'tolower' | 'toupper' | 'b64' | 'basename' | 'len';
export interface TransformerExpr { kind: 'transformer'; name: TransformerName; arg: FieldExpr; pos: Position }

/** Right-hand side of a check. */
export type ValueExpr = LiteralValue | ValueList | FieldValue;

/** A bare word, quoted string or number, kept as text; the compiler types it against the field. */
export interface LiteralValue { kind: 'literal'; text: string; quoted: boolean; pos: Position }
/** `(a, b, "c d")`. */
export interface ValueList { kind: 'list'; items: LiteralValue[]; pos: Position }
/** `val(field)` or a transformer applied to a field, used as a value. */
export interface FieldValue { kind: 'fieldValue'; field: FieldExpr; pos: Position }
