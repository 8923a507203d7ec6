// libsinsp's own parser cases (userspace/libsinsp/test/filter_parser.ut.cpp, exported to
// ../shared/conformance/grammar/filter_parser_table.json): every case must be accepted or
// rejected as libsinsp does. Cases using syntax listed in unsupported-syntax.ts are checked to
// fail with that table's "not supported" reason (accept cases) or to fail at all (reject cases),
// and counted separately; none is skipped.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import type { BoolNode, FieldExpr, Position, ValueExpr } from './ast.js';
import { ConditionSyntaxError } from './errors.js';
import { formatCondition } from './format-condition.js';
import { flattenListItems, substituteLists } from './list-substitution.js';
import { parseCondition } from './parser.js';
import { findUnsupportedSyntax } from './unsupported-syntax.js';

interface TableCase {
  test: string;
  kind: 'accept' | 'accept_ast' | 'reject';
  filter: string;
  error?: string;
}

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TABLE_PATH = resolve(projectRoot, '../shared/conformance/grammar/filter_parser_table.json');
if (!existsSync(TABLE_PATH)) {
  throw new Error(`libsinsp parser conformance table not found at ${TABLE_PATH}; the conformance data must sit beside the project`);
}
const CASES = JSON.parse(readFileSync(TABLE_PATH, 'utf8')) as TableCase[];

// The table keeps libsinsp's expected trees only as C++ builder code; these are the same trees
// written in the test's shape notation (see `shape`). Filters with an operator modifier are
// unsupported and not listed.
const EXPECTED_SHAPES: Record<string, string> = {
  'evt.name exists and evt.type in (a, b) or proc.name=cat': 'or[and[evt.name exists; evt.type in (a, b)]; proc.name = cat]',
  'b64(evt.name) exists and tolower(toupper(evt.type)) in val(some.field) or proc.name=b64(tolower(some.field))':
    'or[and[b64(evt.name) exists; tolower(toupper(evt.type)) in val(some.field)]; proc.name = b64(tolower(some.field))]',
  'not not not not not(not not(not not_macro))': 'not(not(not_macro))',
  // A modifier word followed by `and` is a plain value (supported), not a modifier.
  'proc.name == anyof and fd.name exists': 'and[proc.name == anyof; fd.name exists]',
};

/** A compact, position-free rendering of a tree. */
function shape(node: BoolNode): string {
  switch (node.kind) {
    case 'or':
    case 'and':
      return `${node.kind}[${node.children.map(shape).join('; ')}]`;
    case 'not':
      return `not(${shape(node.child)})`;
    case 'macro':
      return node.name;
    case 'unary':
      return `${fieldShape(node.left)} exists`;
    case 'binary':
      return `${fieldShape(node.left)} ${node.op} ${valueShape(node.right)}`;
  }
}
function fieldShape(f: FieldExpr): string {
  return f.kind === 'transformer' ? `${f.name}(${fieldShape(f.arg)})` : f.arg === undefined ? f.name : `${f.name}[${f.arg}]`;
}
function valueShape(v: ValueExpr): string {
  if (v.kind === 'literal') return v.quoted ? JSON.stringify(v.text) : v.text;
  if (v.kind === 'list') return `(${v.items.map(valueShape).join(', ')})`;
  return v.field.kind === 'field' ? `val(${fieldShape(v.field)})` : fieldShape(v.field);
}

