// Falco's own regression suites, load side: for every case that states expected load errors or
// warnings (validate_errors, validate_warnings, rules_warning, load-error stderr_contains), load
// the rule files it names and check Saker reports the same item, code and message. Where Saker
// knowingly differs, the case is listed in KNOWN_DIFFERENCES with the reason.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { LoadContext, RuleSelectionError, createEngine, loadRulesInto, readRulesFiles } from './index.js';
import { KNOWN_DIFFERENCES } from './known-differences.js';

const CONFORMANCE = join(process.cwd(), '..', 'shared', 'conformance');
if (!existsSync(CONFORMANCE)) throw new Error(`conformance data not found at ${CONFORMANCE}: the tests need ../shared beside the project`);

const MUX = new yaml.Type('!mux', { kind: 'mapping', construct: (d: unknown) => d });
const SCHEMA = yaml.DEFAULT_SCHEMA.extend([MUX]);

interface Expectation { item_type: string; item_name: string; code: string; message?: string | null }
interface Case {
  conf_file?: string;
  disabled_rules?: string[];
  disable_tags?: string[];
  run_tags?: string[];
  rules_file?: string | string[];
  validate_rules_file?: string | string[];
  validate_errors?: Expectation[];
  validate_warnings?: Expectation[];
  rules_warning?: string[] | false;
  stderr_contains?: string | string[];
  exit_status?: number;
}

const SUITES = [
  'falco-0.10.0-tests/falco_tests.yaml',
  'falco-2023-tests/falco_tests.yaml',
  'falco-2023-tests/falco_tests_exceptions.yaml',
];

const DEFAULT_0_10 = '../rules/falco-0.10.0/falco_rules.yaml';

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function load(suiteDir: string, files: string[]) {
  const paths = files.map((f) => join(suiteDir, f));
  const { ctx } = loadRulesInto(new LoadContext(), readRulesFiles(paths));
  return ctx;
}

for (const suite of SUITES) {
  const doc = yaml.load(readFileSync(join(CONFORMANCE, suite), 'utf8'), { schema: SCHEMA }) as { trace_files: Record<string, Case> };
  const suiteDir = join(CONFORMANCE, suite.split('/')[0]!);
  describe(suite, () => {
    for (const [name, c] of Object.entries(doc.trace_files)) {
      // Without a rules file Falco loads its own default rules: for the 0.10.0 suite, 0.10.0's.
      const files = asList(c.validate_rules_file ?? c.rules_file ?? (suite.startsWith('falco-0.10.0') ? DEFAULT_0_10 : undefined));
      const stderr = asList(c.stderr_contains);
      // Cases with their own falco.yaml test Falco's configuration, not rule loading.
      if (c.exit_status === 1 && stderr.length && !c.validate_errors && !c.conf_file) {
        it(`${name} (load error on stderr)`, () => checkStderrCase(suiteDir, files, c, stderr));
        continue;
      }
      const checksLoad = c.validate_errors || c.validate_warnings || c.rules_warning !== undefined;
      if (!checksLoad || files.length === 0) continue;
      const difference = KNOWN_DIFFERENCES[`${suite}#${name}`];
      it(`${name}${difference ? ' (known difference)' : ''}`, () => {
        const ctx = load(suiteDir, files);
        if (difference) {
          // The difference must still be real: if Saker now matches Falco, the table is stale.
          expect(difference.check(ctx), difference.reason).toBe(true);
          return;
        }
        for (const e of c.validate_errors ?? []) {
          const found = ctx.errors.find((x) => x.code === e.code && x.location.itemType === e.item_type &&
            x.location.itemName === e.item_name && (!e.message || x.reason.includes(e.message)));
          expect(found, `expected error ${JSON.stringify(e)}; got ${ctx.errors.map((x) => `${x.code} ${x.message}`).join(' | ')}`).toBeDefined();
        }
        if (c.exit_status === 1 || c.validate_errors) expect(ctx.errors.length).toBeGreaterThan(0);
        else expect(ctx.errors.map((x) => x.message)).toEqual([]);
        for (const w of c.validate_warnings ?? []) {
          const found = ctx.warnings.find((x) => x.code === w.code && x.location.itemType === w.item_type &&
            x.location.itemName === w.item_name && (!w.message || x.message.includes(w.message)));
          expect(found, `expected warning ${JSON.stringify(w)}`).toBeDefined();
        }
        if (c.rules_warning !== undefined) {
          const warned = ctx.warnings.filter((w) => w.code === 'LOAD_NO_EVTTYPE').map((w) => w.location.itemName).sort();
          expect(warned).toEqual(c.rules_warning === false ? [] : [...c.rules_warning].sort());
        }
      });
    }
  });
}

/** Old-style cases: Falco exits 1 and prints the load error; Saker's reason must say the same. */
function checkStderrCase(suiteDir: string, files: string[], c: Case, stderr: string[]): void {
  if (c.run_tags && (c.disabled_rules || c.disable_tags)) {
    const make = () => createEngine({
      files: files.map((f) => join(suiteDir, f)), tags: c.run_tags, skipTags: c.disable_tags, disabledRules: c.disabled_rules,
    });
    expect(make).toThrow(RuleSelectionError);
    expect(make).toThrow(/You can not specify both disabled \(-D\/-T\) and enabled \(-t\) rules/);
    return;
  }
  const ctx = load(suiteDir, files);
  expect(ctx.errors.length).toBeGreaterThan(0);
  for (const expected of stderr) {
    const found = ctx.errors.some((e) => expected.includes(e.reason.replace(/^(List|Macro|Rule) /, '')));
    expect(found, `no error whose reason appears in: ${expected}; got ${ctx.errors.map((e) => e.reason).join(' | ')}`).toBe(true);
  }
}
