// The /proc bootstrap: the processes, threads and open descriptors that exist when the collector
// starts, as seeds for the state engine, and the same reader for single processes the engine
// meets later without having seen their birth (`resolveMissing`). An edge module: it reads
// files, the state engine does not.
//
// Per process: stat (ppid, session, tty, start time), status (uids, gids, CapEff), cmdline,
// comm, exe and cwd links, cgroup, loginuid, task/ (threads), fd/ (descriptors). Socket fds are
// matched by inode against the tcp/udp/unix tables of the process's network namespace.
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { isMemfdPath } from '../state/engine.js';
import type { FdSeed, ProcessSeed } from '../state/seeds.js';

export interface ProcSnapshotOptions {
  /** Default /proc. */
  procRoot?: string;
  /** Descriptors read per process (default 4096): /proc/PID/fd can be huge. */
  maxFdsPerProcess?: number;
}

export interface ProcSnapshot {
  processes: ProcessSeed[];
  threads: Array<{ tid: number; pid: number }>;
  fds: Array<{ pid: number; fd: FdSeed }>;
}

/** What the state engine needs to be seeded (StateEngine implements it). */
export interface SeedTarget {
  seedProcess(seed: ProcessSeed): void;
  seedThread(tid: number, pid: number): void;
  seedFd(pid: number, seed: FdSeed): void;
}

const CLK_TCK = 100;

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function link(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}

export class ProcReader {
  private readonly root: string;
  private readonly bootNs: bigint;
  private readonly maxFds: number;
  /** Socket inode -> endpoints, per network namespace (read once per namespace). */
  private readonly sockets = new Map<string, Map<string, Omit<FdSeed, 'num'>>>();
  /** Overlay mounts (mount point -> upper directory), per mount namespace. */
  private readonly overlays = new Map<string, Array<{ mountPoint: string; upperdir: string }>>();

  constructor(options: ProcSnapshotOptions = {}) {
    this.root = options.procRoot ?? '/proc';
    this.maxFds = options.maxFdsPerProcess ?? 4096;
    const btime = /^btime (\d+)$/m.exec(read(`${this.root}/stat`) ?? '');
    this.bootNs = btime ? BigInt(btime[1]!) * 1_000_000_000n : 0n;
  }

