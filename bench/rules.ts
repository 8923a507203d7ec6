// bench:rules — the rule engine's cost. Prints:
//  1. load + compile time of the upstream stable falco_rules.yaml (cold first run, then median);
//  2. events/s on one core judging a realistic mix with those rules, on decoded Events;
//  3. the same including Avro single-object decode of every event.
// The mix: file opens (reads of ordinary and sensitive files, writes below /tmp and /etc), execs
// (shells, package tools, compilers), connects, and the syscalls no rule names (read, write,
// close, mmap...) that make up most of a real stream; most events match no rule.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine } from '../rules/index.js';
import { eventCodec } from '../schemas/codec.js';
import { exampleEvent } from '../schemas/examples.js';
import type { Event } from '../schemas/types.generated.js';
import { projectRoot } from '../cli/paths.js';

const STABLE = join(projectRoot(), '..', 'shared', 'conformance', 'rules', 'falcosecurity-rules', 'falco_rules.yaml');

function time<T>(fn: () => T): { ms: number; value: T } {
  const t0 = process.hrtime.bigint();
  const value = fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, value };
}

function variant(i: number): Event {
  const e = exampleEvent();
  e.seq = i;
  e.ts += BigInt(i);
  const kind = i % 20;
  const procs = ['nginx', 'python3', 'node', 'java', 'bash', 'cat', 'ls', 'gcc', 'apt', 'sshd'];
  e.proc.name = procs[i % procs.length]!;
  e.proc.exepath = `/usr/bin/${e.proc.name}`;
  if (i % 3 === 0) e.container = { id: 'host', name: null, image: null, privileged: null, mounts: [] };
  if (kind < 5) {
    // openat of assorted files, mostly reads
    const files = ['/usr/lib/x86_64-linux-gnu/libc.so.6', '/etc/ld.so.cache', '/proc/self/status', '/tmp/build/out.o', '/etc/passwd', '/etc/shadow', '/home/u/.bashrc'];
    const f = files[i % files.length]!;
    e.type = 'openat';
    e.fd = { ...e.fd!, name: f, nameRaw: f };
    e.args = e.args.map((a) => (a.name === 'flags' && i % 4 === 0 ? { ...a, text: 'O_WRONLY|O_CREAT', raw: 65 } : a.name === 'name' ? { ...a, text: f } : a));
  } else if (kind < 7) {
    e.type = 'execve';
    e.fd = null;
    e.args = [{ name: 'res', text: '0', raw: 0 }, { name: 'exe', text: e.proc.exepath, raw: null }];
  } else if (kind < 9) {
    e.type = 'connect';
    e.fd = { num: 3, typeChar: '4', name: '10.0.0.5:40000->93.184.216.34:443', nameRaw: null, l4proto: 'tcp', sockfamily: 'ip',
      cip: '10.0.0.5', cport: 40000, sip: '93.184.216.34', sport: 443, isServer: false, connected: true };
  } else {
    const others = ['read', 'write', 'close', 'mmap', 'fstat', 'epoll_wait', 'futex', 'recvfrom', 'sendto', 'lseek', 'brk'];
    e.type = others[i % others.length]!;
  }
  return e;
}

function judgeRate(judge: () => number, seconds: number): { rate: number; alerts: number } {
  let n = 0;
  let alerts = 0;
  const t0 = process.hrtime.bigint();
  const deadline = t0 + BigInt(seconds * 1e9);
  while (process.hrtime.bigint() < deadline) {
    alerts += judge();
    n += 1000;
  }
  return { rate: n / (Number(process.hrtime.bigint() - t0) / 1e9), alerts };
}

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const mode = process.argv[2];

// Each measurement runs in its own process: the judge's call sites then see one event shape,
// as in a real worker (plain objects in `saker eval`, lazily decoded ones in the evaluator).
// Measured in one process, the three shapes make them polymorphic and every figure slower.
if (mode === undefined) {
  console.log(`rules file: ${STABLE}`);
  for (const m of ['compile', 'decoded', 'decode', 'lazy']) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), m], { stdio: 'inherit', env: process.env });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  process.exit(0);
}

// Timed first, in a fresh process: the cold load+compile a starting worker pays.
const cold = time(() => createEngine({ files: [STABLE] }));
const engine = cold.value;
const events = Array.from({ length: 1000 }, (_, i) => variant(i));
const buffers = events.map((e) => eventCodec.encode(e));

switch (mode) {
  case 'compile': {
    const warm: number[] = [];
    for (let i = 0; i < 10; i++) warm.push(time(() => createEngine({ files: [STABLE] })).ms);
    warm.sort((a, b) => a - b);
    console.log(`load+compile: first ${cold.ms.toFixed(1)} ms (fresh process), median of 10 ${warm[5]!.toFixed(1)} ms ` +
      `(${engine.counts.rules} rules, ${engine.counts.macros} macros, ${engine.counts.lists} lists, ${engine.counts.enabled} enabled)`);
    const matching = events.filter((e) => engine.judge(e).length > 0).length;
    console.log(`mix: ${events.length} distinct events, ${matching} of them (${(matching / 10).toFixed(1)}%) raise an alert`);
    break;
  }
  case 'decoded': {
    const r = judgeRate(() => {
      let a = 0;
      for (const e of events) a += engine.judge(e).length;
      return a;
    }, seconds);
    console.log(`judge decoded events: ${Math.round(r.rate).toLocaleString('en-US')} events/s (one core)`);
    break;
  }
  case 'decode': {
    const r = judgeRate(() => {
      let a = 0;
      for (const b of buffers) a += engine.judge(eventCodec.decode(b)).length;
      return a;
    }, seconds);
    console.log(`decode + judge:       ${Math.round(r.rate).toLocaleString('en-US')} events/s (one core, ${buffers[0]!.length} bytes/event, full decode)`);
    break;
  }
  case 'lazy': {
    const r = judgeRate(() => {
      let a = 0;
      for (const b of buffers) a += engine.judge(eventCodec.decodeLazy(b)).length;
      return a;
    }, seconds);
    console.log(`decodeLazy + judge:   ${Math.round(r.rate).toLocaleString('en-US')} events/s (one core; what the evaluator does)`);
    break;
  }
  default:
    throw new Error(`unknown mode ${mode}: compile, decoded, decode or lazy`);
}
