// Self-filtering when the collector runs in its own pid namespace (a container): the kernel sees
// other pids than process.pid, so the program matches on the namespace and the pid there.
// Runs the compiled probe (dist/, built by `npm test`) as pid 1 of a new pid namespace.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { requireRoot } from './test-support.js';

test('in a new pid namespace the probe still filters out only its own process', () => {
  requireRoot();
  const dist = fileURLToPath(new URL('../dist/probe/index.js', import.meta.url));
  if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`npm run build\` first (npm test does)`);
  const tag = `saker-pidns-${process.pid}-${Date.now()}`;
  const script = `
    import { openSync } from 'node:fs';
    import { spawnSync } from 'node:child_process';
    import { openProbe } from ${JSON.stringify(dist)};
    const probe = await openProbe({ syscalls: ['openat', 'open'], flushMs: 5 });
    const seen = new Set();
    const done = (async () => { for await (const b of probe) for (const r of b) if (String(r.args.name).includes(${JSON.stringify(tag)})) seen.add(r.args.name); })();
    try { openSync('/nonexistent/${tag}-self'); } catch {}
    spawnSync('/bin/cat', ['/nonexistent/${tag}-child']);
    await new Promise((r) => setTimeout(r, 300));
    await probe.close();
    await done;
    console.log(JSON.stringify({ pid: process.pid, seen: [...seen].sort() }));
  `;
  const r = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { pid: number; seen: string[] };
  expect(out.pid).toBe(1);
  expect(out.seen).toEqual([`/nonexistent/${tag}-child`]);
});