  /** One process (thread group) as a seed, or null when it is gone. */
  process(pid: number, tid = pid): ProcessSeed | null {
    const base = `${this.root}/${pid}`;
    const stat = read(`${base}/stat`);
    const status = read(`${base}/status`);
    if (stat === null || status === null) return null;
    // comm may hold spaces and parentheses: the fields start after the last ')'.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const f = stat.slice(close + 2).split(' ');
    const field = (n: number): number => Number(f[n - 3]);
    const statusField = (name: string): string[] => (new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1] ?? '').split(/\s+/);
    const cmdline = read(`${base}/cmdline`) ?? '';
    const argv = cmdline.length > 0 ? cmdline.replace(/\0$/, '').split('\0') : [];
    const exepath = link(`${base}/exe`) ?? '';
    const loginuid = Number(read(`${base}/loginuid`) ?? '-1');
    const nspid = statusField('NSpid');
    return {
      pid, tid, ppid: field(4), sid: field(6), tty: field(7), comm,
      exe: argv[0] ?? comm, args: argv.slice(1), exepath,
      cwd: link(`${base}/cwd`), uid: Number(statusField('Uid')[1] ?? 0), gid: Number(statusField('Gid')[1] ?? 0),
      vpid: Number(nspid[nspid.length - 1] ?? pid),
      loginuid: loginuid === 4294967295 ? -1 : loginuid,
      capEffective: Number.parseInt(statusField('CapEff')[0] ?? '0', 16),
      startTs: this.bootNs + (BigInt(f[22 - 3] ?? '0') * 1_000_000_000n) / BigInt(CLK_TCK),
      cgroup: read(`${base}/cgroup`) ?? undefined,
      exeFromMemfd: isMemfdPath(exepath),
      exeUpperLayer: this.inUpperLayer(pid, exepath),
    };
  }

  /**
   * Whether the executable was written into an overlay's upper layer (a container's own
   * writes) rather than coming from an image layer: the file exists in the upper directory of
   * the overlay mount that holds it. The process's mount table names the mounts in its view;
   * the upper directory is a path of whoever mounted it, normally this (the host's) view.
   */
  private inUpperLayer(pid: number, exepath: string): boolean {
    if (!exepath.startsWith('/')) return false;
    const ns = link(`${this.root}/${pid}/ns/mnt`) ?? `pid:${pid}`;
    let overlays = this.overlays.get(ns);
    if (overlays === undefined) {
      overlays = overlayMounts(read(`${this.root}/${pid}/mountinfo`) ?? '');
      this.overlays.set(ns, overlays);
    }
    let best: { mountPoint: string; upperdir: string } | undefined;
    for (const o of overlays) {
      const under = o.mountPoint === '/' || exepath === o.mountPoint || exepath.startsWith(`${o.mountPoint}/`);
      if (under && (best === undefined || o.mountPoint.length > best.mountPoint.length)) best = o;
    }
    if (best === undefined) return false;
    const rel = best.mountPoint === '/' ? exepath : exepath.slice(best.mountPoint.length);
    return existsSync(`${best.upperdir}${rel}`);
  }

  /** The open descriptors of a process. */
  fds(pid: number): FdSeed[] {
    const dir = `${this.root}/${pid}/fd`;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return [];
    }
    const out: FdSeed[] = [];
    const netns = link(`${this.root}/${pid}/ns/net`) ?? 'host';
    for (const name of names.slice(0, this.maxFds)) {
      const target = link(`${dir}/${name}`);
      if (target === null) continue;
      const num = Number(name);
      const flags = /^flags:\s*(\d+)/m.exec(read(`${this.root}/${pid}/fdinfo/${name}`) ?? '');
      const cloexec = flags !== null && (Number.parseInt(flags[1]!, 8) & 0o2000000) !== 0;
      out.push({ num, cloexec, ...this.describe(pid, target, netns) });
    }
    return out;
  }

  private describe(pid: number, target: string, netns: string): Omit<FdSeed, 'num'> {
    if (target.startsWith('/')) {
      if (target.startsWith('/memfd:')) return { typeChar: 'm', name: target.slice(1).replace(/ \(deleted\)$/, '') };
      return { typeChar: 'f', name: target };
    }
    const m = /^(\w+):\[(\d+)\]$/.exec(target);
    if (m?.[1] === 'socket') return this.socketsOf(pid, netns).get(m[2]!) ?? { typeChar: 'o', name: target };
    if (m?.[1] === 'pipe') return { typeChar: 'p', name: '' };
    const anon = /^anon_inode:\[?([\w-]+)\]?/.exec(target)?.[1];
    switch (anon) {
      case 'eventfd': return { typeChar: 'e', name: '' };
      case 'signalfd': return { typeChar: 's', name: '' };
      case 'eventpoll': return { typeChar: 'l', name: '' };
      case 'inotify': return { typeChar: 'i', name: '' };
      case 'timerfd': return { typeChar: 't', name: '' };
      case 'bpf-map': case 'bpf-prog': case 'bpf_link': case 'bpf-link': return { typeChar: 'b', name: '' };
      default: return { typeChar: 'o', name: target };
    }
  }

  private socketsOf(pid: number, netns: string): Map<string, Omit<FdSeed, 'num'>> {
    let table = this.sockets.get(netns);
    if (table !== undefined) return table;
    table = new Map();
    const net = `${this.root}/${pid}/net`;
    for (const [file, typeChar, l4proto] of [['tcp', '4', 'tcp'], ['tcp6', '6', 'tcp'], ['udp', '4', 'udp'], ['udp6', '6', 'udp']] as const) {
      const lines = (read(`${net}/${file}`) ?? '').split('\n').slice(1);
      for (const line of lines) {
        const c = line.trim().split(/\s+/);
        if (c.length < 10) continue;
        const local = hexEndpoint(c[1]!);
        const remote = hexEndpoint(c[2]!);
        // TCP state 0A is LISTEN: the process is the server of its local address.
        const listening = l4proto === 'tcp' && c[3] === '0A';
        const unconnected = remote.port === 0;
        table.set(c[9]!, listening || (l4proto === 'udp' && unconnected)
          ? { typeChar, l4proto, sip: local.ip, sport: local.port, isServer: true, connected: false, name: `${local.ip}:${local.port}` }
          : { typeChar, l4proto, cip: local.ip, cport: local.port, sip: remote.ip, sport: remote.port, isServer: false, connected: true });
      }
    }
    for (const line of (read(`${net}/unix`) ?? '').split('\n').slice(1)) {
      const c = line.trim().split(/\s+/);
      if (c.length >= 7) table.set(c[6]!, { typeChar: 'u', name: c[7] ?? '' });
    }
    this.sockets.set(netns, table);
    return table;
  }

  /** Every process, thread and descriptor now. Processes that vanish while being read are skipped. */
  snapshot(): ProcSnapshot {
    const out: ProcSnapshot = { processes: [], threads: [], fds: [] };
    for (const name of readdirSync(this.root)) {
      if (!/^\d+$/.test(name)) continue;
      const pid = Number(name);
      const seed = this.process(pid);
      if (seed === null) continue;
      out.processes.push(seed);
      let tasks: string[] = [];
      try {
        tasks = readdirSync(`${this.root}/${pid}/task`);
      } catch {
        // gone meanwhile
      }
      for (const t of tasks) if (Number(t) !== pid) out.threads.push({ tid: Number(t), pid });
      for (const fd of this.fds(pid)) out.fds.push({ pid, fd });
    }
    return out;
  }

  isAlive(tid: number): boolean {
    return read(`${this.root}/${tid}/stat`) !== null;
  }
}

