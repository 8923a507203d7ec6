// The condition parser: condition text -> BoolNode (rules/ast.ts). It accepts the language of
// libsinsp's filter parser (userspace/libsinsp/filter/parser.cpp) minus the newer syntax listed
// in unsupported-syntax.ts, and gives libsinsp's error reasons where it has one. List names are
// substituted before parsing (list-substitution.ts); macro names, field names and value types
// are the compiler's business. Grammar (EBNF; `blank` = ' ' \t \b \r \n, tokens in lexer.ts,
// operator and keyword tables in grammar-tables.ts):
//
//   condition   = { blank }, expr(1), { blank }, EOF ;
//   expr(p)     = not_expr, { { blank }, LOGICAL_OPERATORS[q >= p], ( blank | &"(" ), { blank }, expr(q + 1) } ;
//   not_expr    = { "not", blank, { blank } }, ( "not", group | primary ) ;
//   primary     = group | check | identifier ;                    (* identifier: a macro reference *)
//   group       = "(", { blank }, expr(1), { blank }, ")" ;
//   check       = field_expr, { blank }, ( "exists"
//                 | num_op, { blank }, ( field_value | hex_number | number )
//                 | str_op, { blank }, ( field_value | quoted | bare_string )
//                 | list_op, { blank }, ( list | field_value | identifier ) ) ;
//   field_expr  = field | transformer ;
//   field       = field_name, [ "[", ( quoted | field_arg ), "]" ] ;
//   transformer = ( "tolower" | "toupper" | "b64" | "basename" | "len" ), "(", { blank }, field_expr, { blank }, ")" ;
//   field_value = "val(", { blank }, field, { blank }, ")" | transformer ;
//   list        = "(", { blank }, [ list_item, { { blank }, ",", { blank }, list_item } ], { blank }, ")" ;
//   list_item   = quoted | bare_string ;
//   num_op      = "<=" | "<" | ">=" | ">" ;
//   str_op      = "==" | "=" | "!=" | ( "glob" | "iglob" | "contains" | "icontains" | "bcontains"
//                 | "startswith" | "bstartswith" | "endswith" | "regex" ), &blank ;
//   list_op     = "intersects" | "in" | "pmatch" ;
//
// Quirks kept from libsinsp because Falco rule files are written against them: operators and
// `and`/`or` are matched as prefixes (`x.y exists and z`, `x.y existsand z` both parse), `not`
// runs collapse in pairs (`not not a` is `a`), a value may be followed directly by `and`/`or`.
// One deliberate difference: `a or(b) and c` parses here (libsinsp rejects it after `or(`).
// And the keywords `and`, `or`, `not` are never macro names.
//
// Depth: each group, `not(...)` group and transformer is one nesting level; more than maxDepth
// (default 1000, Falco's limit) is an error, and a stack overflow is reported as one too.
import type {
  AndNode,
  BinaryCheck,
  BoolNode,
  FieldExpr,
  FieldRef,
  FieldValue,
  LiteralValue,
  OrNode,
  TransformerName,
  ValueExpr,
  ValueList,
} from './ast.js';
import { ConditionSyntaxError } from './errors.js';
import {
  CHECK_OPERATORS, KEYWORDS, LOGICAL_OPERATORS, MODIFIERS, OPERATOR_LIST, TIGHTEST, TRANSFORMERS, TRANSFORMER_LIST,
  VALUE_TRANSFORMER_LIST, type CheckOperator,
} from './grammar-tables.js';
import { Scanner } from './lexer.js';
import { unsupportedSyntax, unsupportedTransformer } from './unsupported-syntax.js';

export interface ParseOptions {
  /** Maximum nesting of groups and transformers; default 1000 (Falco's). */
  maxDepth?: number;
}

export const DEFAULT_MAX_DEPTH = 1000;

const OPEN = 40; // (
const BRACKET = 91; // [

