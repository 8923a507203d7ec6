// Replay throughput on one core: .scap decode -> collector state -> enrichment -> rules, over the
// larger conformance captures, with Falco 0.10.0's rules and with today's upstream stable rules.
// Run: npm run bench:replay. Each capture is decompressed once; every pass then replays it from
// the in-memory bytes from the start (reader open, process/fd/user lists seeded into a fresh
// state engine, every event), looping for about a second; the median of 3 passes is printed.
// Where the time goes is measured by running the same replay path with stages cut off:
//   decode   reader only (blocks framed, events decoded to RawRecords)
//   state    + seeding and state.apply for every record
//   enrich   + Event objects for the records of the event types the rules need
//   rules    + engine.judge (first match) for those events
import { join } from 'node:path';
import { ScapReader, loadScapFile } from '../collector/sources/scap/reader.js';
import { replayScap } from '../collector/sources/scap/replay.js';
import { createEngine, type Engine } from '../rules/index.js';

const ROOT = join(process.cwd(), '..', 'shared', 'conformance');
const CAPTURES = ['scap-libs/sample.scap', 'scap-libs/curl_google.scap', 'scap-falco-psp/psp_run_as_user_0_container.scap', 'scap-libs/single_ipv6_conn.scap'];
const RULESETS: Array<[string, string[]]> = [
  ['Falco 0.10.0 rules', ['rules/falco-0.10.0/falco_rules.yaml']],
  ['upstream stable rules', ['rules/falcosecurity-rules/falco_rules.yaml']],
];
const host = { id: 'bench', name: 'bench' };
const PASS_NS = 1_000_000_000n;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

type Stage = 'decode' | 'state' | 'enrich' | 'rules';

/** One replay of the capture up to `stage`; returns [events, alerts]. */
function replayOnce(file: string, data: Buffer, stage: Stage, engine: Engine): [number, number] {
  const reader = new ScapReader(file, data);
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

/** Events per second for one pass of about PASS_NS. */
function pass(file: string, data: Buffer, stage: Stage, engine: Engine): { rate: number; alerts: number; events: number } {
  let events = 0;
  let alerts = 0;
  let loops = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  while (elapsed < PASS_NS) {
    const [e, a] = replayOnce(file, data, stage, engine);
    events += e;
    alerts += a;
    loops++;
    elapsed = process.hrtime.bigint() - start;
  }
  return { rate: (events * 1e9) / Number(elapsed), alerts: alerts / loops, events: events / loops };
}

function measure(file: string, data: Buffer, stage: Stage, engine: Engine): { rate: number; alerts: number; events: number } {
  pass(file, data, stage, engine); // warm-up
  const runs = [0, 1, 2].map(() => pass(file, data, stage, engine)).sort((a, b) => a.rate - b.rate);
  return runs[1]!;
}

function nsPer(rate: number): number {
  return 1e9 / rate;
}

console.log(`replay bench: node ${process.version}, one core, median of 3 passes of ~1 s each (after a warm-up pass)`);
for (const [label, files] of RULESETS) {
  const engine = createEngine({ files: files.map((f) => join(ROOT, f)), match: 'first' });
  const types = engine.eventTypes();
  console.log(`\n${label}: ${engine.counts.enabled} rules enabled; event types needed: ${types === 'all' ? 'all' : types.size}`);
  for (const capture of CAPTURES) {
    const file = join(ROOT, capture);
    const data = loadScapFile(file);
    const r: Record<Stage, { rate: number; alerts: number; events: number }> = {
      decode: measure(file, data, 'decode', engine),
      state: measure(file, data, 'state', engine),
      enrich: measure(file, data, 'enrich', engine),
      rules: measure(file, data, 'rules', engine),
    };
    const d = nsPer(r.decode.rate);
    const s = nsPer(r.state.rate) - nsPer(r.decode.rate);
    const e = nsPer(r.enrich.rate) - nsPer(r.state.rate);
    const j = nsPer(r.rules.rate) - nsPer(r.enrich.rate);
    console.log(
      `  ${capture.split('/').pop()!.padEnd(36)} ${fmt(r.rules.rate).padStart(10)} events/s end to end` +
      `  (${fmt(r.rules.events)} events/replay, ${fmt(r.rules.alerts)} alerts/replay)`,
    );
    console.log(
      `    ns/event: decode ${d.toFixed(0)}, state ${s.toFixed(0)}, enrich ${e.toFixed(0)}, rules ${j.toFixed(0)}` +
      `  | decode-only ${fmt(r.decode.rate)}/s, +state ${fmt(r.state.rate)}/s, +enrich ${fmt(r.enrich.rate)}/s`,
    );
  }
}
const mem = process.memoryUsage();
console.log(`\nheap used ${fmt(mem.heapUsed / 1048576)} MiB, rss ${fmt(mem.rss / 1048576)} MiB`);
