// Every rule file under ../shared/conformance/rules/ loads and compiles with no error, with the
// item counts the conformance README gives.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LoadContext, loadRulesInto, readRulesFiles } from './index.js';

const RULES = join(process.cwd(), '..', 'shared', 'conformance', 'rules');
if (!existsSync(RULES)) throw new Error(`conformance rules not found at ${RULES}: the tests need ../shared beside the project`);

const FILES: Array<{ file: string; rules: number; macros?: number; lists?: number }> = [
  { file: 'falcosecurity-rules/falco_rules.yaml', rules: 25, macros: 87, lists: 49 },
  { file: 'falcosecurity-rules/falco-incubating_rules.yaml', rules: 31 },
  { file: 'falcosecurity-rules/falco-sandbox_rules.yaml', rules: 37 },
  { file: 'falcosecurity-rules/falco-deprecated_rules.yaml', rules: 4 },
  { file: 'falco-0.10.0/falco_rules.yaml', rules: 25, macros: 163, lists: 55 },
  { file: 'falco-rules-1.0.0/falco_rules.yaml', rules: 80, macros: 297, lists: 117 },
];

describe('conformance rule files', () => {
  for (const f of FILES) {
    it(`${f.file} loads with ${f.rules} rules`, () => {
      const { ctx, prepared } = loadRulesInto(new LoadContext(), readRulesFiles([join(RULES, f.file)]));
      expect(ctx.errors.map((e) => e.message)).toEqual([]);
      expect(ctx.source.rules.size).toBe(f.rules);
      if (f.macros !== undefined) expect(ctx.source.macros.size).toBe(f.macros);
      if (f.lists !== undefined) expect(ctx.source.lists.size).toBe(f.lists);
      // Every syscall rule compiled (none are of another source in these files).
      expect(prepared.length).toBe([...ctx.source.rules.values()].filter((r) => r.source === 'syscall').length);
    });
  }

  it("Falco 0.10.0's application rules load after its main file", () => {
    const { ctx } = loadRulesInto(new LoadContext(), readRulesFiles([
      join(RULES, 'falco-0.10.0/falco_rules.yaml'), join(RULES, 'falco-0.10.0/application_rules.yaml'),
    ]));
    expect(ctx.errors.map((e) => e.message)).toEqual([]);
  });

  it('the upstream stable, incubating and sandbox files load together, in order', () => {
    const { ctx } = loadRulesInto(new LoadContext(), readRulesFiles(
      ['falco_rules.yaml', 'falco-incubating_rules.yaml', 'falco-sandbox_rules.yaml'].map((f) => join(RULES, 'falcosecurity-rules', f)),
    ));
    expect(ctx.errors.map((e) => e.message)).toEqual([]);
    expect(ctx.source.rules.size).toBe(25 + 31 + 37);
  });
});