/**
 * Overlay mounts of a /proc/PID/mountinfo text: `ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS
 * [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS`, upperdir from the super options. Octal escapes
 * (`\040` for a space) are decoded.
 */
export function overlayMounts(mountinfo: string): Array<{ mountPoint: string; upperdir: string }> {
  const out: Array<{ mountPoint: string; upperdir: string }> = [];
  for (const line of mountinfo.split('\n')) {
    const f = line.split(' ');
    const dash = f.indexOf('-');
    if (dash < 0 || f[dash + 1] !== 'overlay') continue;
    const upper = (f[dash + 3] ?? '').split(',').find((o) => o.startsWith('upperdir='));
    if (upper === undefined) continue;
    out.push({ mountPoint: unescapeMount(f[4] ?? ''), upperdir: unescapeMount(upper.slice('upperdir='.length)) });
  }
  return out;
}

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)));
}

/** Seeds a state engine from a snapshot. */
export function seedFromSnapshot(snap: ProcSnapshot, target: SeedTarget): void {
  for (const p of snap.processes) target.seedProcess(p);
  for (const t of snap.threads) target.seedThread(t.tid, t.pid);
  for (const f of snap.fds) target.seedFd(f.pid, f.fd);
}

/** `0100007F:1F90` (little-endian IPv4, or 4 little-endian words of IPv6) -> ip and port. */
export function hexEndpoint(text: string): { ip: string; port: number } {
  const [addr = '', port = '0'] = text.split(':');
  if (addr.length === 8) {
    const n = Number.parseInt(addr, 16);
    return { ip: [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24].join('.'), port: Number.parseInt(port, 16) };
  }
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) {
    const n = Number.parseInt(addr.slice(w * 8, w * 8 + 8), 16);
    bytes.push(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
  }
  return { ip: ipv6Text(bytes), port: Number.parseInt(port, 16) };
}

function ipv6Text(b: number[]): string {
  if (b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return b.slice(12).join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  // Longest run of zero groups becomes '::'.
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}
