// Probe -> collector -> in-process bus on the real kernel (root): real actions of a child shell
// come back as correctly enriched events on the events topic.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, realpathSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryBus, type MemoryBus } from '../bus/memory.js';
import { bootstrapState } from '../collector/sources/bootstrap.js';
import { readSystemFiles } from '../collector/sources/system-files.js';
import { runCollector, type CollectorStats } from '../collector/service.js';
import { openProbe, selectSyscalls, type Probe } from '../probe/index.js';
import { requireRoot, sleep } from '../probe/test-support.js';
import { eventCodec } from '../schemas/codec.js';
import type { Event } from '../schemas/types.generated.js';

const EVENTS = 'test.events';
const TYPES = ['openat', 'open', 'execve', 'connect', 'close', 'dup', 'dup2', 'dup3', 'fcntl', 'memfd_create', 'procexit'];

describe('live collector: probe -> state -> enrichment -> bus', () => {
  let probe: Probe;
  let bus: MemoryBus;
  let done: Promise<CollectorStats>;
  let server: Server;
  let port = 0;
  let dir: string;
  const sys = readSystemFiles();

  beforeAll(async () => {
    requireRoot();
    dir = mkdtempSync(join(tmpdir(), 'saker-live-'));
    server = createServer((s) => s.on('data', () => s.end()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
    bus = createMemoryBus();
    const { state } = bootstrapState({ users: sys.users, groups: sys.groups });
    // Other work on this machine is recorded too: keep the set small (plus the state syscalls).
    probe = await openProbe({ syscalls: selectSyscalls(TYPES).syscalls, flushMs: 5 });
    done = runCollector({
      source: probe, host: sys.host, state, eventTypes: new Set(TYPES),
      bus: { bus, eventsTopic: EVENTS, deadLetterTopic: 'test.dlq' },
    });
  });

  afterAll(async () => {
    await probe?.close();
    await done;
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // Decoded incrementally; only this test's descendants are kept (the machine is busy).
  const mine: Event[] = [];
  const keys = new Map<number, string>();
  let decoded = 0;
  function events(): Event[] {
    const all = bus.read(EVENTS);
    for (; decoded < all.length; decoded++) {
      const e = eventCodec.decode(all[decoded]!.value);
      if (e.ancestors.some((a) => a.pid === process.pid)) {
        mine.push(e);
        keys.set(e.proc.pid, all[decoded]!.key!);
      }
    }
    return mine;
  }

  /** Waits for the events of `pid` up to and including its procexit. */
  async function eventsOf(pid: number): Promise<Event[]> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const all = events();
      if (all.some((e) => e.proc.pid === pid && e.type === 'procexit')) return all.filter((e) => e.proc.pid === pid);
      await sleep(25);
    }
    throw new Error(`no procexit event for pid ${pid} within 30 s (probe: ${JSON.stringify(probe.stats())})`);
  }

  function runShell(script: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const c = spawn('/bin/bash', ['-c', script], { cwd: dir, stdio: 'ignore' });
      c.on('error', reject);
      c.on('exit', (code) => (code === 0 ? resolve(c.pid!) : reject(new Error(`bash exited ${code}`))));
    });
  }

  it('a shell that runs cat, writes a file, dups and connects: process, ancestors, fds, keys', async () => {
    const bashPid = await runShell(`cat /etc/hostname >/dev/null; exec 4>out.txt; exec 5>&4; echo hi >&5; exec 3<>/dev/tcp/127.0.0.1/${port}; echo ping >&3; exec 3>&-`);
    const bash = await eventsOf(bashPid);

    // The shell itself: a child of this test process, running in the temp dir.
    const open = bash.find((e) => e.type === 'openat' && e.fd?.name === `${dir}/out.txt`);
    expect(open).toBeDefined();
    expect(open!.proc).toMatchObject({ pid: bashPid, ppid: process.pid, name: 'bash', exepath: realpathSync('/bin/bash'), cwd: `${dir}/`, uid: 0, user: 'root', group: 'root' });
    expect(open!.proc.args).toEqual(['-c', expect.stringContaining('cat /etc/hostname')]);
    expect(open!.ancestors[0]).toMatchObject({ pid: process.pid, exepath: process.execPath });
    expect(open!.ancestors.length).toBeGreaterThanOrEqual(2);
    // bash opens at the lowest free fd, then moves it to 4 with dup2.
    expect(open!.fd).toMatchObject({ typeChar: 'f', nameRaw: 'out.txt' });
    expect(open!.args.find((a) => a.name === 'flags')!.text).toBe('O_TRUNC|O_CREAT|O_WRONLY');
    expect(open!.container.id).toBe('host');
    expect(open!.host).toEqual(sys.host);

    const dups = bash.filter((e) => e.type.startsWith('dup') || (e.type === 'fcntl' && (e.res ?? -1) >= 0));
    expect(dups.find((e) => e.fd?.num === 4)?.fd?.name).toBe(`${dir}/out.txt`);
    expect(dups.find((e) => e.fd?.num === 5)?.fd?.name).toBe(`${dir}/out.txt`);

    // The TCP connect: the C library may first connect to a unix socket of its own (an NSS module: systemd userdb, nscd).
    const conn = bash.find((e) => e.type === 'connect' && e.fd?.typeChar !== 'u');
    expect(conn?.fd).toMatchObject({ typeChar: '4', l4proto: 'tcp', sockfamily: 'ip', sip: '127.0.0.1', sport: port, cip: '127.0.0.1', isServer: false, connected: true });
    expect(conn!.fd!.name).toBe(`127.0.0.1:${conn!.fd!.cport}->127.0.0.1:${port}`);
    const close = bash.find((e) => e.type === 'close' && e.fd?.sport === port);
    expect(close).toBeDefined();

    // cat: a forked child of the shell that exec'd, read /etc/hostname, exited.
    const catExec = events().find((e) => e.type === 'execve' && e.proc.name === 'cat' && e.proc.ppid === bashPid);
    expect(catExec).toBeDefined();
    expect(catExec!.res).toBe(0);
    expect(catExec!.proc).toMatchObject({ exe: 'cat', args: ['/etc/hostname'], cwd: `${dir}/`, user: 'root' });
    expect(catExec!.proc.exepath).toMatch(/\/cat$/);
    expect(catExec!.ancestors.slice(0, 2).map((a) => a.pid)).toEqual([bashPid, process.pid]);
    expect(catExec!.ancestors[0]).toMatchObject({ name: 'bash', exepath: realpathSync('/bin/bash') });
    const cat = await eventsOf(catExec!.proc.pid);
    const catOpen = cat.find((e) => e.type === 'openat' && e.fd?.name === '/etc/hostname');
    expect(catOpen?.fd?.num).toBeGreaterThanOrEqual(3);
    expect(catOpen!.args.find((a) => a.name === 'flags')!.text).toMatch(/^O_RDONLY/);

    // Bus keys are host:tgid, so a process's events stay in order on one partition.
    expect(keys.get(bashPid)).toBe(`${sys.host.id}:${bashPid}`);
  });

  it('a memfd exec is marked fileless', async () => {
    // python3 writes /bin/true into a memfd and execs it by its /proc path.
    const script = "import os; fd = os.memfd_create('payload', 0); os.write(fd, open('/bin/true','rb').read()); os.execv('/proc/self/fd/%d' % fd, ['payload'])";
    const pid = await new Promise<number>((resolve, reject) => {
      // Debian's python3 (a pyenv shim would add its own execs).
      const c = spawn('/usr/bin/python3', ['-c', script], { stdio: 'ignore' });
      c.on('error', reject);
      c.on('exit', (code) => (code === 0 ? resolve(c.pid!) : reject(new Error(`python3 exited ${code}`))));
    });
    const mine = await eventsOf(pid);
    const memfd = mine.find((e) => e.type === 'memfd_create');
    expect(memfd?.fd).toMatchObject({ typeChar: 'm', name: 'memfd:payload' });
    const exec = mine.filter((e) => e.type === 'execve' && e.res === 0).pop();
    expect(exec?.proc.isExeFromMemfd).toBe(true);
    expect(exec!.proc.exe).toBe('payload');
  });
});