/** Every node's position must point at its own first character and agree with line/column. */
function checkPositions(node: BoolNode, text: string): void {
  const at = (pos: Position, expected: string, what: string): void => {
    expect(text.startsWith(expected, pos.offset), `${what} at ${pos.offset} in ${JSON.stringify(text)}`).toBe(true);
    const before = text.slice(0, pos.offset);
    const lines = before.split(/\r\n|\r|\n/);
    expect([pos.line, pos.column]).toEqual([lines.length, lines[lines.length - 1]!.length + 1]);
  };
  const field = (f: FieldExpr): void => {
    if (f.kind === 'transformer') {
      at(f.pos, `${f.name}(`, 'transformer');
      field(f.arg);
    } else at(f.pos, f.name, 'field');
  };
  const value = (v: ValueExpr): void => {
    if (v.kind === 'list') {
      at(v.pos, '(', 'list');
      v.items.forEach(value);
    } else if (v.kind === 'literal') at(v.pos, v.quoted ? text[v.pos.offset]! : v.text, 'literal');
    else {
      if (v.field.kind === 'field') at(v.pos, 'val(', 'val');
      field(v.field);
    }
  };
  switch (node.kind) {
    case 'or':
    case 'and':
      at(node.pos, '', node.kind);
      expect(text.slice(node.pos.offset, node.children[0]!.pos.offset)).toMatch(/^[(\s]*$/);
      node.children.forEach((c) => checkPositions(c, text));
      return;
    case 'not':
      at(node.pos, 'not', 'not');
      checkPositions(node.child, text);
      return;
    case 'macro':
      at(node.pos, node.name, 'macro');
      return;
    case 'unary':
    case 'binary':
      expect(node.pos).toEqual(node.left.pos);
      field(node.left);
      if (node.kind === 'binary') value(node.right);
  }
}

// libsinsp checks this one with test_accept(in, &pos), which skips the whitespace variants: its
// newline variant would hold `\<newline>`, an invalid escape.
const WITHOUT_VARIANTS = new Set(['test.str = "bad escape \\ " ']);

/** libsinsp's test_accept also tries each accepted filter padded, with spaces turned to newlines, then tabs. */
function variants(c: TableCase): string[] {
  if (c.kind !== 'accept' || c.test === 'parser.parse_position_info' || WITHOUT_VARIANTS.has(c.filter)) return [c.filter];
  const padded = ` ${c.filter} `;
  const lines = padded.replaceAll(' ', '\n');
  return [c.filter, padded, lines, lines.replaceAll('\n', '\t')];
}

function parseError(text: string): ConditionSyntaxError | undefined {
  try {
    parseCondition(text);
    return undefined;
  } catch (err) {
    if (err instanceof ConditionSyntaxError) return err;
    throw err;
  }
}

const counts = { accepted: 0, rejected: 0, unsupportedAccept: 0, unsupportedReject: 0, errorTextChecked: 0 };

describe('libsinsp filter parser conformance', () => {
  it('has the 545 cases of the libsinsp table', () => {
    expect(CASES).toHaveLength(545);
  });

  CASES.forEach((c, index) => {
    const unsupported = findUnsupportedSyntax(c.filter);
    const label = `#${index} ${c.test.replace(/^parser\./, '')} ${c.kind}: ${JSON.stringify(c.filter)}`;

    if (unsupported && c.kind !== 'reject') {
      counts.unsupportedAccept++;
      it(`${label} (unsupported: ${unsupported.feature})`, () => {
        const err = parseError(c.filter);
        expect(err, 'must fail with the not-supported reason').toBeDefined();
        expect(err!.reason).toBe(unsupported.reason);
      });
      return;
    }

    if (c.kind === 'reject') {
      if (unsupported) counts.unsupportedReject++;
      else counts.rejected++;
      if (c.error !== undefined && !unsupported) counts.errorTextChecked++;
      it(`${label}${unsupported ? ` (unsupported: ${unsupported.feature})` : ''}`, () => {
        const err = parseError(c.filter);
        expect(err, 'must be rejected').toBeDefined();
        expect(err!.pos.offset).toBeGreaterThanOrEqual(0);
        expect(err!.pos.offset).toBeLessThanOrEqual(c.filter.length);
        if (c.error !== undefined && !unsupported) expect(err!.reason).toBe(c.error);
      });
      return;
    }

    counts.accepted++;
    it(label, () => {
      for (const text of variants(c)) {
        const ast = parseCondition(text);
        checkPositions(ast, text);
        // The formatter's text must read back to the same tree.
        expect(shape(parseCondition(formatCondition(ast)))).toBe(shape(ast));
      }
      if (c.kind === 'accept_ast') {
        const expected = EXPECTED_SHAPES[c.filter];
        expect(expected, 'an expected tree is written down for every accept_ast case').toBeDefined();
        expect(shape(parseCondition(c.filter))).toBe(expected);
      }
    });
  });

  afterAll(() => {
    const supported = counts.accepted + counts.rejected;
    const unsupported = counts.unsupportedAccept + counts.unsupportedReject;
    console.log(
      `libsinsp parser table: ${supported + unsupported} cases; supported syntax ${supported} ` +
        `(${counts.accepted} accepted, ${counts.rejected} rejected, ${counts.errorTextChecked} with libsinsp's error text checked); ` +
        `unsupported syntax ${unsupported} (${counts.unsupportedAccept} accept cases rejected as not supported, ` +
        `${counts.unsupportedReject} reject cases still rejected)`,
    );
  });
});

// Falco's own rule files: every macro and rule condition must parse once lists are substituted
// (lists from the files loaded before it count, as for Falco's incubating/sandbox files).
const RULE_SETS: string[][] = [
  ['falcosecurity-rules/falco_rules.yaml'],
  ['falcosecurity-rules/falco_rules.yaml', 'falcosecurity-rules/falco-incubating_rules.yaml'],
  ['falcosecurity-rules/falco_rules.yaml', 'falcosecurity-rules/falco-sandbox_rules.yaml'],
  ['falcosecurity-rules/falco_rules.yaml', 'falcosecurity-rules/falco-deprecated_rules.yaml'],
  ['falco-0.10.0/falco_rules.yaml', 'falco-0.10.0/application_rules.yaml'],
  ['falco-rules-1.0.0/falco_rules.yaml'],
];

interface RuleFileItem {
  list?: string;
  items?: unknown[];
  macro?: string;
  rule?: string;
  condition?: string;
}

function readRuleFile(file: string): RuleFileItem[] {
  const path = resolve(projectRoot, '../shared/conformance/rules', file);
  if (!existsSync(path)) throw new Error(`conformance rule file not found at ${path}`);
  return (load(readFileSync(path, 'utf8')) as RuleFileItem[] | null) ?? [];
}

describe("Falco's rule files parse", () => {
  for (const files of RULE_SETS) {
    it(files.join(' + '), () => {
      const items = files.flatMap(readRuleFile);
      const lists = flattenListItems(
        items.filter((i) => i.list !== undefined).map((i) => ({ name: i.list!, items: (i.items ?? []).map(String) })),
      );
      const own = readRuleFile(files[files.length - 1]!).filter((i) => typeof i.condition === 'string');
      expect(own.length).toBeGreaterThan(5);
      for (const item of own) {
        const text = substituteLists(item.condition!, lists);
        let ast: BoolNode;
        try {
          ast = parseCondition(text);
        } catch (err) {
          throw new Error(`${item.macro ?? item.rule}: ${(err as Error).message}\n${text}`);
        }
        checkPositions(ast, text);
        expect(shape(parseCondition(formatCondition(ast)))).toBe(shape(ast));
      }
    });
  }
});

// Bad input must always end in a positioned ConditionSyntaxError, never in another exception:
// seeded random edits of the table's filters, with the characters the grammar cares about.
describe('mutated libsinsp cases', () => {
  it('either parse (and format back to the same tree) or fail with a ConditionSyntaxError inside the text', () => {
    let seed = 0x5eed;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const pieces = ['(', ')', '[', ']', '"', "'", '\\', ',', '=', ' ', '\n', 'not ', 'and ', 'or', 'val(', 'b64(', 'exists', 'in (', 'a.b', 'x'];
    let parsed = 0;
    let rejected = 0;
    for (let i = 0; i < 20_000; i++) {
      let text = CASES[random(CASES.length)]!.filter;
      for (let edits = 1 + random(3); edits > 0; edits--) {
        const at = random(text.length + 1);
        const op = random(3);
        if (op === 0) text = text.slice(0, at) + text.slice(at + 1);
        else text = text.slice(0, at) + pieces[random(pieces.length)]! + text.slice(op === 1 ? at : at + 1);
      }
      let ast: BoolNode;
      try {
        ast = parseCondition(text);
      } catch (err) {
        if (!(err instanceof ConditionSyntaxError)) throw new Error(`${JSON.stringify(text)}: ${String(err)}`);
        expect(err.pos.offset >= 0 && err.pos.offset <= text.length, JSON.stringify(text)).toBe(true);
        rejected++;
        continue;
      }
      parsed++;
      const again = shape(parseCondition(formatCondition(ast)));
      if (again !== shape(ast)) expect(again, `formatted ${JSON.stringify(text)}`).toBe(shape(ast));
    }
    expect(parsed).toBeGreaterThan(1000);
    expect(rejected).toBeGreaterThan(1000);
  });
});
