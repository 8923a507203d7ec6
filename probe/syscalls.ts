// The syscalls the probe can record (x86_64 numbers) and how each one's arguments are encoded
// and named. One table drives both sides: native.ts turns it into the per-syscall BPF
// configuration (struct saker_sc_conf in bpf/record.h: which arguments become string or
// sockaddr blobs, specials, tuples), decode.ts uses it to name the arguments the way Falco's
// event table does. Argument specs are written `name:kind` by raw argument index, `-` = unused.
import { ProbeOptionsError } from './errors.js';

/**
 * How a raw argument is decoded. Blob kinds (str, sockaddr, msghdr) are read in the kernel;
 * fdpair (int[2] written by pipe/socketpair) is read in the kernel into the argument itself and
 * decodes to `fd1` and `fd2`.
 */
export type ArgKind =
  | 'fd' | 'i32' | 'u32' | 'u64' | 'ptr'
  | 'str' | 'sockaddr' | 'msghdr' | 'fdpair';

export interface ArgSpec { readonly name: string; readonly kind: ArgKind; readonly index: number }

export type Special = 'exec' | 'fork' | 'clone3' | 'openat2';

export interface SyscallSpec {
  readonly name: string;
  readonly nr: number;
  readonly args: readonly ArgSpec[];
  /** Falco's name for the return value when it is not `res` (e.g. `fd` for openat). */
  readonly resName?: string;
  readonly special?: Special;
  /** Read the socket's addresses from the fd in args[0], or from the returned fd. */
  readonly tuple?: 'arg0' | 'res';
  /** accept-like: the peer is the tuple's source (Falco's client -> server order). */
  readonly peerIsSource?: boolean;
  /** The kernel's name in syscalls/sys_exit_<tp> when it differs (umount2 is `umount`). */
  readonly tp?: string;
  /** Name of the exec filename argument (from the enter record). */
  readonly filenameArg?: string;
}

/** Mirrors SAKER_BLOB_* / SAKER_SP_* / SAKER_TUPLE_* in bpf/record.h. */
export const BLOB = { NONE: 0, STR: 1, SOCKADDR: 2, TUPLE: 3, ARGV: 4, MSGHDR: 5, FDPAIR: 6 } as const;
export const TAG = { EXEPATH: 16, ARGV: 17, CGROUP: 18, TUPLE: 19, CWD: 20, EXEFILE: 21 } as const;
export const SPECIAL = { none: 0, exec: 1, fork: 2, clone3: 3, openat2: 4 } as const;
export const TUPLE = { none: 0, arg0: 1, res: 2 } as const;

const KINDS = new Set<string>(['fd', 'i32', 'u32', 'u64', 'ptr', 'str', 'sockaddr', 'msghdr', 'fdpair']);

function sc(name: string, nr: number, spec: string, extra: Omit<SyscallSpec, 'name' | 'nr' | 'args'> = {}): SyscallSpec {
  const args: ArgSpec[] = [];
  spec.split(/\s+/).filter(Boolean).forEach((part, index) => {
    if (part === '-') return;
    const [argName, kind] = part.split(':');
    if (!argName || !kind || !KINDS.has(kind)) throw new Error(`syscall table: bad arg spec ${part} for ${name}`);
    args.push({ name: argName, kind: kind as ArgKind, index });
  });
  return { name, nr, args, ...extra };
}

