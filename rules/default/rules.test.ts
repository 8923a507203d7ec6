// Every default rule fires on the events built for it and stays quiet on their look-alikes.
// Events are complete Events judged with engine.judge(), as the evaluator does in production.
import { describe, expect, test } from 'vitest';
import type { Event } from '../../schemas/types.generated.js';
import { createEngine } from '../index.js';
import { fileCases } from './cases/file.js';
import { containerCases, networkCases } from './cases/network-container.js';
import { processCases } from './cases/process.js';
import type { RuleCases } from './event-builder.js';
import { defaultRuleFiles } from './index.js';
import { ruleNamesIn } from './rule-names.js';

const engine = createEngine({ files: defaultRuleFiles(), match: 'all' });
const fired = (e: Event): string[] => engine.judge(e).map((a) => a.rule);

const tables: Record<string, RuleCases[]> = {
  process: processCases,
  file: fileCases,
  network: networkCases,
  container: containerCases,
};
const allCases = Object.values(tables).flat();

test('the tables cover every rule of the default files, each with a firing event and a look-alike', () => {
  const defined = defaultRuleFiles().flatMap((f) => ruleNamesIn(f));
  const covered = allCases.filter((c) => Object.keys(c.fires).length > 0 && Object.keys(c.quiet).length > 0).map((c) => c.rule);
  expect(covered.sort()).toEqual(defined.sort());
});

describe.each(Object.entries(tables))('%s rules', (_concern, cases) => {
  for (const c of cases) {
    describe(c.rule, () => {
      test.each(Object.entries(c.fires))('fires: %s', (_label, event) => {
        expect(fired(event)).toContain(c.rule);
      });
      test.each(Object.entries(c.quiet))('quiet: %s', (_label, event) => {
        expect(fired(event)).not.toContain(c.rule);
      });
    });
  }
});

test('every rule of the default set is loaded and enabled', () => {
  const all = allCases.map((c) => c.rule);
  expect(engine.counts.enabled).toBe(all.length);
  expect(new Set(engine.rules.map((r) => r.def.name))).toEqual(new Set(all));
});
