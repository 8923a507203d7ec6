// Saker's default rules against real actions on the real kernel (root): probe -> collector ->
// engine with rules/default, judging in process (the collector's onEvents path, as `saker run`
// does; keeping every event of a busy host on a bus would not fit in memory). Each action runs in
// its own bash; the rules the events of that bash's process tree trigger must include the
// behaviour's rule. Actions are
// harmless and undo themselves (temporary files in /etc, /usr/bin, /dev... are removed).
// Not run here: the container rules (no container runtime on the test machine) and kernel
// module loading (no module to load); their events are covered by rules/default/rules.test.ts.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootstrapState } from '../collector/sources/bootstrap.js';
import { readSystemFiles } from '../collector/sources/system-files.js';
import { runCollector, type CollectorStats } from '../collector/service.js';
import { openProbe, selectSyscalls, type Probe } from '../probe/index.js';
import { requireRoot, sleep } from '../probe/test-support.js';
import { createEngine } from '../rules/index.js';
import { defaultRuleFiles } from '../rules/default/index.js';
import type { Event } from '../schemas/types.generated.js';

const engine = createEngine({ files: defaultRuleFiles(), match: 'all' });

/** An alert kept with the pids that place it in a process tree. */
interface Seen { pids: number[]; rule: string; output: string }
const alerts: Seen[] = [];
const exited = new Set<number>();

function judge(events: Event[]): void {
  for (const e of events) {
    if (e.type === 'procexit') {
      exited.add(e.proc.pid);
      continue;
    }
    for (const a of engine.judge(e)) alerts.push({ pids: [e.proc.pid, ...e.ancestors.map((x) => x.pid)], rule: a.rule, output: a.output });
  }
}

let probe: Probe;
let done: Promise<CollectorStats>;
let server: Server;
let port = 0;
/** A non-loopback address of this machine: the rule leaves connections to the host itself alone. */
let hostIp = '';
let dir = '';
let python = '';

/** The alerts of `pid` and of everything it started, once `pid` has exited. */
async function alertsOf(pid: number): Promise<Seen[]> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (exited.has(pid)) {
      await sleep(100); // the last records of its children, flushed every 5 ms
      return alerts.filter((a) => a.pids.includes(pid));
    }
    await sleep(25);
  }
  throw new Error(`no procexit event for pid ${pid} within 15 s: is the probe recording?`);
}

function bash(script: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const c = spawn('/bin/bash', ['-c', script], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d) => (err += d));
    c.on('error', reject);
    c.on('exit', (code) => (code === 0 ? resolve(c.pid!) : reject(new Error(`bash -c ${script}: exit ${code}: ${err}`))));
  });
}

/** Runs `script` and returns the rules its process tree triggered (with their outputs). */
async function rulesFor(script: string): Promise<Map<string, string>> {
  const pid = await bash(script);
  return new Map((await alertsOf(pid)).map((a) => [a.rule, a.output]));
}

beforeAll(async () => {
  requireRoot();
  dir = mkdtempSync(join(tmpdir(), 'saker-rules-live-'));
  // Servers and netcat by name only: copies of bash and true whose process name is the file name.
  copyFileSync('/bin/bash', join(dir, 'nginx'));
  copyFileSync('/bin/bash', join(dir, 'postgres'));
  copyFileSync('/bin/true', join(dir, 'nc'));
  python = await new Promise<string>((resolve, reject) => {
    const c = spawn('python3', ['-c', 'import sys; print(sys.executable)'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('error', reject);
    c.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error('python3 is needed for the memfd, ptrace and setns actions'))));
  });
  hostIp = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address ?? '';
  if (!hostIp) throw new Error('the network action needs a non-loopback IPv4 address on this machine');
  server = createServer((s) => s.on('data', () => s.end()));
  await new Promise<void>((r) => server.listen(0, hostIp, r));
  port = (server.address() as { port: number }).port;
  const sys = readSystemFiles();
  const { state } = bootstrapState({ users: sys.users, groups: sys.groups });
  const types = engine.eventTypes();
  if (types === 'all') throw new Error('the default rules must pin their event types');
  // `container` events exist only in Falco captures (the runtime's description); live, the
  // collector learns containers from cgroups, so the probe has nothing to record for it.
  const wanted = new Set([...types, 'procexit'].filter((t) => t !== 'container'));
  // memfd_create is recorded for state (the memfd's name), not judged.
  const selection = selectSyscalls([...wanted, 'memfd_create']);
  if (selection.unsupported.length) throw new Error(`the probe cannot record what the default rules need: ${selection.unsupported.join(', ')}`);
  // A large ring: the machine may be busy (other test suites), and a dropped exec loses a process.
  probe = await openProbe({ syscalls: selection.syscalls, flushMs: 5, ringBytes: 64 * 1024 * 1024 });
  done = runCollector({ source: probe, host: sys.host, state, eventTypes: wanted, onEvents: judge });
}, 60_000);

