// The seeding API's input types: what a bootstrap (/proc snapshot, a .scap file's process, fd
// and user lists) tells the state engine about the world before the first record.

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
