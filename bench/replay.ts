// Replay throughput on one core: .scap decode -> collector state -> enrichment -> rules, over the
// larger conformance captures, with Falco 0.10.0's rules and with today's upstream stable rules.
// Run: npm run bench:replay. Each capture is decompressed once; every replay then starts from the
// in-memory bytes (reader open, process/fd/user lists seeded into a fresh state engine, every
// event). Time is this process's CPU time (process.cpuUsage), so that other load on the machine
// does not count; each figure is the median of 3 rounds of passes of about half a CPU-second, after a warm-up.
// Where the time goes is measured by running the same replay path cut off after each stage:
//   open     reader constructed: section header and the metadata blocks parsed   (per replay)
//   seed     + a state engine seeded from the process/fd/user lists              (per replay)
//   decode   open + every event block decoded to a RawRecord
//   state    seed + state.apply for every record
//   enrich   + Event objects for the records of the event types the rules need
//   rules    + engine.judge (first match) for those events
import { join } from 'node:path';
import { ScapReader, loadScapFile } from '../collector/sources/scap/reader.js';
import { replayScap } from '../collector/sources/scap/replay.js';
import { seedFromScap } from '../collector/sources/scap/seed.js';
import { StateEngine } from '../collector/state/engine.js';
import { createEngine, type Engine } from '../rules/index.js';

const ROOT = join(process.cwd(), '..', 'shared', 'conformance');
const CAPTURES = ['scap-libs/sample.scap', 'scap-libs/curl_google.scap', 'scap-falco-psp/psp_run_as_user_0_container.scap', 'scap-libs/single_ipv6_conn.scap'];
/** [label, rules files, keep only the rules pinned to event types]. */
const RULESETS: Array<[string, string[], boolean]> = [
  ['Falco 0.10.0 rules', ['rules/falco-0.10.0/falco_rules.yaml'], false],
  ['Falco 0.10.0 rules pinned to event types', ['rules/falco-0.10.0/falco_rules.yaml'], true],
  ['upstream stable rules', ['rules/falcosecurity-rules/falco_rules.yaml'], false],
];

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The engine; `pinned` drops the rules that can match every event type (each event is judged by them). */
function engineFor(files: string[], pinned: boolean): Engine {
  const paths = files.map((f) => join(ROOT, f));
  const all = createEngine({ files: paths, match: 'first' });
  if (!pinned) return all;
  const unpinned = all.rules.filter((r) => r.eventTypes.except).map((r) => `^${escapeRe(r.def.name)}$`);
  return createEngine({ files: paths, match: 'first', disabledRules: unpinned });
}
const host = { id: 'bench', name: 'bench' };
const PASS_NS = 5e8;
const cpuNs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

type Stage = 'open' | 'seed' | 'decode' | 'state' | 'enrich' | 'rules';
const STAGES: readonly Stage[] = ['open', 'seed', 'decode', 'state', 'enrich', 'rules'];

/** One replay of the capture up to `stage`; returns [events, alerts]. */
function replayOnce(file: string, data: Buffer, stage: Stage, engine: Engine): [number, number] {
  const reader = new ScapReader(file, data);
  if (stage === 'open') return [reader.head.threads.length, 0];
  if (stage === 'seed') return [seedFromScap(reader.head, new StateEngine()).processes, 0];
  if (stage === 'decode') {
    let n = 0;
    for (let r = reader.next(); r !== null; r = reader.next()) n++;
    return [n, 0];
  }
  let alerts = 0;
  const judgedTypes = stage === 'state' ? new Set<string>() : engine.eventTypes();
  const judge = stage === 'rules' ? (e: Parameters<Engine['judge']>[0]) => { alerts += engine.judge(e).length; } : () => {};
  const counts = replayScap(reader, { host, profile: 'modern', judgedTypes }, judge);
  return [counts.records, alerts];
}

interface Pass { /** CPU ns per replay. */ ns: number; events: number; alerts: number }

/** One pass of about PASS_NS CPU time: CPU ns per replay. */
function pass(file: string, data: Buffer, stage: Stage, engine: Engine): Pass {
  let events = 0;
  let alerts = 0;
  let loops = 0;
  const start = cpuNs();
  let elapsed = 0;
  while (elapsed < PASS_NS) {
    const [e, a] = replayOnce(file, data, stage, engine);
    events += e;
    alerts += a;
    loops++;
    elapsed = cpuNs() - start;
  }
  return { ns: elapsed / loops, alerts: alerts / loops, events: events / loops };
}

/**
 * Every stage, in rounds: each round passes through all stages once, so that a burst of other
 * load on the machine hits all stages of a round alike; per stage the median round is kept.
 */
function measureStages(file: string, data: Buffer, engine: Engine): Record<Stage, Pass> {
  for (const st of STAGES) pass(file, data, st, engine); // warm-up
  const rounds = [0, 1, 2].map(() => STAGES.map((st) => pass(file, data, st, engine)));
  return Object.fromEntries(STAGES.map((st, i) => [st, rounds.map((r) => r[i]!).sort((a, b) => a.ns - b.ns)[1]!])) as Record<Stage, Pass>;
}

console.log(`replay bench: node ${process.version}, one core, CPU time, median of 3 rounds of ~0.5 s passes (after a warm-up round)`);
for (const [label, files, pinned] of RULESETS) {
  const engine = engineFor(files, pinned);
  const types = engine.eventTypes();
  console.log(`\n${label}: ${engine.counts.enabled} rules enabled; event types needed: ${types === 'all' ? 'all' : types.size}`);
  for (const capture of CAPTURES) {
    const file = join(ROOT, capture);
    const data = loadScapFile(file);
    const r = measureStages(file, data, engine);
    const n = r.rules.events;
    const perEvent = {
      decode: (r.decode.ns - r.open.ns) / n,
      state: (r.state.ns - r.seed.ns - (r.decode.ns - r.open.ns)) / n,
      enrich: (r.enrich.ns - r.state.ns) / n,
      rules: (r.rules.ns - r.enrich.ns) / n,
    };
    const steady = perEvent.decode + perEvent.state + perEvent.enrich + perEvent.rules;
    console.log(
      `  ${capture.split('/').pop()!.padEnd(34)} ${fmt((n * 1e9) / r.rules.ns).padStart(9)} events/s with open+seed per replay,` +
      ` ${fmt(1e9 / steady).padStart(9)} events/s per event alone  (${fmt(n)} events, ${fmt(r.rules.alerts)} alerts per replay)`,
    );
    console.log(
      `    per event (ns): decode ${perEvent.decode.toFixed(0)}, state ${perEvent.state.toFixed(0)}, enrich ${perEvent.enrich.toFixed(0)},` +
      ` rules ${perEvent.rules.toFixed(0)}  |  per replay (us): open ${(r.open.ns / 1e3).toFixed(0)}, seed ${((r.seed.ns - r.open.ns) / 1e3).toFixed(0)}`,
    );
  }
}
const mem = process.memoryUsage();
console.log(`\nheap used ${fmt(mem.heapUsed / 1048576)} MiB, rss ${fmt(mem.rss / 1048576)} MiB`);
