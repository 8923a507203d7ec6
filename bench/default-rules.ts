// bench:default-rules — the cost of Saker's default ruleset (rules/default). Prints:
//  1. load + compile time (cold first run, then the median of 10);
//  2. events/s on one core judging a mix built from the default rules' own test events, with
//     match 'first' (the default) and 'all', next to the upstream stable falco_rules.yaml on the
//     same mix when the conformance copy is present (../shared/conformance).
// The mix: 80% syscalls no rule names (read, write, close, mmap...), 15% ordinary opens, execs
// and connects that match nothing, 5% events that fire a rule (each rule's firing cases); then
// the same without firing events (20% ordinary), which isolates the cost of rejecting events
// from the cost of formatting alerts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../cli/paths.js';
import { fileCases } from '../rules/default/cases/file.js';
import { containerCases, networkCases } from '../rules/default/cases/network-container.js';
import { processCases } from '../rules/default/cases/process.js';
import { connection, event, exec, openRead, openWrite } from '../rules/default/event-builder.js';
import { defaultRuleFiles } from '../rules/default/index.js';
import { type MatchMode, createEngine } from '../rules/index.js';
import type { Event } from '../schemas/types.generated.js';

const STABLE = join(projectRoot(), '..', 'shared', 'conformance', 'rules', 'falcosecurity-rules', 'falco_rules.yaml');

function ms(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function buildMix(size: number, firingShare: number): Event[] {
  const firing = [...processCases, ...fileCases, ...networkCases, ...containerCases].flatMap((c) => Object.values(c.fires));
  const user = { user: 'alice', uid: 1000, ancestors: ['make', 'bash', 'sshd'] };
  const ordinary = [
    openRead({ cmd: 'cc1 main.c', ...user }, '/usr/include/stdio.h'),
    openWrite({ cmd: 'cc1 main.c', ...user }, '/tmp/ccA1b2C3.s'),
    openRead({ cmd: 'node server.js', ...user }, '/home/alice/proj/index.js'),
    exec({ cmd: 'sh -c cc -c main.c', ...user }),
    exec({ cmd: 'ls -la', ...user }),
    connection({ cmd: 'curl https://example.com', ...user }, 'connect', '93.184.216.34', 443),
  ];
  const quiet = ['read', 'write', 'close', 'mmap', 'fstat', 'epoll_wait', 'futex', 'recvfrom', 'sendto', 'lseek', 'brk']
    .map((type) => event({ cmd: 'node server.js', ...user }, { type, res: 0 }));
  const mix: Event[] = [];
  for (let i = 0; i < size; i++) {
    const r = i % 100;
    if (r < firingShare) mix.push(firing[i % firing.length]!);
    else if (r < 20) mix.push(ordinary[i % ordinary.length]!);
    else mix.push(quiet[i % quiet.length]!);
  }
  return mix;
}

function rate(files: string[], match: MatchMode, mix: Event[], seconds: number): { perSec: number; alertsPer1k: number } {
  const engine = createEngine({ files, match });
  let n = 0;
  let alerts = 0;
  const deadline = process.hrtime.bigint() + BigInt(seconds * 1e9);
  const t0 = process.hrtime.bigint();
  while (process.hrtime.bigint() < deadline) {
    for (const e of mix) alerts += engine.judge(e).length;
    n += mix.length;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { perSec: n / s, alertsPer1k: (alerts / n) * 1000 };
}

const files = defaultRuleFiles();
const cold = ms(() => createEngine({ files }));
const warm = Array.from({ length: 10 }, () => ms(() => createEngine({ files }))).sort((a, b) => a - b);
const engine = createEngine({ files });
console.log(`default rules: ${engine.counts.rules} rules, ${engine.counts.macros} macros, ${engine.counts.lists} lists, ${engine.warnings.length} warnings`);
console.log(`load+compile: cold ${cold.toFixed(1)} ms, median ${warm[5]!.toFixed(1)} ms`);

for (const [label, share] of [['5% firing', 5], ['no firing', 0]] as const) {
  const mix = buildMix(10_000, share);
  for (const match of ['first', 'all'] as const) {
    const r = rate(files, match, mix, 3);
    console.log(`judge, ${label} (default rules, match ${match}): ${Math.round(r.perSec).toLocaleString('en-US')} events/s, ${r.alertsPer1k.toFixed(1)} alerts per 1000 events`);
  }
  if (existsSync(STABLE)) {
    const r = rate([STABLE], 'first', mix, 3);
    console.log(`judge, ${label} (upstream stable falco_rules.yaml, match first): ${Math.round(r.perSec).toLocaleString('en-US')} events/s, ${r.alertsPer1k.toFixed(1)} alerts per 1000 events`);
  } else {
    console.log(`upstream stable rules not found at ${STABLE}: comparison not run`);
  }
}