/** Parses one condition. Throws ConditionSyntaxError with a position inside `text`. */
export function parseCondition(text: string, options: ParseOptions = {}): BoolNode {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (!Number.isInteger(maxDepth) || maxDepth < 1) {
    throw new RangeError(`parseCondition: maxDepth must be a positive integer, got ${String(options.maxDepth)}`);
  }
  const parser = new ConditionParser(new Scanner(text), maxDepth);
  try {
    return parser.parseCondition();
  } catch (err) {
    // The depth cap keeps ordinary limits far from the stack's; this covers a huge maxDepth.
    if (err instanceof RangeError) {
      throw new ConditionSyntaxError('condition nests too deeply to parse', parser.scanner.position(), text);
    }
    throw err;
  }
}

class ConditionParser {
  private depth = 0;

  constructor(readonly scanner: Scanner, private readonly maxDepth: number) {}

  parseCondition(): BoolNode {
    const s = this.scanner;
    if (s.text.length === 0) this.fail('filter input string is empty');
    s.skipBlanks();
    const node = this.parseExpression(1);
    s.skipBlanks();
    if (!s.atEnd()) this.fail(`unexpected token after '${s.lastToken}', expecting 'or', 'and'`);
    return node;
  }

  /** Precedence climbing over LOGICAL_OPERATORS; runs of one operator become one n-ary node. */
  private parseExpression(minPrecedence: number): BoolNode {
    const s = this.scanner;
    // An and/or node starts where its first operand does, including that operand's parentheses.
    const start = s.offset;
    let left = this.parseNot();
    let built: AndNode | OrNode | undefined;
    for (;;) {
      const save = s.offset;
      s.skipBlanks();
      const op = LOGICAL_OPERATORS.find((o) => s.lookingAt(o.keyword));
      if (!op || op.precedence < minPrecedence) {
        s.offset = save;
        return left;
      }
      s.match(op.keyword);
      if (!s.skipBlanks() && s.peekCode() !== OPEN) this.fail(`expected blank or '(' after '${op.keyword}'`);
      // Operands of the tightest operator need no climbing; skipping that call saves stack per nesting level.
      const right = op.precedence >= TIGHTEST ? this.parseNot() : this.parseExpression(op.precedence + 1);
      if (built && built.kind === op.keyword) {
        built.children.push(right);
      } else {
        const pos = s.positionAt(start);
        const node: AndNode | OrNode =
          op.keyword === 'and' ? { kind: 'and', children: [left, right], pos } : { kind: 'or', children: [left, right], pos };
        built = node;
        left = node;
      }
    }
  }

  private parseNot(): BoolNode {
    const s = this.scanner;
    const start = s.offset;
    let negate = false;
    let child: BoolNode;
    for (;;) {
      if (s.lookingAt('not') && s.isBlankAt(3)) {
        s.match('not');
        s.skipBlanks();
        negate = !negate;
      } else if (s.lookingAt('not(')) {
        s.match('not');
        negate = !negate;
        child = this.parseGroup();
        break;
      } else {
        child = s.peekCode() === OPEN ? this.parseGroup() : this.parsePrimary();
        break;
      }
    }
    return negate ? { kind: 'not', child, pos: s.positionAt(start) } : child;
  }

  private parseGroup(): BoolNode {
    const s = this.scanner;
    this.enter();
    s.match('(');
    s.skipBlanks();
    const node = this.parseExpression(1);
    s.skipBlanks();
    if (!s.match(')')) this.fail("expected a ')' token");
    this.depth--;
    return node;
  }

  private parsePrimary(): BoolNode {
    const s = this.scanner;
    const start = s.offset;
    if (s.peekCode() === OPEN) return this.parseGroup();
    const left = this.tryParseFieldExpr();
    if (left) return this.parseCheck(left, start);
    const name = s.scanIdentifier();
    if (name !== undefined) {
      if (KEYWORDS.has(name)) this.fail(`expected a condition, found the keyword '${name}'`, start);
      return { kind: 'macro', name, pos: s.positionAt(start) };
    }
    return this.fail("expected a '(' token, a field check, or an identifier");
  }

  /** A field or a transformer applied to one; undefined when neither starts here. */
  private tryParseFieldExpr(): FieldExpr | undefined {
    const s = this.scanner;
    const start = s.offset;
    const name = s.scanFieldName();
    if (name !== undefined) return this.parseFieldRemainder(name, start);
    const fn = this.peekFunctionName();
    if (fn === undefined) return undefined;
    if (TRANSFORMERS.has(fn)) {
      s.match(`${fn}(`);
      return this.parseTransformerRemainder(fn as TransformerName, start);
    }
    return this.failFunction(fn, start);
  }