afterAll(async () => {
  await probe?.close();
  await done;
  server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const py = (code: string): string => `"$PY" -c ${JSON.stringify(code)}`;

// [rule, action]. $$ is the bash's pid, so that paths never collide with anything real.
const actions: Array<[string, () => string]> = [
  ['Sensitive file read by an untrusted program', () => 'cat /etc/shadow > /dev/null'],
  ['System binary made or accepted a network connection', () => `exec 3<>/dev/tcp/${hostIp}/${port}; echo x >&3; exec 3>&-`],
  ['Program executed from /dev/shm', () => 'cp /bin/true /dev/shm/saker-live-$$ && /dev/shm/saker-live-$$; rm -f /dev/shm/saker-live-$$'],
  ['Search for private keys or cloud credentials', () => `grep -rs id_rsa ${dir}; true`],
  ['Netcat started with remote code execution options', () => `${dir}/nc -e /bin/sh 127.0.0.1 1; true`],
  ['Fileless execution via memfd', () => py("import os; fd = os.memfd_create('payload', 0); os.write(fd, open('/bin/true','rb').read()); os.execv('/proc/self/fd/%d' % fd, ['payload'])")],
  ['Process blocked debugging of itself', () => py('import ctypes; ctypes.CDLL(None).ptrace(0, 0, 0, 0)')],
  ['Process attached to another with ptrace', () => `sleep 5 & ${py('import ctypes, sys, time; l = ctypes.CDLL(None); p = int(sys.argv[1]); l.ptrace(16, p, 0, 0); time.sleep(0.1); l.ptrace(17, p, 0, 0)')} $!; kill $!; true`],
  ['Namespace changed by an unexpected program', () => py("import ctypes, os; ctypes.CDLL(None).setns(os.open('/proc/self/ns/net', os.O_RDONLY), 0)")],
  ['Setuid by a non-sudo program', () => py('import ctypes, os; os.setuid(65534); ctypes.CDLL(None).setuid(0)')],
  ['File created below /dev', () => 'touch /dev/saker-live-$$; rm -f /dev/saker-live-$$'],
  ['File opened for writing below /etc', () => 'echo x > /etc/saker-live-$$; rm -f /etc/saker-live-$$'],
  ['File opened for writing below a binary directory', () => ': > /usr/bin/saker-live-$$; rm -f /usr/bin/saker-live-$$'],
  ['File renamed, removed or linked below a binary directory', () => ': > /usr/bin/saker-live-$$; rm -f /usr/bin/saker-live-$$'],
  ['Directory created below a binary directory', () => 'mkdir /usr/bin/saker-live-$$; rmdir /usr/bin/saker-live-$$'],
  ['File renamed, removed or linked below a binary directory', () => 'cd /usr/bin && : > saker-live-$$ && mv saker-live-$$ saker-live-b-$$ && rm saker-live-b-$$'],
  ['File opened for writing below a monitored directory', () => ': > /usr/local/lib/saker-live-$$; rm -f /usr/local/lib/saker-live-$$'],
  ['File opened for writing below / or /root', () => ': > /root/saker-live-$$; rm -f /root/saker-live-$$'],
  ['Rpm database opened for writing by a non-package program', () =>
    'made=0; [ -d /var/lib/rpm ] || { mkdir /var/lib/rpm; made=1; }; : > /var/lib/rpm/saker-live-$$; rm -f /var/lib/rpm/saker-live-$$; [ $made = 0 ] || rmdir /var/lib/rpm'],
  ['Log files cleared', () => '[ ! -e /var/log/secure ] || { echo "/var/log/secure exists: not touching a real log" >&2; exit 3; }; : > /var/log/secure; rm -f /var/log/secure'],
  ['Shell history deleted or renamed', () => `: > ${dir}/.bash_history; rm -f ${dir}/.bash_history`],
  ['Link created over a sensitive file', () => `ln -sf /etc/shadow ${dir}/s; rm -f ${dir}/s`],
  ['User management program run outside a package install', () => 'gpasswd --help > /dev/null 2>&1; true'],
  ['Bulk data removed from disk', () => `head -c 4096 /dev/zero > ${dir}/junk; shred -u ${dir}/junk`],
  ['Sensitive file read through directory traversal', () => py(`import subprocess, sys; subprocess.run([sys.executable, '-c', "open('../../../../../../../../etc/hostname').read()"], check=True)`)],
  ['Shell spawned by a program that must not spawn one', () => `${dir}/nginx -c 'sh -c true; true'`],
  ['Database spawned a process', () => `${dir}/postgres -c '/bin/true; true'`],
  ['Server spawned a reconnaissance or download tool', () => `${dir}/nginx -c 'id > /dev/null; true'`],
  ['Sensitive file read by a trusted server after start-up', () => `${dir}/nginx -c 'sleep 6; exec 3< /etc/shadow; true'`],
  ['System user ran an interactive shell', () => "setpriv --reuid=65534 --regid=65534 --clear-groups script -qec 'sh -c true' /dev/null"],
];

describe('default rules on real actions', () => {
  test.each(actions)('%s (action %#)', async (rule, action) => {
    const fired = await rulesFor(`export PY=${python}; ${action()}`);
    const { dropped, readFail } = probe.stats();
    const why = `rules fired: ${[...fired.entries()].map(([r, o]) => `${r}: ${o}`).join('\n')}\n(probe so far: ${dropped} records dropped, ${readFail} with unreadable arguments)`;
    expect([...fired.keys()], why).toContain(rule);
  }, 30_000);

  test('ordinary work in a temporary directory raises nothing', async () => {
    const fired = await rulesFor([
      `cd ${dir}`, 'mkdir -p proj/src', 'echo "int main(void){return 0;}" > proj/src/main.c', 'cat proj/src/main.c > /dev/null',
      'ls -la proj > /dev/null', 'cp proj/src/main.c proj/src/copy.c', 'mv proj/src/copy.c proj/src/moved.c', 'rm proj/src/moved.c',
      'grep -r main proj > /dev/null', 'cat /etc/hostname /etc/passwd > /dev/null', 'id > /dev/null', '"$PY" -c "print(1)" > /dev/null',
      // a root program dropping privileges, as every daemon does at start
      '"$PY" -c "import os; os.setgid(65534); os.setuid(65534)"',
      'echo done > /dev/null',
    ].join(' && ').replace(/^/, `export PY=${python}; `));
    expect([...fired.entries()].map(([r, o]) => `${r}: ${o}`)).toEqual([]);
  }, 30_000);

  test('the test left nothing behind', () => {
    for (const p of ['/etc', '/usr/bin', '/usr/local/lib', '/root', '/dev', '/dev/shm']) {
      expect(readdirSync(p).filter((f) => f.startsWith('saker-live-')), p).toEqual([]);
    }
    expect(existsSync('/var/log/secure')).toBe(false);
  });
});
