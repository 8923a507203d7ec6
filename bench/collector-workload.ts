// A synthetic but self-consistent stream of RawRecords for the collector benchmark and the
// boundedness test: long-lived processes doing file and network I/O, and short-lived children
// (clone -> execve -> open/read/close -> procexit) spawned between them. Every cycle leaves the
// tables as it found them, so the stream can be replayed any number of times.
import type { RawRecord } from '../collector/raw-record.js';
import type { StateEngine } from '../collector/state/engine.js';

export interface WorkloadOptions {
  /** Long-lived processes (default 200). */
  servers?: number;
  /** Records of server activity between two short-lived children (default 50). */
  recordsPerChild?: number;
  /** Total records in one cycle (approximately; default 200,000). */
  records?: number;
  /** First pid of the short-lived children (default 100000). */
  childPidBase?: number;
}

const O_RDONLY = 0;
const O_WRONLY = 1;
const O_CREAT = 0o100;
const O_TRUNC = 0o1000;
const O_CLOEXEC = 0o2000000;
const BASE_TS = 1_750_000_000_000_000_000n;

export function seedWorkload(state: StateEngine, servers = 200): void {
  state.seedUser(0, 'root');
  state.seedUser(33, 'www-data');
  state.seedGroup(0, 'root');
  state.seedGroup(33, 'www-data');
  state.seedProcess({ pid: 1, ppid: 0, comm: 'systemd', exe: '/sbin/init', exepath: '/usr/lib/systemd/systemd', args: [], cwd: '/', startTs: BASE_TS - 10n ** 12n });
  state.seedProcess({ pid: 900, ppid: 1, comm: 'containerd-shim', exe: '/usr/bin/containerd-shim-runc-v2', exepath: '/usr/bin/containerd-shim-runc-v2', args: ['-namespace', 'moby', '-id', 'a'.repeat(64)], cwd: '/', startTs: BASE_TS - 10n ** 11n });
  for (let i = 0; i < servers; i++) {
    const pid = 1000 + i;
    state.seedProcess({
      pid, ppid: 900, sid: pid, comm: 'nginx', exe: 'nginx', exepath: '/usr/sbin/nginx', args: ['-g', 'daemon off;'],
      cwd: '/var/www', uid: 33, gid: 33, startTs: BASE_TS - 10n ** 10n,
      cgroup: i % 2 === 0 ? `0::/system.slice/docker-${'ab'.repeat(32)}.scope` : '0::/user.slice',
    });
    state.seedFd(pid, { num: 3, typeChar: '4', l4proto: 'tcp', sip: '0.0.0.0', sport: 80, isServer: true });
    state.seedFd(pid, { num: 4, typeChar: 'f', name: '/var/log/nginx/access.log' });
  }
}

export function generateWorkload(options: WorkloadOptions = {}): RawRecord[] {
  const servers = options.servers ?? 200;
  const perChild = options.recordsPerChild ?? 50;
  const total = options.records ?? 200_000;
  const childBase = options.childPidBase ?? 100_000;
  const out: RawRecord[] = [];
  let ts = BASE_TS;
  let child = childBase;
  const rec = (type: string, tid: number, pid: number, res: number | null, args: RawRecord['args'], extra: Partial<RawRecord> = {}): void => {
    ts += 1000n;
    out.push({ type, dir: 'EXIT', ts, cpu: out.length & 1, tid, pid, res, args, ...extra });
  };
  let step = 0;
  while (out.length < total) {
    for (let k = 0; k < perChild; k++, step++) {
      const pid = 1000 + (step % servers);
      switch (step % 10) {
        case 0: rec('openat', pid, pid, 5, { fd: 5, dirfd: -100, name: `/var/www/html/page${step % 97}.html`, flags: O_RDONLY | O_CLOEXEC, mode: 0 }); break;
        case 1: case 2: rec('read', pid, pid, 4096, { fd: 5, size: 4096 }); break;
        case 3: rec('close', pid, pid, 0, { fd: 5 }); break;
        case 4: rec('accept4', pid, pid, 6, { fd: 6, tuple: { family: 'inet', src: { family: 'inet', ip: '10.0.0.7', port: 40000 + (step % 20000) }, dst: { family: 'inet', ip: '10.0.0.2', port: 80 } }, listen_fd: 3, flags: 0 }); break;
        case 5: rec('recvfrom', pid, pid, 512, { fd: 6, size: 65536 }); break;
        case 6: rec('sendto', pid, pid, 2048, { fd: 6, size: 2048 }); break;
        case 7: rec('write', pid, pid, 120, { fd: 4, size: 120 }); break;
        case 8: rec('close', pid, pid, 0, { fd: 6 }); break;
        case 9: rec('fstat', pid, pid, 0, { fd: 4 }); break;
      }
    }
    // A short-lived child of one server: a CGI-style shell running a command.
    const parent = 1000 + (child % servers);
    const c = child++;
    rec('clone', parent, parent, c, { flags: 0x1200011 /* SIGCHLD|CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID */ });
    rec('clone', c, c, 0, { flags: 0x1200011 }, { facts: { ppid: parent, vpid: c } });
    rec('execve', c, c, 0, { filename: '/bin/sh' }, { facts: { argv: ['sh', '-c', 'date'], exepath: '/usr/bin/dash', comm: 'sh', cwd: '/var/www', uid: 33, gid: 33 } });
    rec('openat', c, c, 3, { fd: 3, dirfd: -100, name: '/etc/passwd', flags: O_RDONLY | O_CLOEXEC, mode: 0 });
    rec('read', c, c, 1024, { fd: 3, size: 4096 });
    rec('openat', c, c, 4, { fd: 4, dirfd: -100, name: 'out.txt', flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644 });
    rec('close', c, c, 0, { fd: 3 });
    rec('close', c, c, 0, { fd: 4 });
    rec('procexit', c, c, null, { status: 0 });
  }
  return out;
}

/** The same child life cycle with fresh pids, generated on the fly (a million processes would not fit). */
export function* shortLivedChildren(count: number, options: { parent: number; pidBase: number; loseExitEvery?: number }): Generator<RawRecord> {
  let ts = BASE_TS;
  for (let i = 0; i < count; i++) {
    const c = options.pidBase + i;
    const p = options.parent;
    const mk = (type: string, tid: number, res: number | null, args: RawRecord['args'], extra: Partial<RawRecord> = {}): RawRecord => {
      ts += 1000n;
      return { type, dir: 'EXIT', ts, cpu: 0, tid, pid: tid, res, args, ...extra };
    };
    yield mk('clone', p, c, { flags: 0x1200011 });
    yield mk('clone', c, 0, {}, { facts: { ppid: p } });
    yield mk('execve', c, 0, { filename: '/bin/true' }, { facts: { argv: ['true'], exepath: '/usr/bin/true', comm: 'true' } });
    yield mk('openat', c, 3, { fd: 3, dirfd: -100, name: `/tmp/f${i % 1000}`, flags: O_WRONLY | O_CREAT, mode: 0o600 });
    yield mk('socket', c, 4, { domain: 2, type: 1, proto: 0 });
    // Some exits are "lost" (a dropping source): only the table cap can reclaim those.
    if (options.loseExitEvery === undefined || i % options.loseExitEvery !== 0) yield mk('procexit', c, null, {});
  }
}
