// Field transformers: tolower( toupper( b64( basename( len( — applied to a field's value before
// the comparison (or as a `val()`-style right-hand side).
import type { TransformerName } from './ast.js';
import type { FieldType, FieldValue, Scalar } from './fields/index.js';

type ScalarFn = (v: Scalar) => Scalar;

const FUNCTIONS: Record<TransformerName, { fn: ScalarFn; result: (input: FieldType) => FieldType; accepts: (t: FieldType) => boolean }> = {
  tolower: { fn: (v) => String(v).toLowerCase(), result: () => 'string', accepts: (t) => t === 'string' || t === 'bytes' },
  toupper: { fn: (v) => String(v).toUpperCase(), result: () => 'string', accepts: (t) => t === 'string' || t === 'bytes' },
  b64: { fn: (v) => Buffer.from(String(v), 'base64').toString('utf8'), result: () => 'string', accepts: (t) => t === 'string' || t === 'bytes' },
  basename: {
    fn: (v) => {
      const s = String(v);
      return s.slice(s.lastIndexOf('/') + 1);
    },
    result: () => 'string',
    accepts: (t) => t === 'string',
  },
  len: { fn: (v) => String(v).length, result: () => 'int', accepts: (t) => t === 'string' || t === 'bytes' },
};

export function transformerResultType(name: TransformerName, input: FieldType): FieldType {
  if (!FUNCTIONS[name].accepts(input)) throw new Error(`transformer ${name} does not accept a field of type ${input}`);
  return FUNCTIONS[name].result(input);
}

/** Wraps a reader; `len` of a list field is its number of values. */
export function applyTransformer<T>(name: TransformerName, read: (e: T) => FieldValue): (e: T) => FieldValue {
  const fn = FUNCTIONS[name].fn;
  return (e) => {
    const v = read(e);
    if (v === undefined) return undefined;
    if (typeof v === 'object') return name === 'len' ? v.length : v.map(fn);
    return fn(v);
  };
}