  private parseFieldRemainder(name: string, start: number): FieldRef {
    const s = this.scanner;
    const pos = s.positionAt(start);
    if (!s.match('[')) return { kind: 'field', name, pos };
    const arg = s.scanQuoted()?.value ?? s.scanFieldArgBareString();
    if (arg === undefined) this.fail('expected a valid field argument: a quoted string or a bare string');
    if (!s.match(']')) this.fail("expected a ']' token");
    return { kind: 'field', name, arg, pos };
  }

  /** After `name(`. */
  private parseTransformerRemainder(name: TransformerName, start: number): FieldExpr {
    const s = this.scanner;
    this.enter(start);
    s.skipBlanks();
    const arg = this.tryParseFieldExpr();
    if (!arg) this.fail(`expected a field or a nested valid transformer: ${TRANSFORMER_LIST}`);
    s.skipBlanks();
    if (!s.match(')')) this.fail("expected a ')' token closing the transformer");
    this.depth--;
    if (s.peekCode() === BRACKET) this.fail(unsupportedSyntax('transformer-argument').reason);
    return { kind: 'transformer', name, arg, pos: s.positionAt(start) };
  }

  private parseCheck(left: FieldExpr, start: number): BoolNode {
    const s = this.scanner;
    s.skipBlanks();
    const operator = this.matchOperator();
    if (!operator) return this.fail(`expected a valid check operator: one of ${OPERATOR_LIST}`);
    const pos = s.positionAt(start);
    if (operator.op === 'exists') return { kind: 'unary', op: 'exists', left, pos };
    let right: ValueExpr;
    switch (operator.value) {
      case 'number':
        right = this.parseNumberValue();
        break;
      case 'list':
        right = this.parseListValue();
        break;
      default:
        this.rejectOperatorModifier();
        right = this.parseStringValue();
    }
    const check: BinaryCheck = { kind: 'binary', op: operator.op, left, right, pos };
    return check;
  }

  private matchOperator(): CheckOperator | undefined {
    const s = this.scanner;
    return CHECK_OPERATORS.find((o) => s.lookingAt(o.op) && (!o.needsBlank || s.isBlankAt(o.op.length)) && s.match(o.op));
  }

  // libsinsp reads `== oneof (a, b)` and `== oneof my_list` as a modifier but `== oneof and x`
  // as the bare value "oneof"; the same test decides here which input is unsupported.
  private rejectOperatorModifier(): void {
    const s = this.scanner;
    if (!s.isBlankAt()) return;
    const save = s.offset;
    s.skipBlanks();
    const word = MODIFIERS.find((m) => s.lookingAt(m) && s.isBlankAt(m.length));
    if (word) {
      let k = word.length;
      while (s.isBlankAt(k)) k++;
      const listFollows = s.peekCode(k) === OPEN || s.isIdentifierStartAt(k);
      const keywordFollows = [...KEYWORDS].some((kw) => s.lookingAt(kw, k) && !s.isAlnumAt(k + kw.length));
      if (listFollows && !keywordFollows) this.fail(unsupportedSyntax('operator-modifier').reason);
    }
    s.offset = save;
  }

  private parseNumberValue(): ValueExpr {
    const s = this.scanner;
    s.skipBlanks();
    const start = s.offset;
    const fieldValue = this.tryParseFieldValue();
    if (fieldValue) return fieldValue;
    const num = s.scanHexNumber() ?? s.scanNumber();
    if (num !== undefined) return this.literal(num, false, start);
    return this.fail(`expected a number value or a field with a valid transformer: ${VALUE_TRANSFORMER_LIST}`);
  }

  private parseStringValue(): ValueExpr {
    const s = this.scanner;
    s.skipBlanks();
    const start = s.offset;
    const fieldValue = this.tryParseFieldValue();
    if (fieldValue) return fieldValue;
    const value = this.tryParseStringLiteral();
    if (value) {
      if (!value.quoted && s.peekCode() === OPEN && this.peekFunctionName(start - s.offset) !== undefined) {
        this.failFunction(value.text, start);
      }
      return value;
    }
    return this.fail(`expected a string value or a field with a valid transformer: ${VALUE_TRANSFORMER_LIST}`);
  }

