// The seeding API's input types: what a bootstrap (/proc snapshot, a .scap file's process, fd
// and user lists) tells the state engine about the world before the first record.
import { containerIdFromCgroup } from './container-id.js';
import { asDirectory } from './paths.js';
import type { ProcessFacts } from '../raw-record.js';
import type { ProcessEntry } from './types.js';

/** Levels of ancestors kept per event (Falco's rules look up to proc.aname[7]). */
export const MAX_ANCESTORS = 12;

export interface ProcessSeed {
  /** Thread group id. */
  pid: number;
  /** Thread id; default `pid` (the main thread). Further threads: `seedThread`. */
  tid?: number;
  ppid?: number;
  /** pid in its own namespace; default pid. */
  vpid?: number;
  /** Session id. */
  sid?: number | null;
  /** comm, at most 15 characters. */
  comm?: string;
  /** argv[0]. */
  exe?: string;
  /** Real path of the executable (`/memfd:x (deleted)` marks a memfd). */
  exepath?: string;
  /** Arguments after argv[0]. */
  args?: string[];
  cwd?: string | null;
  tty?: number;
  uid?: number;
  gid?: number;
  loginuid?: number;
  capEffective?: number;
  /** ns since the epoch. */
  startTs?: bigint;
  /** /proc/PID/cgroup text or one cgroup path; the container id is derived from it. */
  cgroup?: string;
  /** The container id when the source already knows it (wins over `cgroup`). */
  containerId?: string;
  exeUpperLayer?: boolean;
  exeFromMemfd?: boolean;
}

/**
 * One open descriptor. For sockets give the endpoints (cip/cport = client, sip/sport = server);
 * `name` defaults to Falco's `cip:cport->sip:sport`.
 */
export interface FdSeed {
  num: number;
  /** f file, d directory, 4/6 inet, u unix, p pipe, e eventfd, s signalfd, l eventpoll, i inotify, b bpf, m memfd, t timerfd, n netlink, o other. */
  typeChar: string;
  name?: string;
  nameRaw?: string | null;
  l4proto?: string | null;
  cip?: string | null;
  cport?: number | null;
  sip?: string | null;
  sport?: number | null;
  isServer?: boolean | null;
  connected?: boolean | null;
  cloexec?: boolean;
}

/** Copies what a seed says onto a process entry. */
export function applySeed(p: ProcessEntry, s: ProcessSeed): void {
  if (s.ppid !== undefined) p.ppid = s.ppid;
  p.vpid = s.vpid ?? p.vpid;
  if (s.sid !== undefined) p.sid = s.sid;
  if (s.comm !== undefined) p.comm = s.comm;
  if (s.exe !== undefined) p.exe = s.exe;
  if (s.exepath !== undefined) p.exepath = s.exepath;
  if (s.args !== undefined) p.args = s.args.slice();
  if (s.cwd !== undefined) p.cwd = s.cwd === null ? null : asDirectory(s.cwd);
  if (s.tty !== undefined) p.tty = s.tty;
  if (s.uid !== undefined) p.uid = s.uid;
  if (s.gid !== undefined) p.gid = s.gid;
  if (s.loginuid !== undefined) p.loginuid = s.loginuid;
  if (s.capEffective !== undefined) p.capEffective = s.capEffective;
  if (s.startTs !== undefined) p.startTs = s.startTs;
  if (s.containerId !== undefined) p.containerId = s.containerId;
  else if (s.cgroup !== undefined) p.containerId = containerIdFromCgroup(s.cgroup);
  if (s.exeUpperLayer !== undefined) p.exeUpperLayer = s.exeUpperLayer;
  if (s.exeFromMemfd !== undefined) p.exeFromMemfd = s.exeFromMemfd;
  else if (s.exepath !== undefined && isMemfdPath(s.exepath)) p.exeFromMemfd = true;
}

/** A memfd shows as `memfd:NAME` or, through /proc/PID/exe, `/memfd:NAME (deleted)`. */
export function isMemfdPath(path: string): boolean {
  return path.startsWith('memfd:') || path.startsWith('/memfd:');
}

/** Copies a record's process facts onto a process entry (the caller bumps its version). */
export function applyFactsTo(p: ProcessEntry, f: ProcessFacts): void {
  if (f.ppid !== undefined) p.ppid = f.ppid;
  if (f.vpid !== undefined) p.vpid = f.vpid;
  if (f.uid !== undefined) p.uid = f.uid;
  if (f.gid !== undefined) p.gid = f.gid;
  if (f.comm !== undefined) p.comm = f.comm;
  if (f.exepath !== undefined) p.exepath = f.exepath;
  if (f.argv !== undefined && f.argv.length > 0) {
    p.exe = f.argv[0]!;
    p.args = f.argv.slice(1);
  }
  if (f.cwd !== undefined) p.cwd = asDirectory(f.cwd);
  if (f.cgroup !== undefined) p.containerId = containerIdFromCgroup(f.cgroup);
  if (f.tty !== undefined) p.tty = f.tty;
  if (f.loginuid !== undefined) p.loginuid = f.loginuid;
  if (f.capEffective !== undefined) p.capEffective = f.capEffective;
  if (f.startTs !== undefined) p.startTs = f.startTs;
  if (f.exeUpperLayer !== undefined) p.exeUpperLayer = f.exeUpperLayer;
  if (f.exeFromMemfd !== undefined) p.exeFromMemfd = f.exeFromMemfd;
}
