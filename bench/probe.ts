// bench:probe — what the eBPF probe costs the traced machine, and how fast it delivers. Root.
// Side by side in one run (alternating rounds, median of each):
//  1. redis-benchmark against a private redis-server: requests/s with the probe off, on with
//     hooks attached but tracing nothing redis calls (ptrace only), and on with the default
//     ruleset's syscall set (rules/default + state tracking), records decoded to RawRecords.
//  2. micro loops: dd bs=1 (read/write, untraced), open/close, exec of /bin/true: slowdown.
//  3. events/s delivered to JavaScript (decoded RawRecords and packed batches) from a tight
//     close() loop, with the drops counted.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { createEngine } from '../rules/index.js';
import { defaultRuleFiles } from '../rules/default/index.js';
import { decodeBatch, openProbe, selectSyscalls, type PackedBatch, type Probe } from '../probe/index.js';
import { requireRoot, sleep, syscallLoopPath } from '../probe/test-support.js';

// `npm run bench:probe -- --rounds N` (default 5).
const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 5;
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error('--rounds takes a positive integer');
const REDIS_PORT = 6399;

type Condition = 'off' | 'idle hooks' | 'default set';

interface Running { probe: Probe; records: number; done: Promise<void> }

async function start(syscalls: string[], decode: boolean, ringBytes?: number): Promise<Running> {
  const probe = await openProbe({ syscalls, ringBytes });
  const r: Running = { probe, records: 0, done: Promise.resolve() };
  r.done = (async () => {
    if (decode) for await (const batch of probe) r.records += batch.length;
    else for await (const b of probe.packedBatches()) r.records += b.count;
  })();
  return r;
}

