// The compiler: a macro-expanded condition AST -> one predicate closure. Conditions compile once;
// per event there is no tree walk and no regex, set or number built, only closures calling
// closures. Generic over the event representation T, through FieldAccess<T>: the Event of the
// schema (production) or a flat object keyed by field names (`saker eval`, users' rule tests).
import type { BinaryCheck, BoolNode, FieldExpr, Position, ValueExpr } from './ast.js';
import { EVENT_TYPES } from './event-types.js';
import { type FieldType, type FieldValue, type ResolvedField, type Scalar, resolveField } from './fields/index.js';
import { type ScalarTest, OperandError, buildTest, dynamicTest, familyOf, takesList } from './operators.js';
import { applyTransformer, transformerResultType } from './transformers.js';

export type Predicate<T> = (event: T) => boolean;
export type ValueReader<T> = (event: T) => FieldValue;

export interface FieldAccess<T> {
  reader(field: ResolvedField): ValueReader<T>;
}

/** A semantic error in a condition (unknown field, bad operand), at a node's position. */
export class CompileError extends Error {
  constructor(message: string, readonly pos: Position, readonly unknownField = false) {
    super(message);
  }
}

interface TypedReader<T> { read: ValueReader<T>; type: FieldType; field: ResolvedField }

export function compileFieldExpr<T>(expr: FieldExpr, access: FieldAccess<T>): TypedReader<T> {
  if (expr.kind === 'transformer') {
    const inner = compileFieldExpr(expr.arg, access);
    let type: FieldType;
    try {
      type = transformerResultType(expr.name, inner.type);
    } catch (err) {
      throw new CompileError((err as Error).message, expr.pos);
    }
    return { read: applyTransformer(expr.name, inner.read), type, field: inner.field };
  }
  let field: ResolvedField | undefined;
  try {
    field = resolveField(expr.name, expr.arg);
  } catch (err) {
    throw new CompileError((err as Error).message, expr.pos);
  }
  if (!field) throw new CompileError(`filter_check called with nonexistent field ${expr.name}`, expr.pos, true);
  try {
    return { read: access.reader(field), type: field.def.type, field };
  } catch (err) {
    throw new CompileError((err as Error).message, expr.pos);
  }
}

const FALSE: Predicate<unknown> = () => false;

export function compileCondition<T>(node: BoolNode, access: FieldAccess<T>): Predicate<T> {
  switch (node.kind) {
    case 'and': {
      const parts = node.children.map((c) => compileCondition(c, access));
      if (parts.length === 2) {
        const [a, b] = parts as [Predicate<T>, Predicate<T>];
        return (e) => a(e) && b(e);
      }
      return (e) => {
        for (const p of parts) if (!p(e)) return false;
        return true;
      };
    }
    case 'or': {
      const parts = node.children.map((c) => compileCondition(c, access));
      if (parts.length === 2) {
        const [a, b] = parts as [Predicate<T>, Predicate<T>];
        return (e) => a(e) || b(e);
      }
      return (e) => {
        for (const p of parts) if (p(e)) return true;
        return false;
      };
    }
    case 'not': {
      const inner = compileCondition(node.child, access);
      return (e) => !inner(e);
    }
    case 'macro':
      throw new CompileError(`Undefined macro '${node.name}' used in filter.`, node.pos);
    case 'unary': {
      const { read } = compileFieldExpr(node.left, access);
      return (e) => {
        const v = read(e);
        return v !== undefined && (typeof v !== 'object' || v.length > 0);
      };
    }
    case 'binary':
      return compileBinary(node, access);
  }
}

/** Applies a scalar test to a value: no value is false; a list matches when any element does. */
function lift<T>(read: ValueReader<T>, test: ScalarTest): Predicate<T> {
  return (e) => {
    const v = read(e);
    if (v === undefined) return false;
    if (typeof v !== 'object') return test(v);
    for (const x of v) if (test(x)) return true;
    return false;
  };
}

function literalTexts(right: ValueExpr, node: BinaryCheck): string[] {
  if (right.kind === 'literal') return [right.text];
  if (right.kind === 'list') return right.items.map((i) => i.text);
  throw new CompileError('internal: field value where a literal was expected', node.pos);
}

function compileBinary<T>(node: BinaryCheck, access: FieldAccess<T>): Predicate<T> {
  const left = compileFieldExpr(node.left, access);
  const family = familyOf(left.type);
  const right = node.right;
  if (right.kind === 'fieldValue') {
    const other = compileFieldExpr(right.field, access);
    let test: (l: Scalar, r: Scalar) => boolean;
    try {
      test = dynamicTest(node.op, family);
    } catch (err) {
      throw new CompileError((err as Error).message, node.pos);
    }
    return (e) => {
      const l = left.read(e);
      const r = other.read(e);
      if (l === undefined || r === undefined || typeof r === 'object') return false;
      if (typeof l !== 'object') return test(l, r);
      for (const x of l) if (test(x, r)) return true;
      return false;
    };
  }
  if (takesList(node.op) !== (right.kind === 'list') && !(right.kind === 'literal' && takesList(node.op))) {
    throw new CompileError(`'${node.op}' expects a single value, not a list`, right.pos);
  }
  const values = literalTexts(right, node);
  if (left.field.def.name === 'evt.type' && node.left.kind === 'field') {
    for (const v of values) if (!EVENT_TYPES.has(v)) throw new CompileError(`unknown event type ${v}`, right.pos);
  }
  if (values.length === 0) return FALSE as Predicate<T>;
  try {
    return lift(left.read, buildTest(node.op, family, values));
  } catch (err) {
    if (err instanceof OperandError) throw new CompileError(err.message, right.pos);
    throw err;
  }
}