  private parseListValue(): ValueExpr {
    const s = this.scanner;
    s.skipBlanks();
    const start = s.offset;
    if (s.peekCode() === OPEN) return this.parseList();
    const fieldValue = this.tryParseFieldValue();
    if (fieldValue) return fieldValue;
    // An identifier here is a list name that was not substituted; the compiler reports it.
    const name = s.scanIdentifier();
    if (name !== undefined) return this.literal(name, false, start);
    return this.fail(`expected a list, an identifier, or a field with a valid transformer: ${VALUE_TRANSFORMER_LIST}`);
  }

  private parseList(): ValueList {
    const s = this.scanner;
    const pos = s.position();
    s.match('(');
    s.skipBlanks();
    const items: LiteralValue[] = [];
    const first = this.tryParseStringLiteral();
    if (first) {
      items.push(first);
      s.skipBlanks();
      while (s.match(',')) {
        s.skipBlanks();
        const item = this.tryParseStringLiteral();
        if (!item) this.fail('expected a string value');
        items.push(item);
        s.skipBlanks();
      }
    }
    if (!s.match(')')) this.fail("expected a ')' token");
    return { kind: 'list', items, pos };
  }

  /** `val(field)` or a transformer, as a value; undefined when neither starts here. */
  private tryParseFieldValue(): FieldValue | undefined {
    const s = this.scanner;
    const start = s.offset;
    if (s.lookingAt('val(')) {
      s.match('val(');
      this.enter(start);
      s.skipBlanks();
      const fieldStart = s.offset;
      const name = s.scanFieldName();
      if (name === undefined) this.fail("expected a field within 'val' transformer");
      const field = this.parseFieldRemainder(name, fieldStart);
      s.skipBlanks();
      if (!s.match(')')) this.fail("expected a ')' token closing the transformer");
      this.depth--;
      return { kind: 'fieldValue', field, pos: s.positionAt(start) };
    }
    const fn = this.peekFunctionName();
    if (fn === undefined || (!TRANSFORMERS.has(fn) && !unsupportedTransformer(fn))) return undefined;
    const field = this.tryParseFieldExpr()!;
    return { kind: 'fieldValue', field, pos: { ...field.pos } };
  }

  private tryParseStringLiteral(): LiteralValue | undefined {
    const s = this.scanner;
    const start = s.offset;
    const quoted = s.scanQuoted();
    if (quoted) return this.literal(quoted.value, true, start);
    const bare = s.scanBareString();
    return bare === undefined ? undefined : this.literal(bare, false, start);
  }

  private literal(text: string, quoted: boolean, start: number): LiteralValue {
    return { kind: 'literal', text, quoted, pos: this.scanner.positionAt(start) };
  }

  /** An identifier immediately followed by `(`, at offset+delta. */
  private peekFunctionName(delta = 0): string | undefined {
    const s = this.scanner;
    const n = s.identifierLengthAt(delta);
    if (n === 0 || s.peekCode(delta + n) !== OPEN) return undefined;
    return s.text.slice(s.offset + delta, s.offset + delta + n);
  }

  private failFunction(name: string, start: number): never {
    const unsupported = unsupportedTransformer(name);
    if (unsupported) this.fail(unsupported.reason, start);
    if (KEYWORDS.has(name)) this.fail(`expected a condition, found the keyword '${name}'`, start);
    if (name === 'val') this.fail("'val(...)' can only be the value of a check, with a field inside", start);
    return this.fail(`'${name}' is not a transformer: expected one of ${TRANSFORMER_LIST}`, start);
  }

  private enter(offset = this.scanner.offset): void {
    if (++this.depth > this.maxDepth) this.fail(`exceeded max depth limit of ${this.maxDepth}`, offset);
  }

  private fail(reason: string, offset = this.scanner.offset): never {
    const s = this.scanner;
    throw new ConditionSyntaxError(reason, s.positionAt(offset), s.text);
  }
}
