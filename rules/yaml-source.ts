// Reads a rules file's YAML documents and remembers where every mapping, key and value starts,
// so that errors found long after parsing (an unknown field inside a folded condition) can name
// the line and column in the file. js-yaml reports node boundaries through its `listener`
// option; this module turns those events into a position table.
import yaml from 'js-yaml';

/** 1-based line and column, 0-based offset, in the file. */
export interface FilePosition { line: number; column: number; offset: number }

interface MappingPositions { start: FilePosition; keys: Map<string, { key: FilePosition; value: FilePosition }> }

export interface YamlFile {
  file: string;
  text: string;
  documents: unknown[];
  /** Where a mapping or sequence (an item) starts. */
  positionOf(node: object): FilePosition | undefined;
  /** Where the value of `key` in mapping `node` starts (falls back to the mapping). */
  valuePosition(node: object, key: string): FilePosition | undefined;
  /** Maps an offset inside a scalar value back to the file (see locateInScalar). */
  locateInValue(node: object, key: string, scalar: string, offset: number): FilePosition | undefined;
}

export class YamlSyntaxError extends Error {
  constructor(message: string, readonly position: FilePosition) {
    super(message);
  }
}

interface Frame { start: number; children: Array<{ start: number; result: unknown }> }

export function parseYamlFile(file: string, text: string): YamlFile {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const toPosition = (offset: number): FilePosition => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo]! + 1, offset };
  };
  const skipBlanks = (offset: number): number => {
    let i = offset;
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r' || text[i] === '-' && text[i + 1] === ' ')) i++;
    return i;
  };

  const mappings = new WeakMap<object, MappingPositions>();
  const nodes = new WeakMap<object, FilePosition>();
  const stack: Frame[] = [];
  const listener = (kind: 'open' | 'close', state: { position: number; kind: string | null; result: unknown }): void => {
    if (kind === 'open') {
      stack.push({ start: state.position, children: [] });
      return;
    }
    const frame = stack.pop();
    if (!frame) return;
    const start = skipBlanks(frame.start);
    const result = state.result;
    if (result !== null && typeof result === 'object') {
      nodes.set(result, toPosition(start));
      if (state.kind === 'mapping' && !Array.isArray(result)) {
        const keys = new Map<string, { key: FilePosition; value: FilePosition }>();
        for (let i = 0; i + 1 < frame.children.length; i += 2) {
          keys.set(String(frame.children[i]!.result), {
            key: toPosition(frame.children[i]!.start),
            value: toPosition(frame.children[i + 1]!.start),
          });
        }
        mappings.set(result, { start: toPosition(start), keys });
      }
    }
    stack[stack.length - 1]?.children.push({ start, result });
  };

  let documents: unknown[];
  try {
    documents = loadTolerantOfTags(text, file, listener, () => { stack.length = 0; });
  } catch (err) {
    const mark = (err as { mark?: { line: number; column: number; position: number } }).mark;
    const reason = (err as { reason?: string }).reason ?? (err as Error).message;
    const pos = mark ? { line: mark.line + 1, column: mark.column + 1, offset: mark.position } : { line: 0, column: 0, offset: 0 };
    throw new YamlSyntaxError(reason, pos);
  }

  const valuePosition = (node: object, key: string): FilePosition | undefined =>
    mappings.get(node)?.keys.get(key)?.value ?? nodes.get(node);

  return {
    file,
    text,
    documents,
    positionOf: (node) => nodes.get(node),
    valuePosition,
    locateInValue(node, key, scalar, offset) {
      const start = mappings.get(node)?.keys.get(key)?.value;
      if (!start) return nodes.get(node);
      return toPosition(locateInScalar(text, start.offset, scalar, offset));
    },
  };
}

/**
 * yaml-cpp (Falco's parser) takes an unknown local tag as a plain value: `desc: != after x` is
 * the text `after x`. js-yaml rejects it; so each unknown tag is registered as a no-op type
 * and the document parsed again.
 */
function loadTolerantOfTags(text: string, file: string, listener: unknown, reset: () => void): unknown[] {
  const tags: yaml.Type[] = [];
  const seen = new Set<string>();
  for (;;) {
    try {
      const schema = tags.length ? yaml.DEFAULT_SCHEMA.extend(tags) : yaml.DEFAULT_SCHEMA;
      return yaml.loadAll(text, undefined, { filename: file, listener, schema } as yaml.LoadOptions);
    } catch (err) {
      const tag = /unknown tag !<([^>]*)>/.exec((err as Error).message)?.[1];
      if (tag === undefined || seen.size > 32 || seen.has(tag)) throw err;
      seen.add(tag);
      for (const kind of ['scalar', 'sequence', 'mapping'] as const) tags.push(new yaml.Type(tag, { kind, construct: (d: unknown) => d }));
      reset();
    }
  }
}

/**
 * Finds where character `offset` of a scalar's value lies in the file. YAML folding and block
 * indentation change only whitespace, so the value's non-blank characters appear in the file in
 * the same order: walk both, skipping blanks, after any block indicator or opening quote.
 */
export function locateInScalar(source: string, valueStart: number, scalar: string, offset: number): number {
  let j = valueStart;
  if (source[j] === '>' || source[j] === '|') {
    while (j < source.length && source[j] !== '\n') j++;
  } else if (source[j] === '"' || source[j] === "'") {
    j++;
  }
  const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  for (let i = 0; i < offset && i < scalar.length; i++) {
    if (isBlank(scalar[i])) continue;
    while (j < source.length && source[j] !== scalar[i]) j++;
    j++;
  }
  while (j < source.length && isBlank(source[j])) j++;
  return Math.min(j, source.length);
}
