// Collector throughput on one core: RawRecord -> state (stage 1) -> Event (stage 2) -> Avro bytes
// (stage 3), the work the collector does per record before the bus. Run: npm run bench:collector.
// Workload (bench/collector-workload.ts): 200 long-lived servers doing file and socket I/O, a
// short-lived child (clone, execve, opens, procexit) every 50 records. Prints records/s per
// stage combination (median of 5 passes over 200,000 records, after a warm-up pass) and the
// table sizes reached.
import { loadavg } from 'node:os';
import { createPipeline } from '../collector/pipeline.js';
import { generateWorkload, seedWorkload } from './collector-workload.js';

const PASSES = 5;
const host = { id: '4c4c4544004d3510804cb7c04f4b4d32', name: 'bench-host' };
const records = generateWorkload({ records: 200_000 });
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function run(name: string, perRecord: 'state' | 'enrich' | 'encode'): void {
  const pipeline = createPipeline({ host });
  seedWorkload(pipeline.state);
  let sink = 0;
  // Records per second of this process's CPU time (user + system, GC threads included) and of
  // wall time: on a shared machine the CPU figure is the one-core throughput, the wall one is not.
  const pass = (): { cpu: number; wall: number } => {
    const start = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    if (perRecord === 'state') for (const r of records) sink += pipeline.state.apply(r).tid;
    else if (perRecord === 'enrich') for (const r of records) sink += pipeline.enrich(r).args.length;
    else for (const r of records) sink += pipeline.message(r).value.length;
    const cpu = process.cpuUsage(cpu0);
    return {
      cpu: (records.length * 1e6) / (cpu.user + cpu.system),
      wall: (records.length * 1e9) / Number(process.hrtime.bigint() - start),
    };
  };
  pass();
  const results = Array.from({ length: PASSES }, pass);
  const cpu = results.map((r) => r.cpu).sort((a, b) => a - b);
  const wall = results.map((r) => r.wall).sort((a, b) => a - b);
  const s = pipeline.state.sizes();
  console.log(
    `${name.padEnd(30)} ${fmt(cpu[PASSES >> 1]!).padStart(10)} records/s of CPU (min ${fmt(cpu[0]!)}, max ${fmt(cpu[PASSES - 1]!)}),` +
    ` ${fmt(wall[PASSES >> 1]!)} of wall time` +
    `  tables: ${s.threads} threads, ${s.processes} processes, ${s.fds} fds, ${s.containers} containers` +
    (sink < 0 ? '' : ''),
  );
  if (perRecord === 'encode') {
    const st = pipeline.encoder.stats();
    console.log(`  encoder fragments reused ${fmt(st.fragmentHits)}, encoded ${fmt(st.fragmentMisses)}; records seen ${fmt(pipeline.state.counters.records)}`);
  }
}

console.log(`collector bench: ${fmt(records.length)} records per pass, median of ${PASSES} passes, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
run('state only', 'state');
run('state + enrich', 'enrich');
run('state + enrich + Avro encode', 'encode');
const mem = process.memoryUsage();
console.log(`heap used ${fmt(mem.heapUsed / 1048576)} MiB, rss ${fmt(mem.rss / 1048576)} MiB`);
