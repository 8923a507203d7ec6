// Falco's regression suites, replayed: every case of falco-0.10.0 and falco-2023
// (falco_tests.yaml, falco_tests_exceptions.yaml, and the falco_traces.yaml.in entries whose
// captures are present) runs its capture through the .scap reader, the collector's state engine
// and enrichment, and the rule engine with the case's rules files, tags, priority, disabled
// rules and all-events setting, first match. Asserted as Falco's test harness asserts: `detect`
// (any alert or none), each `detect_level` seen, every `detect_counts` entry exactly, and
// expected load failures and warnings. Cases Saker cannot run, or runs only in part, are listed
// with the reason in falco-suites-not-run.ts; nothing is skipped without an entry there.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RuleLoadError, RuleSelectionError, parsePriority, type Engine } from '../rules/index.js';
import type { Alert } from '../schemas/types.generated.js';
import { asList, loadSuites, makeEngine, replayCase, rulesFiles, traceFile, type SuiteCase } from './falco-suites-cases.js';
import { NOT_RUN, PARTLY_RUN, DIFFERS } from './falco-suites-not-run.js';

/** Case keys this test asserts or acts on; any other key makes the case partly run at best. */
const HANDLED = new Set([
  'trace_file', 'rules_file', 'validate_rules_file', 'validate_ok', 'detect', 'detect_level', 'detect_counts',
  'all_events', 'priority', 'disabled_rules', 'disable_tags', 'run_tags', 'exit_status', 'validate_errors',
  'validate_warnings', 'rules_warning', 'stderr_contains', 'stdout_contains',
]);

const cases = loadSuites();

function countsOf(alerts: readonly Alert[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const a of alerts) m.set(a.rule, (m.get(a.rule) ?? 0) + 1);
  return m;
}

/** What the case expects from the load: failure (exit 1) or success with these warnings. */
function checkLoad(sc: SuiteCase, files: string[]): Engine | null {
  const c = sc.c;
  if (c.exit_status === 1) {
    let err: unknown;
    try {
      makeEngine(sc, files);
    } catch (e) {
      err = e;
    }
    expect(err instanceof RuleLoadError || err instanceof RuleSelectionError, `expected the load to fail; got ${String(err)}`).toBe(true);
    for (const e of c.validate_errors ?? []) {
      const errors = err instanceof RuleLoadError ? err.errors : [];
      const found = errors.find((x) => x.code === e.code && x.location.itemType === e.item_type && x.location.itemName === e.item_name);
      expect(found, `expected error ${JSON.stringify(e)}; got ${errors.map((x) => `${x.code} ${x.message}`).join(' | ')}`).toBeDefined();
    }
    return null;
  }
  const engine = makeEngine(sc, files);
  for (const w of c.validate_warnings ?? []) {
    const found = engine.warnings.find((x) => x.code === w.code && x.location.itemType === w.item_type && x.location.itemName === w.item_name);
    expect(found, `expected warning ${JSON.stringify(w)}; got ${engine.warnings.map((x) => x.message).join(' | ')}`).toBeDefined();
  }
  if (c.rules_warning !== undefined) {
    const warned = engine.warnings.filter((w) => w.code === 'LOAD_NO_EVTTYPE').map((w) => w.location.itemName).sort();
    expect(warned).toEqual(c.rules_warning === false ? [] : [...c.rules_warning].sort());
  }
  return engine;
}

function checkDetections(sc: SuiteCase, alerts: readonly Alert[]): void {
  const c = sc.c;
  if (c.detect === false) expect(alerts.map((a) => `${a.rule}: ${a.output}`)).toEqual([]);
  if (c.detect === true) {
    expect(alerts.length, 'expected detections').toBeGreaterThan(0);
    for (const level of asList(c.detect_level)) {
      const p = parsePriority(level);
      expect(p, `priority ${level}`).toBeDefined();
      expect(alerts.some((a) => a.priority === p), `no alert at level ${level}; got ${[...new Set(alerts.map((a) => a.priority))].join(', ')}`).toBe(true);
    }
  }
  // Falco's text output: one `<time>: <Priority> <output>` line per alert.
  if (c.stdout_contains !== undefined && c.json_output !== true && c.time_iso_8601 !== true) {
    const stdout = alerts.map((a) => `00:00:00.000000000: ${a.priority} ${a.output}`).join('\n');
    for (const pattern of asList(c.stdout_contains as string | string[])) expect(stdout).toMatch(new RegExp(pattern));
  }
  const got = countsOf(alerts);
  for (const entry of c.detect_counts ?? []) {
    for (const [rule, count] of Object.entries(entry)) {
      expect({ rule, count: got.get(rule) ?? 0 }).toEqual({ rule, count });
    }
  }
}

/** Runs the case; throws (an assertion) where Saker's result differs from Falco's expectation. */
function runCase(sc: SuiteCase): void {
  const files = rulesFiles(sc);
  if (files === null) throw new Error(`${sc.id}: rules outside the suite; list it in falco-suites-not-run.ts`);
  const engine = checkLoad(sc, files);
  const trace = traceFile(sc);
  if (engine === null || trace === null || sc.c.validate_rules_file !== undefined) return;
  if (!existsSync(trace)) throw new Error(`${sc.id}: capture ${trace} is missing; list it in falco-suites-not-run.ts`);
  checkDetections(sc, replayCase(sc, engine, trace).alerts);
}

describe('Falco regression suites through the replay path', () => {
  for (const sc of cases) {
    const notRun = NOT_RUN[sc.id];
    if (notRun !== undefined) {
      it.skip(`${sc.id} — not run: ${notRun}`, () => {});
      continue;
    }
    const differs = DIFFERS[sc.id];
    if (differs !== undefined) {
      // The difference must still be real: when Saker starts to agree, the entry is stale.
      it(`${sc.id} (known difference: ${differs})`, () => {
        expect(() => runCase(sc)).toThrow();
      });
      continue;
    }
    const partly = PARTLY_RUN[sc.id];
    it(partly === undefined ? sc.id : `${sc.id} (partly: ${partly})`, () => runCase(sc));
  }

  it('every case is run, or listed with its reason', () => {
    const listed = new Set([...Object.keys(NOT_RUN), ...Object.keys(PARTLY_RUN), ...Object.keys(DIFFERS)]);
    const ids = new Set(cases.map((sc) => sc.id));
    expect([...listed].filter((id) => !ids.has(id)), 'entries naming no case').toEqual([]);
    const unlisted = cases.filter((sc) => {
      if (NOT_RUN[sc.id] !== undefined) return false;
      const extra = Object.keys(sc.c).filter((k) => !HANDLED.has(k));
      const trace = traceFile(sc);
      const missing = trace !== null && !existsSync(trace) && sc.c.validate_rules_file === undefined;
      const unchecked = (sc.c.stderr_contains !== undefined && sc.c.exit_status !== 1) || (sc.c.stdout_contains !== undefined && sc.c.json_output === true);
      return (extra.length > 0 || missing || unchecked || rulesFiles(sc) === null) && PARTLY_RUN[sc.id] === undefined && DIFFERS[sc.id] === undefined;
    });
    expect(unlisted.map((sc) => `${sc.id}: ${Object.keys(sc.c).filter((k) => !HANDLED.has(k)).join(',')}`)).toEqual([]);
  });
});
