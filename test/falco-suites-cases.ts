// Falco's regression suites as data: reads the case files under ../shared/conformance, and runs
// one case through the replay path (.scap reader -> collector state + enrichment -> rule engine,
// first match). Used by falco-suites.test.ts.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import yaml from 'js-yaml';
import { openScapFile } from '../collector/sources/scap/reader.js';
import { replayScap, type SelectionProfile } from '../collector/sources/scap/replay.js';
import { createEngine, type Engine } from '../rules/index.js';
import type { Alert } from '../schemas/types.generated.js';

export const CONFORMANCE = join(process.cwd(), '..', 'shared', 'conformance');

export interface Expectation { item_type: string; item_name: string; code: string; message?: string | null }

/** The keys of a case that Saker acts on; the rest are listed by `unhandledKeys`. */
export interface Case {
  trace_file?: string;
  rules_file?: string | string[];
  validate_rules_file?: string | string[];
  validate_ok?: string[];
  detect?: boolean;
  detect_level?: string | string[];
  detect_counts?: Array<Record<string, number>>;
  all_events?: boolean;
  priority?: string;
  disabled_rules?: string[];
  disable_tags?: string[];
  run_tags?: string[];
  exit_status?: number;
  validate_errors?: Expectation[];
  validate_warnings?: Expectation[];
  rules_warning?: string[] | false;
  [key: string]: unknown;
}

export interface SuiteCase {
  /** `falco-0.10.0-tests/falco_tests.yaml#name`. */
  id: string;
  suite: string;
  name: string;
  dir: string;
  modern: boolean;
  c: Case;
}

export const SUITES = [
  'falco-0.10.0-tests/falco_tests.yaml',
  'falco-0.10.0-tests/falco_traces.yaml.in',
  'falco-2023-tests/falco_tests.yaml',
  'falco-2023-tests/falco_tests_exceptions.yaml',
  'falco-2023-tests/falco_traces.yaml.in',
];

/** Falco's own rules, loaded when a case names none. */
const DEFAULT_RULES: Readonly<Record<string, string>> = {
  'falco-0.10.0-tests': '../rules/falco-0.10.0/falco_rules.yaml',
  'falco-2023-tests': '../rules/falcosecurity-rules/falco_rules.yaml',
};

const MUX = new yaml.Type('!mux', { kind: 'mapping', construct: (d: unknown) => d });
const SCHEMA = yaml.DEFAULT_SCHEMA.extend([MUX]);

export const asList = (v: string | string[] | undefined | null): string[] => (v == null ? [] : Array.isArray(v) ? v : [v]);

export function loadSuites(): SuiteCase[] {
  if (!existsSync(CONFORMANCE)) throw new Error(`conformance data not found at ${CONFORMANCE}: the tests need ../shared beside the project`);
  const out: SuiteCase[] = [];
  for (const suite of SUITES) {
    const doc = yaml.load(readFileSync(join(CONFORMANCE, suite), 'utf8'), { schema: SCHEMA }) as Record<string, Record<string, Case>>;
    // falco_tests.yaml keeps its cases under `trace_files`, falco_traces.yaml.in under `traces`.
    const cases = doc['trace_files'] ?? doc['traces'];
    if (!cases) throw new Error(`${suite}: no trace_files/traces section`);
    const dirName = suite.split('/')[0]!;
    for (const [name, c] of Object.entries(cases)) {
      out.push({ id: `${suite}#${name}`, suite, name, dir: join(CONFORMANCE, dirName), modern: dirName === 'falco-2023-tests', c });
    }
  }
  return out;
}

/** The rules files a case loads, as paths; null when a path points outside the suite (/host/...). */
export function rulesFiles(sc: SuiteCase): string[] | null {
  const named = [...(sc.c.validate_ok ?? []).map((f) => `rules/${f}`), ...asList(sc.c.validate_rules_file ?? sc.c.rules_file)];
  const files = named.length > 0 ? named : [DEFAULT_RULES[sc.suite.split('/')[0]!]!];
  if (files.some((f) => isAbsolute(f))) return null;
  // A directory stands for its .yaml files in name order, as Falco reads a rules directory.
  return files.map((f) => join(sc.dir, f)).flatMap((path) => (existsSync(path) && statSync(path).isDirectory()
    ? readdirSync(path).filter((n) => n.endsWith('.yaml')).sort().map((n) => join(path, n))
    : [path]));
}

export function traceFile(sc: SuiteCase): string | null {
  return sc.c.trace_file === undefined ? null : join(sc.dir, sc.c.trace_file);
}

export function makeEngine(sc: SuiteCase, files: string[]): Engine {
  return createEngine({
    files, match: 'first', tags: sc.c.run_tags, skipTags: sc.c.disable_tags, disabledRules: sc.c.disabled_rules,
    minPriority: sc.c.priority,
  });
}

/**
 * The profile Falco used for the case: Falco 0.10 dropped EF_DROP_FALCO events unless -A
 * (all_events); modern Falco reads every event of a capture.
 */
export function profileOf(sc: SuiteCase): SelectionProfile {
  if (sc.modern) return 'modern';
  return sc.c.all_events ? 'all' : 'falco-0.10';
}

export interface ReplayResult { alerts: Alert[]; judged: number; records: number }

export function replayCase(sc: SuiteCase, engine: Engine, trace: string): ReplayResult {
  const alerts: Alert[] = [];
  const counts = replayScap(openScapFile(trace), {
    host: { id: 'conformance', name: 'conformance' }, profile: profileOf(sc), judgedTypes: engine.eventTypes(),
  }, (event) => {
    for (const a of engine.judge(event)) alerts.push(a);
  });
  return { alerts, judged: counts.judged, records: counts.records };
}
