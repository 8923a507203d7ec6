// bench:probe — what the eBPF probe costs the traced machine, and how fast it delivers. Root.
// Side by side in one run (alternating rounds, median of each):
//  1. redis-benchmark against a private redis-server: requests/s with the probe off, on with
//     hooks attached but tracing nothing redis calls (ptrace only), and on with the default
//     ruleset's syscall set (rules/default + state tracking), records decoded to RawRecords;
//     also redis-server's CPU time per request (from /proc), which other load disturbs less.
//  2. micro loops: close(-1), dd bs=1 (read/write, untraced), open/close, exec of /bin/true:
//     slowdown in wall time and in the loop's own CPU time (bash `times`).
//  3. events/s delivered to JavaScript (decoded RawRecords and packed batches) from a tight
//     close() loop, with the drops counted.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
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

interface Sample { wall: number; cpu: number }

/** Wall ms and the command's own CPU ms (user + sys of bash's children, via `times`). */
async function timed(cmd: string): Promise<Sample> {
  const t0 = process.hrtime.bigint();
  const c = spawn('bash', ['-c', `${cmd} >/dev/null; times`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  c.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  const [code] = await once(c, 'exit');
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (code !== 0) throw new Error(`${cmd} exited ${code}`);
  const children = out.trim().split('\n')[1] ?? '';
  const secs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  if (secs.length !== 2) throw new Error(`unexpected \`times\` output: ${out}`);
  return { wall, cpu: (secs[0]! + secs[1]!) * 1000 };
}

/** utime + stime of a process, in ms. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // fields 14, 15; USER_HZ is 100 on Linux
}

const REDIS_REQUESTS = 200_000; // 100k SET + 100k GET

async function redisRps(serverPid: number): Promise<{ set: number; get: number; cpuUsPerReq: number }> {
  const cpu0 = cpuMs(serverPid);
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
  return { set: rps('SET'), get: rps('GET'), cpuUsPerReq: ((cpuMs(serverPid) - cpu0) * 1000) / REDIS_REQUESTS };
}

async function startRedis(): Promise<{ pid: number; stop: () => Promise<void> }> {
  const which = spawnSync('sh', ['-c', 'command -v redis-server && command -v redis-benchmark']);
  if (which.status !== 0) throw new Error('redis-server/redis-benchmark not found: apt-get install redis-server redis-tools (scripts/setup-debian)');
  const srv = spawn('redis-server', ['--port', String(REDIS_PORT), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    if (spawnSync('redis-cli', ['-p', String(REDIS_PORT), 'ping']).stdout?.toString().trim() === 'PONG') {
      return { pid: srv.pid as number, stop: async () => { srv.kill('SIGTERM'); await once(srv, 'exit'); } };
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
  const exit = s.programs.find((p) => p.name === 'saker_sys_exit');
  const perRun = exit && exit.runs ? `, BPF program ${(exit.runNs / exit.runs).toFixed(0)} ns/run` : '';
  await stop(r);
  return `${(s.delivered / secs / 1e6).toFixed(2)} M events/s (${s.delivered} delivered in ${secs.toFixed(2)} s, ${s.dropped} dropped${perRun})`;
}

const BPF_STATS = '/proc/sys/kernel/bpf_stats_enabled';

/** Runs `fn` with the kernel's per-program run-time accounting on, then restores the setting. */
async function withBpfStats<T>(fn: () => Promise<T>): Promise<T> {
  const before = readFileSync(BPF_STATS, 'utf8').trim();
  writeFileSync(BPF_STATS, '1');
  try {
    return await fn();
  } finally {
    writeFileSync(BPF_STATS, before);
  }
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

  const redisSrv = await startRedis();
  const conds = Object.keys(sets) as Condition[];
  const redis = new Map<Condition, { set: number[]; get: number[]; cpu: number[] }>(conds.map((c) => [c, { set: [], get: [], cpu: [] }]));
  const micros: [string, string][] = [
    ['close(-1) x2M', `${loop} close 2000000`],
    ['dd bs=1 (1M read+write)', 'dd if=/dev/zero of=/dev/null bs=1 count=500000 status=none'],
    ['open/close x200k', `${loop} openclose 200000`],
    ['exec /bin/true x300', 'i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i+1)); done'],
  ];
  const micro = new Map<string, Map<Condition, Sample[]>>(micros.map(([n]) => [n, new Map(conds.map((c) => [c, []]))]));
  let records = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const cond of conds) {
        const set = sets[cond];
        const r = set ? await start(set, true) : undefined;
        const rps = await redisRps(redisSrv.pid);
        const red = redis.get(cond)!;
        red.set.push(rps.set);
        red.get.push(rps.get);
        red.cpu.push(rps.cpuUsPerReq);
        for (const [name, cmd] of micros) micro.get(name)!.get(cond)!.push(await timed(cmd));
        if (r) {
          const s = r.probe.stats();
          if (s.dropped) console.log(`  round ${round} ${cond}: ${s.dropped} records dropped`);
          records += s.delivered;
        }
        await stop(r);
      }
    }
  } finally {
    await redisSrv.stop();
  }

  const off = redis.get('off')!;
  console.log(`\nredis-benchmark -t set,get -n 100000 -c 50 (median of ${ROUNDS}; change vs off)`);
  for (const cond of conds) {
    const red = redis.get(cond)!;
    const [set, get, cpu] = [median(red.set), median(red.get), median(red.cpu)];
    console.log(`  ${cond.padEnd(12)} SET ${set.toFixed(0).padStart(7)} rps (${pct(median(off.set), set, true)})` +
      `  GET ${get.toFixed(0).padStart(7)} rps (${pct(median(off.get), get, true)})` +
      `  redis-server CPU ${cpu.toFixed(2)} us/request (${pct(median(off.cpu), cpu, false)})`);
  }
  console.log(`\nmicro loops (median of ${ROUNDS}; slowdown vs off): wall ms / the loop's CPU ms`);
  for (const [name, byCond] of micro) {
    const w0 = median(byCond.get('off')!.map((x) => x.wall)), c0 = median(byCond.get('off')!.map((x) => x.cpu));
    const cols = conds.map((c) => {
      const w = median(byCond.get(c)!.map((x) => x.wall)), u = median(byCond.get(c)!.map((x) => x.cpu));
      return `${c} ${w.toFixed(0)}/${u.toFixed(0)}${c === 'off' ? '' : ` (${pct(w0, w, false)} / ${pct(c0, u, false)})`}`;
    });
    console.log(`  ${name.padEnd(24)} ${cols.join('   ')}`);
  }
  const closeCpu = (c: Condition): number => median(micro.get('close(-1) x2M')!.get(c)!.map((x) => x.cpu));
  const perCall = (c: Condition): string => `${(((closeCpu(c) - closeCpu('off')) * 1e6) / 2e6).toFixed(0)} ns`;
  console.log(`  added CPU per close() call: idle hooks ${perCall('idle hooks')}, default set (recorded) ${perCall('default set')}`);
  console.log(`  (records delivered and decoded during the rounds: ${records})`);

  console.log('\nevents/s delivered to JavaScript, close() x2M in a tight loop, 64 MiB ring');
  console.log(`  decoded to RawRecord: ${await withBpfStats(() => throughput(loop, true))}`);
  console.log(`  packed batches:       ${await withBpfStats(() => throughput(loop, false))}`);
  console.log(`  decode only (openat+close): ${await decodeCost(loop)}`);
  console.log(`end: ${conditions()}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