// Names follow Falco's driver/event_table.c (enter and exit parameters merged, since the probe
// records each syscall once, at exit).
export const SYSCALLS: readonly SyscallSpec[] = [
  sc('execve', 59, 'filename:ptr', { special: 'exec', filenameArg: 'filename' }),
  sc('execveat', 322, 'dirfd:fd pathname:ptr - - flags:u32', { special: 'exec', filenameArg: 'pathname' }),
  sc('clone', 56, 'flags:u64', { special: 'fork' }),
  sc('clone3', 435, 'flags:u64', { special: 'clone3' }),
  sc('fork', 57, '', { special: 'fork' }),
  sc('vfork', 58, '', { special: 'fork' }),
  sc('open', 2, 'name:str flags:u32 mode:u32', { resName: 'fd' }),
  sc('openat', 257, 'dirfd:fd name:str flags:u32 mode:u32', { resName: 'fd' }),
  sc('openat2', 437, 'dirfd:fd name:str flags:u64 mode:u64 resolve:u64', { resName: 'fd', special: 'openat2' }),
  sc('creat', 85, 'name:str mode:u32', { resName: 'fd' }),
  sc('open_by_handle_at', 304, 'mountfd:fd - flags:u32', { resName: 'fd' }),
  sc('close', 3, 'fd:fd'),
  sc('dup', 32, 'oldfd:fd'),
  sc('dup2', 33, 'oldfd:fd newfd:fd'),
  sc('dup3', 292, 'oldfd:fd newfd:fd flags:u32'),
  sc('fcntl', 72, 'fd:fd cmd:i32'),
  sc('pipe', 22, 'fds:fdpair'),
  sc('pipe2', 293, 'fds:fdpair flags:u32'),
  sc('socket', 41, 'domain:i32 type:u32 proto:i32', { resName: 'fd' }),
  sc('socketpair', 53, 'domain:i32 type:u32 proto:i32 fds:fdpair'),
  sc('connect', 42, 'fd:fd addr:sockaddr', { tuple: 'arg0' }),
  sc('accept', 43, 'sockfd:fd', { resName: 'fd', tuple: 'res', peerIsSource: true }),
  sc('accept4', 288, 'sockfd:fd - - flags:u32', { resName: 'fd', tuple: 'res', peerIsSource: true }),
  sc('bind', 49, 'fd:fd addr:sockaddr'),
  sc('listen', 50, 'fd:fd backlog:i32'),
  sc('shutdown', 48, 'fd:fd how:i32'),
  sc('sendto', 44, 'fd:fd - size:u64 flags:u32 addr:sockaddr', { tuple: 'arg0' }),
  sc('sendmsg', 46, 'fd:fd addr:msghdr flags:u32', { tuple: 'arg0' }),
  sc('unlink', 87, 'path:str'),
  sc('unlinkat', 263, 'dirfd:fd name:str flags:u32'),
  sc('rename', 82, 'oldpath:str newpath:str'),
  sc('renameat', 264, 'olddirfd:fd oldpath:str newdirfd:fd newpath:str'),
  sc('renameat2', 316, 'olddirfd:fd oldpath:str newdirfd:fd newpath:str flags:u32'),
  sc('mkdir', 83, 'path:str mode:u32'),
  sc('mkdirat', 258, 'dirfd:fd path:str mode:u32'),
  sc('rmdir', 84, 'path:str'),
  sc('symlink', 88, 'target:str linkpath:str'),
  sc('symlinkat', 266, 'target:str linkdirfd:fd linkpath:str'),
  sc('link', 86, 'oldpath:str newpath:str'),
  sc('linkat', 265, 'olddir:fd oldpath:str newdir:fd newpath:str flags:u32'),
  sc('chdir', 80, 'path:str'),
  sc('fchdir', 81, 'fd:fd'),
  sc('chroot', 161, 'path:str'),
  sc('chmod', 90, 'filename:str mode:u32'),
  sc('fchmod', 91, 'fd:fd mode:u32'),
  sc('fchmodat', 268, 'dirfd:fd filename:str mode:u32'),
  sc('chown', 92, 'path:str uid:u32 gid:u32'),
  sc('lchown', 94, 'path:str uid:u32 gid:u32'),
  sc('fchown', 93, 'fd:fd uid:u32 gid:u32'),
  sc('fchownat', 260, 'dirfd:fd pathname:str uid:u32 gid:u32 flags:u32'),
  sc('setuid', 105, 'uid:u32'),
  sc('setgid', 106, 'gid:u32'),
  sc('setreuid', 113, 'ruid:u32 euid:u32'),
  sc('setregid', 114, 'rgid:u32 egid:u32'),
  sc('setresuid', 117, 'ruid:u32 euid:u32 suid:u32'),
  sc('setresgid', 119, 'rgid:u32 egid:u32 sgid:u32'),
  sc('setpgid', 109, 'pid:i32 pgid:i32'),
  sc('setsid', 112, ''),
  sc('setns', 308, 'fd:fd nstype:u32'),
  sc('unshare', 272, 'flags:u32'),
  sc('capset', 126, ''),
  sc('ptrace', 101, 'request:i32 pid:i32 addr:ptr data:ptr'),
  sc('mount', 165, 'dev:str dir:str type:str flags:u64'),
  sc('umount2', 166, 'name:str flags:u32', { tp: 'umount' }),
  sc('init_module', 175, '- length:u64 uargs:str'),
  sc('finit_module', 313, 'fd:fd uargs:str flags:u32'),
  sc('memfd_create', 319, 'name:str flags:u32', { resName: 'fd' }),
  sc('userfaultfd', 323, 'flags:u32'),
  sc('bpf', 321, 'cmd:i32'),
  sc('prctl', 157, 'option:i32 arg2_int:u64'),
  sc('kill', 62, 'pid:i32 sig:i32'),
  sc('tkill', 200, 'tid:i32 sig:i32'),
  sc('tgkill', 234, 'pid:i32 tid:i32 sig:i32'),
];