async function stop(r: Running | undefined): Promise<void> {
  if (!r) return;
  await r.probe.close();
  await r.done;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function pct(off: number, on: number, higherIsBetter: boolean): string {
  const d = higherIsBetter ? (off - on) / off : (on - off) / off;
  return `${(d * 100).toFixed(1)}%`;
}

async function timed(cmd: string, args: string[]): Promise<number> {
  const t0 = process.hrtime.bigint();
  const c = spawn(cmd, args, { stdio: 'ignore' });
  const [code] = await once(c, 'exit');
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${code}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function redisRps(): Promise<{ set: number; get: number }> {
  const c = spawn('redis-benchmark', ['-p', String(REDIS_PORT), '-t', 'set,get', '-n', '100000', '-c', '50', '--csv'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  c.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  const [code] = await once(c, 'exit');
  if (code !== 0) throw new Error(`redis-benchmark exited ${code}`);
  const rps = (name: string): number => {
    const line = out.split('\n').find((l) => l.startsWith(`"${name}"`));
    if (!line) throw new Error(`redis-benchmark printed no ${name} line:\n${out}`);
    return Number(line.split(',')[1]!.replaceAll('"', ''));
  };
  return { set: rps('SET'), get: rps('GET') };
}

async function startRedis(): Promise<() => Promise<void>> {
  const which = spawnSync('sh', ['-c', 'command -v redis-server && command -v redis-benchmark']);
  if (which.status !== 0) throw new Error('redis-server/redis-benchmark not found: apt-get install redis-server redis-tools (scripts/setup-debian)');
  const srv = spawn('redis-server', ['--port', String(REDIS_PORT), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    if (spawnSync('redis-cli', ['-p', String(REDIS_PORT), 'ping']).stdout?.toString().trim() === 'PONG') {
      return async () => { srv.kill('SIGTERM'); await once(srv, 'exit'); };
    }
    await sleep(50);
  }
  srv.kill('SIGKILL');
  throw new Error('redis-server did not answer PING within 5 s');
}

async function throughput(loop: string, decode: boolean): Promise<string> {
  const n = 2_000_000;
  const r = await start(['close'], decode, 64 << 20);
  const t0 = process.hrtime.bigint();
  const c = spawn(loop, ['close', String(n)], { stdio: 'ignore' });
  await once(c, 'exit');
  let s = r.probe.stats();
  while (s.emitted !== s.delivered + s.dropped || r.records < s.delivered) {
    await sleep(2);
    s = r.probe.stats();
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  await stop(r);
  return `${(s.delivered / secs / 1e6).toFixed(2)} M events/s (${s.delivered} delivered in ${secs.toFixed(2)} s, ${s.dropped} dropped)`;
}

/** BPF programs of other probes skew every figure here; say so rather than print clean-looking numbers. */
function otherProbes(): number {
  const r = spawnSync('bpftool', ['prog', 'show'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n').filter((l) => /name saker_/.test(l)).length : 0;
}

function conditions(): string {
  const others = otherProbes();
  return `load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}` +
    (others ? `; WARNING: ${others} saker BPF programs of other processes are loaded` : '');
}

/** JavaScript decode cost alone, on real batches of openat (with a path) and close records. */
async function decodeCost(loop: string): Promise<string> {
  const probe = await openProbe({ syscalls: ['openat', 'close'] });
  const batches: PackedBatch[] = [];
  const done = (async () => { for await (const b of probe.packedBatches()) batches.push(b); })();
  await once(spawn(loop, ['openclose', '50000'], { stdio: 'ignore' }), 'exit');
  await sleep(100);
  await probe.close();
  await done;
  const n = batches.reduce((k, b) => k + b.count, 0);
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    // CPU time, not wall time: on a shared machine the wall clock counts other processes' slices.
    const c0 = process.cpuUsage();
    for (const b of batches) decodeBatch(b.buf, b.count, b.bootToEpochNs);
    const c = process.cpuUsage(c0);
    best = Math.min(best, ((c.user + c.system) * 1000) / n);
  }
  return `${best.toFixed(0)} ns CPU per record (${n} records, best of 5)`;
}

async function main(): Promise<void> {
  requireRoot();
  const loop = syscallLoopPath();
  console.log(`start: ${conditions()}`);
  const engine = createEngine({ files: defaultRuleFiles() });
  const sel = selectSyscalls(engine.eventTypes());
  console.log(`default ruleset: ${sel.syscalls.length} syscalls attached (${sel.syscalls.join(' ')})`);
  if (sel.unsupported.length) console.log(`  event types the probe does not produce: ${sel.unsupported.join(' ')}`);
  const sets: Record<Condition, string[] | null> = { off: null, 'idle hooks': ['ptrace'], 'default set': sel.syscalls };

  const stopRedis = await startRedis();
  const redis: Record<Condition, { set: number[]; get: number[] }> = { off: { set: [], get: [] }, 'idle hooks': { set: [], get: [] }, 'default set': { set: [], get: [] } };
  const micro: Record<string, Record<Condition, number[]>> = {};
  const micros: [string, string, string[]][] = [
    ['close(-1) x1M', loop, ['close', '1000000']],
    ['dd bs=1 (1M read+write)', 'dd', ['if=/dev/zero', 'of=/dev/null', 'bs=1', 'count=500000', 'status=none']],
    ['open/close x200k', loop, ['openclose', '200000']],
    ['exec /bin/true x300', 'sh', ['-c', 'i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i+1)); done']],
  ];
  let records = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const cond of Object.keys(sets) as Condition[]) {
        const set = sets[cond];
        const r = set ? await start(set, true) : undefined;
        const rps = await redisRps();
        redis[cond].set.push(rps.set);
        redis[cond].get.push(rps.get);
        for (const [name, cmd, args] of micros) ((micro[name] ??= { off: [], 'idle hooks': [], 'default set': [] })[cond]).push(await timed(cmd, args));
        if (r) {
          const s = r.probe.stats();
          if (s.dropped) console.log(`  round ${round} ${cond}: ${s.dropped} records dropped`);
          records += s.delivered;
        }
        await stop(r);
      }
    }
  } finally {
    await stopRedis();
  }

  console.log(`\nredis-benchmark -t set,get -n 100000 -c 50 (median of ${ROUNDS}; slowdown vs off)`);
  for (const cond of Object.keys(sets) as Condition[]) {
    const set = median(redis[cond].set), get = median(redis[cond].get);
    const off = redis.off;
    console.log(`  ${cond.padEnd(12)} SET ${set.toFixed(0).padStart(8)} rps (${pct(median(off.set), set, true)})  GET ${get.toFixed(0).padStart(8)} rps (${pct(median(off.get), get, true)})`);
  }
  console.log(`\nmicro loops, wall ms (median of ${ROUNDS}; slowdown vs off)`);
  for (const [name, byCond] of Object.entries(micro)) {
    const off = median(byCond.off);
    const cols = (Object.keys(sets) as Condition[]).map((c) => `${c} ${median(byCond[c]).toFixed(0)} ms${c === 'off' ? '' : ` (${pct(off, median(byCond[c]), false)})`}`);
    console.log(`  ${name.padEnd(26)} ${cols.join('   ')}`);
  }
  const perCall = (c: Condition): string => {
    const ns = ((median(micro['close(-1) x1M']![c]) - median(micro['close(-1) x1M']!.off)) * 1e6) / 1e6;
    return `${ns.toFixed(0)} ns`;
  };
  console.log(`  added cost per close() call: idle hooks ${perCall('idle hooks')}, default set (recorded) ${perCall('default set')}`);
  console.log(`  (records delivered and decoded during the rounds: ${records})`);

  console.log('\nevents/s delivered to JavaScript, close() x2M in a tight loop, 64 MiB ring');
  console.log(`  decoded to RawRecord: ${await throughput(loop, true)}`);
  console.log(`  packed batches:       ${await throughput(loop, false)}`);
  console.log(`  decode only (openat+close): ${await decodeCost(loop)}`);
  console.log(`end: ${conditions()}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
