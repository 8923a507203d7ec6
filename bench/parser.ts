// Condition parsing speed on Falco's real rule files: list substitution and parsing of every
// macro and rule condition, as the loader does at startup and on every rules reload.
// Run: npm run bench:parser   (builds, then runs dist/bench/parser.js)
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { load } from 'js-yaml';
import { flattenListItems, substituteLists } from '../rules/list-substitution.js';
import { parseCondition } from '../rules/parser.js';

// From dist/bench/ or bench/, the project root is where package.json is.
const here = dirname(fileURLToPath(import.meta.url));
const projectRoot = resolve(here, here.endsWith('/dist/bench') ? '../..' : '..');
const RULES_DIR = resolve(projectRoot, '../shared/conformance/rules');

interface Item {
  list?: string;
  items?: unknown[];
  macro?: string;
  rule?: string;
  condition?: string;
}

interface Workload {
  name: string;
  lists: Array<{ name: string; items: string[] }>;
  conditions: string[];
}

function workload(file: string): Workload {
  const items = (load(readFileSync(resolve(RULES_DIR, file), 'utf8')) as Item[] | null) ?? [];
  return {
    name: file,
    lists: items.filter((i) => i.list !== undefined).map((i) => ({ name: i.list!, items: (i.items ?? []).map(String) })),
    conditions: items.filter((i) => typeof i.condition === 'string').map((i) => i.condition!),
  };
}

function run(w: Workload): { substituteMs: number; parseMs: number } {
  const t0 = performance.now();
  const lists = flattenListItems(w.lists);
  const texts = w.conditions.map((c) => substituteLists(c, lists));
  const t1 = performance.now();
  let parsed = 0;
  for (const text of texts) if (parseCondition(text).kind) parsed++;
  const t2 = performance.now();
  if (parsed !== texts.length) throw new Error('a condition did not parse');
  return { substituteMs: t1 - t0, parseMs: t2 - t1 };
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

function bench(w: Workload, iterations: number): void {
  for (let i = 0; i < 20; i++) run(w); // warm-up: let the JIT settle
  const sub: number[] = [];
  const parse: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const r = run(w);
    sub.push(r.substituteMs);
    parse.push(r.parseMs);
  }
  sub.sort((a, b) => a - b);
  parse.sort((a, b) => a - b);
  const chars = w.conditions.reduce((n, c) => n + c.length, 0);
  const perCondition = (quantile(parse, 0.5) * 1000) / w.conditions.length;
  console.log(
    `${w.name}: ${w.conditions.length} conditions (${chars} chars), ${w.lists.length} lists, ${iterations} runs\n` +
      `  substitute lists: median ${quantile(sub, 0.5).toFixed(3)} ms, p95 ${quantile(sub, 0.95).toFixed(3)} ms\n` +
      `  parse:            median ${quantile(parse, 0.5).toFixed(3)} ms, p95 ${quantile(parse, 0.95).toFixed(3)} ms ` +
      `(${perCondition.toFixed(1)} µs per condition)`,
  );
}

console.log(`node ${process.version}; wall-clock time of one full pass over a rules file`);
bench(workload('falcosecurity-rules/falco_rules.yaml'), 200);
bench(workload('falco-rules-1.0.0/falco_rules.yaml'), 100);