export const PROCEXIT = 'procexit';

export const BY_NAME: ReadonlyMap<string, SyscallSpec> = new Map(SYSCALLS.map((s) => [s.name, s]));
/** Indexed by syscall number (SAKER_MAX_NR entries). */
export const BY_NR: readonly (SyscallSpec | undefined)[] = (() => {
  const t: (SyscallSpec | undefined)[] = new Array(512).fill(undefined);
  for (const s of SYSCALLS) t[s.nr] = s;
  return t;
})();

/**
 * What the collector's state tracking needs whatever the rules ask for: the process table
 * (exec, fork family, exit, credentials, cwd) and the fd table (opens, sockets, dup, close).
 */
export const STATE_SYSCALLS: readonly string[] = [
  'execve', 'execveat', 'clone', 'clone3', 'fork', 'vfork', PROCEXIT,
  'open', 'openat', 'openat2', 'creat', 'close', 'dup', 'dup2', 'dup3', 'fcntl',
  'socket', 'connect', 'accept', 'accept4', 'bind',
  'chdir', 'fchdir', 'setuid', 'setgid', 'setreuid', 'setregid', 'setresuid', 'setresgid',
];

export interface SyscallSelection {
  /** Names to pass to openProbe({ syscalls }), sorted. */
  syscalls: string[];
  /** Event types asked for that this probe cannot produce (non-syscall events, unknown names). */
  unsupported: string[];
}

/** Maps the rules' event types (engine.eventTypes()) to what the probe attaches. */
export function selectSyscalls(
  eventTypes: ReadonlySet<string> | readonly string[] | 'all',
  options: { state?: boolean } = {},
): SyscallSelection {
  const wanted = new Set<string>();
  const unsupported: string[] = [];
  if (eventTypes === 'all') {
    for (const s of SYSCALLS) wanted.add(s.name);
    wanted.add(PROCEXIT);
  } else {
    for (const t of eventTypes) {
      if (BY_NAME.has(t) || t === PROCEXIT) wanted.add(t);
      else unsupported.push(t);
    }
  }
  if (options.state ?? true) for (const s of STATE_SYSCALLS) wanted.add(s);
  return { syscalls: [...wanted].sort(), unsupported: unsupported.sort() };
}

/** The tracepoints that `syscalls` attach (category/name), in attach order. */
export function tracepointsFor(syscalls: Iterable<string>): string[] {
  const out: string[] = [];
  for (const name of syscalls) {
    if (name === PROCEXIT) { out.push('sched/sched_process_exit'); continue; }
    const spec = BY_NAME.get(name);
    if (!spec) throw new ProbeOptionsError(`unknown syscall ${name} (known: probe/syscalls.ts)`);
    if (spec.special === 'exec') out.push(`syscalls/sys_enter_${spec.tp ?? name}`);
    out.push(`syscalls/sys_exit_${spec.tp ?? name}`);
  }
  return out;
}
