// RawRecord: the one normalised form of a syscall record, whatever produced it (the live probe,
// the .scap reader, a test script). The collector's state engine consumes only this, so every
// source gets identical enrichment. Conventions, so that sources agree:
// - `type` is the syscall name as Falco spells evt.type (`openat`, `execve`, `clone`, `connect`),
//   plus `procexit` for a thread's exit.
// - Argument names are Falco's parameter names for the event (libs' driver/event_table.c:
//   `fd`, `dirfd`, `name`, `flags`, `mode`, `res`, `exe`, `args`, `addr`, `tuple`, `oldpath`...).
// - Numbers are Linux ABI values: open flags are O_* bits, families are AF_*; a source that
//   stores another encoding (scap's PPM_O_* flags) converts before handing the record over.
// - Socket addresses are `SockAddr` objects, never pre-formatted text.

export type Direction = 'ENTER' | 'EXIT';

export type SockAddr =
  | { family: 'inet' | 'inet6'; ip: string; port: number }
  | { family: 'unix'; path: string }
  | { family: 'other'; af: number };

/** A connection tuple as a socket syscall sees it (connect/accept/sendto...). */
export interface SockTuple { family: 'inet' | 'inet6' | 'unix'; src: SockAddr; dst: SockAddr }

export type RawArg = number | bigint | string | string[] | Buffer | SockAddr | SockTuple | null;

/**
 * Facts about the calling process that the source knows first-hand, sent on exec/fork/clone
 * (and by the /proc or .scap bootstrap), not on every syscall.
 */
export interface ProcessFacts {
  ppid?: number;
  vpid?: number;
  uid?: number;
  gid?: number;
  comm?: string;
  exepath?: string;
  /** argv[0] and the rest, when the source has them. */
  argv?: string[];
  cwd?: string;
  /** cgroup path(s) used to derive the container id. */
  cgroup?: string;
  tty?: number;
  loginuid?: number;
  capEffective?: number;
  startTs?: bigint;
  exeUpperLayer?: boolean;
  exeFromMemfd?: boolean;
}

export interface RawRecord {
  type: string;
  dir: Direction;
  /** ns since the Unix epoch. */
  ts: bigint;
  cpu: number;
  tid: number;
  /** Thread group id. */
  pid: number;
  /** Return value, exit records only. */
  res: number | null;
  args: Record<string, RawArg>;
  facts?: ProcessFacts;
}
