// Every default rule fires on the events built for it and stays quiet on their look-alikes.
// Events are complete Events judged with engine.judge(), as the evaluator does in production.
import { basename } from 'node:path';
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
  '10-process.yaml': processCases,
  '20-file.yaml': fileCases,
  '30-network.yaml': networkCases,
  '40-container.yaml': containerCases,
};

describe.each(Object.entries(tables))('%s', (file, cases) => {
  test('the table covers every rule of the file, each with a firing event and a look-alike', () => {
    const path = defaultRuleFiles().find((f) => basename(f) === file);
    expect(path, `${file} is one of the default rule files`).toBeDefined();
    const covered = cases.filter((c) => Object.keys(c.fires).length > 0 && Object.keys(c.quiet).length > 0).map((c) => c.rule);
    expect(covered.sort()).toEqual(ruleNamesIn(path!).sort());
  });

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
  const all = Object.values(tables).flat().map((c) => c.rule);
  expect(engine.counts.enabled).toBe(all.length);
  expect(new Set(engine.rules.map((r) => r.def.name))).toEqual(new Set(all));
});
