// The state engine's tables. Processes and threads are separate: threads of one process share
// its ProcessEntry (exe, args, cwd, fds...), as the kernel shares them with CLONE_THREAD.
// The `view`/`ancestors` fields cache the frozen sub-objects of `Event` built from an entry,
// so that enrichment of the next event of the same thread allocates none of them again and the
// encoder can reuse their bytes (it trusts frozen objects only).
import type { Ancestor, FileDescriptor, Process } from '../../schemas/types.generated.js';

export interface FdEntry {
  /** Frozen; replaced (never mutated) when the descriptor changes, e.g. on connect. */
  view: FileDescriptor;
  /** Closed on a successful execve. */
  cloexec: boolean;
}

/** A descriptor table, shared copy-on-write between a parent and its forked children. */
export interface FdTable {
  map: Map<number, FdEntry>;
  /** Processes using this table; a writer with refs > 1 copies it first. */
  refs: number;
}

export interface ProcessEntry {
  pid: number;
  ppid: number;
  vpid: number;
  sid: number | null;
  comm: string;
  exe: string;
  exepath: string;
  args: readonly string[];
  /** With a trailing slash, as Falco prints it. */
  cwd: string | null;
  tty: number;
  uid: number;
  gid: number;
  loginuid: number;
  capEffective: number;
  startTs: bigint;
  exeUpperLayer: boolean;
  exeFromMemfd: boolean;
  /** 12-char id or `host`; the Container object comes from the engine's container table. */
  containerId: string;
  fds: FdTable;
  /** Live threads; the entry goes when the last one exits. */
  threads: number;
  /** Changes (from a global counter) whenever a field above changes; invalidates `view`s. */
  version: number;
  /**
   * Cached ancestor chain with the entries it was built from and their versions: valid while
   * each is alive (threads > 0) with the same version. Checking needs no table look-ups.
   */
  ancestors: readonly Ancestor[] | null;
  ancestorRefs: ProcessEntry[];
  ancestorVersions: number[];
  /** This process as an Ancestor of others, valid while `selfVersion === version`. */
  self: Ancestor | null;
  selfVersion: number;
  /** The bus key `host:tgid`, built once. */
  key: string | null;
}

export interface ThreadEntry {
  tid: number;
  proc: ProcessEntry;
  /** The thread's own name where it differs from the process's (threads can rename themselves). */
  comm: string | null;
  /** Cached Event.proc for this thread (frozen), valid while viewVersion === proc.version + users gen. */
  view: Process | null;
  viewVersion: number;
  viewUsersGen: number;
  /** Record counter at the thread's last event: eviction of threads whose exit was lost. */
  lastSeen: number;
  /** The last ENTER record's type and args, for exit records that carry only the result. */
  enterType: string | null;
  enterArgs: Record<string, unknown> | null;
}
