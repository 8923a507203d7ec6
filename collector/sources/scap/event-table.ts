// The scap event types Saker decodes: for each PPME_* id, Falco's evt.type name, the direction,
// and the parameters in file order with Falco's parameter names (libs driver/event_table.c). The
// kernel driver only ever appends parameters to an event type, so an older capture holds a prefix
// of the list below and a newer one may hold extra trailing parameters (ignored). Ids not listed
// here are counted as unknown event types by the reader, never fatal.
//
// Parameter kinds (the file encoding, then what the RawRecord gets):
//   i64 u64 u32 i32 u16 u8  little-endian integer of the stored width -> number (bigint past 2^53)
//   big      u64 -> bigint (absolute timestamps)
//   str      NUL-terminated text -> string
//   strs     NUL-separated list (argv, env, cgroups) -> string[]
//   bytes    raw buffer -> Buffer (a view, no copy)
//   addr     sockaddr: family:u8 + address -> SockAddr
//   tuple    socket tuple: family:u8 + src + dst -> SockTuple
//   fdlist   count:u16 + (fd:i64 events:u16)[count] -> string[] of "fd:POLLFLAGS" (Linux bits)
//   scid     PPM_SC code (u16) of a generic event -> number; the record's type becomes its name
//   dyn      index:u8 + value (setsockopt/getsockopt val) -> number, or Buffer when opaque
//   pdyn bdyn  index:u8 + integer (ptrace addr/data, bpf res_or_fd) -> number
//   oflags clone access prot mmap fcntl ptrace resolve exvat   PPM encodings -> Linux values (flags.ts)
import type { Direction } from '../../raw-record.js';

export type ParamKind =
  | 'i64' | 'u64' | 'big' | 'u32' | 'i32' | 'u16' | 'u8' | 'str' | 'strs' | 'bytes' | 'addr'
  | 'tuple' | 'fdlist' | 'scid' | 'dyn' | 'oflags' | 'clone' | 'access' | 'prot' | 'mmap' | 'fcntl'
  | 'ptrace' | 'pdyn' | 'bdyn' | 'resolve' | 'exvat';

export interface ParamSpec {
  readonly name: string;
  readonly kind: ParamKind;
  /** `kind` as a small integer (index in PARAM_KINDS), for the decoder's switch. */
  readonly code: number;
}

/** Every kind, in the order of their codes. */
export const PARAM_KINDS: readonly ParamKind[] = [
  'i64', 'u64', 'big', 'u32', 'i32', 'u16', 'u8', 'str', 'strs', 'bytes', 'addr', 'tuple', 'fdlist',
  'scid', 'dyn', 'oflags', 'clone', 'access', 'prot', 'mmap', 'fcntl', 'ptrace', 'pdyn', 'bdyn', 'resolve', 'exvat',
];

export interface EventSpec {
  readonly id: number;
  /** Falco's evt.type; `syscall` for generic events (replaced by the syscall's name). */
  readonly name: string;
  readonly dir: Direction;
  readonly params: readonly ParamSpec[];
}

type Row = readonly [id: number, name: string, dir: 'E' | 'X', params: string];

// prettier-ignore
const ROWS: readonly Row[] = [
  [0, 'syscall', 'E', 'ID:scid nativeID:u16'],
  [1, 'syscall', 'X', 'ID:scid nativeID:u16'],
  [2, 'open', 'E', 'name:str flags:oflags mode:u32'],
  [3, 'open', 'X', 'fd:i64 name:str flags:oflags mode:u32 dev:u32 ino:u64'],
  [4, 'close', 'E', 'fd:i64'],
  [5, 'close', 'X', 'res:i64 fd:i64'],
  [6, 'read', 'E', 'fd:i64 size:u32'],
  [7, 'read', 'X', 'res:i64 data:bytes fd:i64 size:u32'],
  [8, 'write', 'E', 'fd:i64 size:u32'],
  [9, 'write', 'X', 'res:i64 data:bytes fd:i64 size:u32'],
  [18, 'socket', 'E', 'domain:u32 type:u32 proto:u32'],
  [19, 'socket', 'X', 'fd:i64 domain:u32 type:u32 proto:u32 flags:oflags'],
  [20, 'bind', 'E', 'fd:i64'],
  [21, 'bind', 'X', 'res:i64 addr:addr fd:i64'],
  [22, 'connect', 'E', 'fd:i64 addr:addr'],
  [23, 'connect', 'X', 'res:i64 tuple:tuple fd:i64 addr:addr'],
  [24, 'listen', 'E', 'fd:i64 backlog:i32'],
  [25, 'listen', 'X', 'res:i64 fd:i64 backlog:i32'],
  [30, 'sendto', 'E', 'fd:i64 size:u32 tuple:tuple'],
  [31, 'sendto', 'X', 'res:i64 data:bytes fd:i64 size:u32 tuple:tuple'],
  [34, 'recvfrom', 'E', 'fd:i64 size:u32'],
  [35, 'recvfrom', 'X', 'res:i64 data:bytes tuple:tuple fd:i64 size:u32'],
  [38, 'getsockname', 'E', ''],
  [39, 'getsockname', 'X', ''],
  [40, 'getpeername', 'E', ''],
  [41, 'getpeername', 'X', ''],
  [44, 'setsockopt', 'E', ''],
  [45, 'setsockopt', 'X', 'res:i64 fd:i64 level:u8 optname:u8 val:dyn optlen:u32'],
  [46, 'getsockopt', 'E', ''],
  [47, 'getsockopt', 'X', 'res:i64 fd:i64 level:u8 optname:u8 val:dyn optlen:u32'],
  [48, 'sendmsg', 'E', 'fd:i64 size:u32 tuple:tuple'],
  [49, 'sendmsg', 'X', 'res:i64 data:bytes fd:i64 size:u32 tuple:tuple'],
  [60, 'pipe', 'E', ''],
  [61, 'pipe', 'X', 'res:i64 fd1:i64 fd2:i64 ino:u64'],
  [64, 'futex', 'E', 'addr:u64 op:u16 val:u64'],
  [65, 'futex', 'X', 'res:i64 addr:u64 op:u16 val:u64'],
  [66, 'stat', 'E', ''],
  [67, 'stat', 'X', 'res:i64 path:str'],
  [70, 'fstat', 'E', 'fd:i64'],
  [71, 'fstat', 'X', 'res:i64 fd:i64'],
  [78, 'epoll_wait', 'E', 'maxevents:i64'],
  [79, 'epoll_wait', 'X', 'res:i64 maxevents:i64'],
  [80, 'poll', 'E', 'fds:fdlist timeout:i64'],
  [81, 'poll', 'X', 'res:i64 fds:fdlist timeout:i64'],
  [82, 'select', 'E', ''],
  [83, 'select', 'X', 'res:i64'],
  [128, 'kill', 'E', 'pid:i64 sig:u8'],
  [129, 'kill', 'X', 'res:i64 pid:i64 sig:u8'],
  [134, 'nanosleep', 'E', 'interval:u64'],
  [135, 'nanosleep', 'X', 'res:i64 interval:u64'],
  [140, 'getrlimit', 'E', 'resource:u8'],
  [141, 'getrlimit', 'X', 'res:i64 cur:i64 max:i64 resource:u8'],
  [150, 'fcntl', 'E', 'fd:i64 cmd:fcntl'],
  [151, 'fcntl', 'X', 'res:i64 fd:i64 cmd:fcntl arg:u64'],
  [152, 'switch', 'E', 'next:i64 pgft_maj:u64 pgft_min:u64 vm_size:u32 vm_rss:u32 vm_swap:u32'],
  [158, 'brk', 'E', 'addr:u64'],
  [159, 'brk', 'X', 'res:u64 vm_size:u32 vm_rss:u32 vm_swap:u32 addr:u64'],
  [160, 'mmap', 'E', 'addr:u64 length:u64 prot:prot flags:mmap fd:i64 offset:u64'],
  [161, 'mmap', 'X', 'res:i64 vm_size:u32 vm_rss:u32 vm_swap:u32 addr:u64 length:u64 prot:prot flags:mmap fd:i64 offset:u64'],
  [164, 'munmap', 'E', 'addr:u64 length:u64'],
  [165, 'munmap', 'X', 'res:i64 vm_size:u32 vm_rss:u32 vm_swap:u32 addr:u64 length:u64'],
  [170, 'ioctl', 'E', 'fd:i64 request:u64 argument:u64'],
  [171, 'ioctl', 'X', 'res:i64 fd:i64 request:u64 argument:u64'],
  [186, 'procexit', 'E', 'status:i64 ret:i64 sig:u8 core:u8 reaper_tid:i64'],
  [196, 'scapevent', 'E', 'event_type:u32 event_data:u64'],
  [202, 'getuid', 'E', ''],
  [203, 'getuid', 'X', 'uid:u32'],
  [204, 'geteuid', 'E', ''],
  [205, 'geteuid', 'X', 'euid:u32'],
  [206, 'getgid', 'E', ''],
  [207, 'getgid', 'X', 'gid:u32'],
  [208, 'getegid', 'E', ''],
  [209, 'getegid', 'X', 'egid:u32'],
  [222, 'clone', 'E', ''],
  [223, 'clone', 'X', 'res:i64 exe:str args:strs tid:i64 pid:i64 ptid:i64 cwd:str fdlimit:i64 pgft_maj:u64 pgft_min:u64 vm_size:u32 vm_rss:u32 vm_swap:u32 comm:str cgroups:strs flags:clone uid:u32 gid:u32 vtid:i64 vpid:i64 pidns_init_start_ts:u64'],
  [231, 'execve', 'X', 'res:i64 exe:str args:strs tid:i64 pid:i64 ptid:i64 cwd:str fdlimit:u64 pgft_maj:u64 pgft_min:u64 vm_size:u32 vm_rss:u32 vm_swap:u32 comm:str cgroups:strs env:strs'],
  [232, 'signaldeliver', 'E', 'spid:i64 dpid:i64 sig:u8'],
  [234, 'procinfo', 'E', 'cpu_usr:u64 cpu_sys:u64'],
  [236, 'getdents', 'E', 'fd:i64'],
  [237, 'getdents', 'X', 'res:i64 fd:i64'],
  [246, 'accept', 'E', ''],
  [247, 'accept', 'X', 'fd:i64 tuple:tuple queuepct:u8 queuelen:u32 queuemax:u32'],
  [264, 'access', 'E', 'mode:access'],
  [265, 'access', 'X', 'res:i64 name:str mode:access'],
  [272, 'container', 'E', 'json:str'],
  [292, 'execve', 'E', 'filename:str'],
  // loginuid is signed: -1 means unset, as Falco shows it.
  [293, 'execve', 'X', 'res:i64 exe:str args:strs tid:i64 pid:i64 ptid:i64 cwd:str fdlimit:u64 pgft_maj:u64 pgft_min:u64 vm_size:u32 vm_rss:u32 vm_swap:u32 comm:str cgroups:strs env:strs tty:u32 vpgid:i64 loginuid:i32 flags:u32 cap_inheritable:u64 cap_permitted:u64 cap_effective:u64 exe_ino:u64 exe_ino_ctime:big exe_ino_mtime:big uid:u32 trusted_exepath:str pgid:i64 gid:u32 filename:str'],
  [294, 'setpgid', 'E', 'pid:i64 pgid:i64'],
  [295, 'setpgid', 'X', 'res:i64 pid:i64 pgid:i64'],
  [354, 'useradded', 'E', 'uid:u32 gid:u32 name:str home:str shell:str container_id:str'],
  [358, 'groupadded', 'E', 'gid:u32 name:str container_id:str'],
  // Not in the conformance captures: the other versions of these calls and the calls Falco's
  // rules name (openat, execveat, clone3, accept4, unlinkat, renameat2, ptrace, setns, bpf...).
  [94, 'chdir', 'E', ''],
  [12, 'execve', 'E', ''],
  [13, 'execve', 'X', 'res:i64 exe:str args:strs tid:i64 pid:i64 ptid:i64 cwd:str fdlimit:u64'],
  [14, 'clone', 'E', ''],
  [15, 'clone', 'X', 'res:i64 exe:str args:strs tid:i64 pid:i64 ptid:i64 cwd:str fdlimit:i64 flags:clone uid:u32 gid:u32'],
  [26, 'accept', 'E', ''],
  [27, 'accept', 'X', 'fd:i64 tuple:tuple queuepct:u8'],
  [42, 'socketpair', 'E', 'domain:u32 type:u32 proto:u32'],
  [43, 'socketpair', 'X', 'res:i64 fd1:i64 fd2:i64 source:u64 peer:u64 domain:u32 type:u32 proto:u32'],
  [52, 'recvmsg', 'E', 'fd:i64'],
  [53, 'recvmsg', 'X', 'res:i64 size:u32 data:bytes tuple:tuple msgcontrol:bytes fd:i64'],
  [56, 'accept', 'E', 'flags:i32'],
  [57, 'accept', 'X', 'fd:i64 tuple:tuple queuepct:u8'],
  [58, 'creat', 'E', 'name:str mode:u32'],
  [59, 'creat', 'X', 'fd:i64 name:str mode:u32 dev:u32 ino:u64 creat_flags:u16'],
  [95, 'chdir', 'X', 'res:i64 path:str'],
  [96, 'fchdir', 'E', 'fd:i64'],
  [97, 'fchdir', 'X', 'res:i64 fd:i64'],
  [98, 'mkdir', 'E', 'path:str mode:u32'],
  [99, 'mkdir', 'X', 'res:i64'],
  [100, 'rmdir', 'E', 'path:str'],
  [101, 'rmdir', 'X', 'res:i64'],
  [102, 'openat', 'E', 'dirfd:i64 name:str flags:oflags mode:u32'],
  [103, 'openat', 'X', 'fd:i64'],
  [104, 'link', 'E', 'oldpath:str newpath:str'],
  [105, 'link', 'X', 'res:i64'],
  [106, 'linkat', 'E', 'olddir:i64 oldpath:str newdir:i64 newpath:str'],
  [107, 'linkat', 'X', 'res:i64'],
  [108, 'unlink', 'E', 'path:str'],
  [109, 'unlink', 'X', 'res:i64'],
  [110, 'unlinkat', 'E', 'dirfd:i64 name:str'],
  [111, 'unlinkat', 'X', 'res:i64'],
  [124, 'dup', 'E', 'fd:i64'],
  [125, 'dup', 'X', 'res:i64'],
  [154, 'execve', 'E', ''],
  [155, 'execve', 'X', 'res:i64 exe:str args:strs tid:i64 pid:i64 ptid:i64 cwd:str fdlimit:u64 pgft_maj:u64 pgft_min:u64 vm_size:u32 vm_rss:u32 vm_swap:u32'],
  [156, 'clone', 'E', ''],
  [157, 'clone', 'X', 'res:i64 exe:str args:strs tid:i64 pid:i64 ptid:i64 cwd:str fdlimit:i64 pgft_maj:u64 pgft_min:u64 vm_size:u32 vm_rss:u32 vm_swap:u32 flags:clone uid:u32 gid:u32'],
  [168, 'ptrace', 'E', 'request:ptrace pid:i64'],
  [169, 'ptrace', 'X', 'res:i64 addr:pdyn data:pdyn request:ptrace pid:i64'],
  [172, 'execve', 'E', ''],
  [173, 'execve', 'X', 'res:i64 exe:str args:strs tid:i64 pid:i64 ptid:i64 cwd:str fdlimit:u64 pgft_maj:u64 pgft_min:u64 vm_size:u32 vm_rss:u32 vm_swap:u32 env:strs'],
  [174, 'rename', 'E', ''],
  [175, 'rename', 'X', 'res:i64 oldpath:str newpath:str'],
  [176, 'renameat', 'E', ''],
  [177, 'renameat', 'X', 'res:i64 olddirfd:i64 oldpath:str newdirfd:i64 newpath:str'],
  [178, 'symlink', 'E', ''],
  [179, 'symlink', 'X', 'res:i64 target:str linkpath:str'],
  [180, 'symlinkat', 'E', ''],
  [181, 'symlinkat', 'X', 'res:i64 target:str linkdirfd:i64 linkpath:str'],
  [182, 'fork', 'E', ''],
  [183, 'fork', 'X', 'res:i64 exe:str args:strs tid:i64 pid:i64 ptid:i64 cwd:str fdlimit:i64 pgft_maj:u64 pgft_min:u64 vm_size:u32 vm_rss:u32 vm_swap:u32 flags:clone uid:u32 gid:u32'],
  [184, 'vfork', 'E', ''],
  [185, 'vfork', 'X', 'res:i64 exe:str args:strs tid:i64 pid:i64 ptid:i64 cwd:str fdlimit:i64 pgft_maj:u64 pgft_min:u64 vm_size:u32 vm_rss:u32 vm_swap:u32 flags:clone uid:u32 gid:u32'],
  [198, 'setuid', 'E', 'uid:u32'],
  [199, 'setuid', 'X', 'res:i64 uid:u32'],
  [200, 'setgid', 'E', 'gid:u32'],
  [201, 'setgid', 'X', 'res:i64 gid:u32'],
  [214, 'execve', 'E', ''],
  [215, 'execve', 'X', 'res:i64 exe:str args:strs tid:i64 pid:i64 ptid:i64 cwd:str fdlimit:u64 pgft_maj:u64 pgft_min:u64 vm_size:u32 vm_rss:u32 vm_swap:u32 comm:str env:strs'],
  [216, 'clone', 'E', ''],
  [217, 'clone', 'X', 'res:i64 exe:str args:strs tid:i64 pid:i64 ptid:i64 cwd:str fdlimit:i64 pgft_maj:u64 pgft_min:u64 vm_size:u32 vm_rss:u32 vm_swap:u32 comm:str flags:clone uid:u32 gid:u32'],
  [218, 'fork', 'E', ''],
  [219, 'fork', 'X', 'res:i64 exe:str args:strs tid:i64 pid:i64 ptid:i64 cwd:str fdlimit:i64 pgft_maj:u64 pgft_min:u64 vm_size:u32 vm_rss:u32 vm_swap:u32 comm:str flags:clone uid:u32 gid:u32'],
  [220, 'vfork', 'E', ''],
  [221, 'vfork', 'X', 'res:i64 exe:str args:strs tid:i64 pid:i64 ptid:i64 cwd:str fdlimit:i64 pgft_maj:u64 pgft_min:u64 vm_size:u32 vm_rss:u32 vm_swap:u32 comm:str flags:clone uid:u32 gid:u32'],
  [224, 'fork', 'E', ''],
  [225, 'fork', 'X', 'res:i64 exe:str args:strs tid:i64 pid:i64 ptid:i64 cwd:str fdlimit:i64 pgft_maj:u64 pgft_min:u64 vm_size:u32 vm_rss:u32 vm_swap:u32 comm:str cgroups:strs flags:clone uid:u32 gid:u32 vtid:i64 vpid:i64 pidns_init_start_ts:u64'],
  [226, 'vfork', 'E', ''],
  [227, 'vfork', 'X', 'res:i64 exe:str args:strs tid:i64 pid:i64 ptid:i64 cwd:str fdlimit:i64 pgft_maj:u64 pgft_min:u64 vm_size:u32 vm_rss:u32 vm_swap:u32 comm:str cgroups:strs flags:clone uid:u32 gid:u32 vtid:i64 vpid:i64 pidns_init_start_ts:u64'],
  [230, 'execve', 'E', ''],
  [240, 'setns', 'E', 'fd:i64 nstype:clone'],
  [241, 'setns', 'X', 'res:i64 fd:i64 nstype:clone'],
  [248, 'accept', 'E', 'flags:i32'],
  [249, 'accept', 'X', 'fd:i64 tuple:tuple queuepct:u8 queuelen:u32 queuemax:u32'],
  [276, 'mkdir', 'E', 'mode:u32'],
  [277, 'mkdir', 'X', 'res:i64 path:str mode:u32'],
  [278, 'rmdir', 'E', ''],
  [279, 'rmdir', 'X', 'res:i64 path:str'],
  [282, 'execve', 'E', ''],
  [283, 'execve', 'X', 'res:i64 exe:str args:strs tid:i64 pid:i64 ptid:i64 cwd:str fdlimit:u64 pgft_maj:u64 pgft_min:u64 vm_size:u32 vm_rss:u32 vm_swap:u32 comm:str cgroups:strs env:strs tty:i32'],
  [284, 'unshare', 'E', 'flags:clone'],
  [285, 'unshare', 'X', 'res:i64 flags:clone'],
  [288, 'execve', 'E', 'filename:str'],
  [289, 'execve', 'X', 'res:i64 exe:str args:strs tid:i64 pid:i64 ptid:i64 cwd:str fdlimit:u64 pgft_maj:u64 pgft_min:u64 vm_size:u32 vm_rss:u32 vm_swap:u32 comm:str cgroups:strs env:strs tty:i32'],
  [296, 'bpf', 'E', 'cmd:i64'],
  [297, 'bpf', 'X', 'res_or_fd:bdyn'],
  [300, 'unlink', 'E', ''],
  [301, 'unlink', 'X', 'res:i64 path:str'],
  [302, 'unlinkat', 'E', ''],
  [303, 'unlinkat', 'X', 'res:i64 dirfd:i64 name:str flags:u32'],
  [304, 'mkdirat', 'E', ''],
  [305, 'mkdirat', 'X', 'res:i64 dirfd:i64 path:str mode:u32'],
  [306, 'openat', 'E', 'dirfd:i64 name:str flags:oflags mode:u32'],
  [307, 'openat', 'X', 'fd:i64 dirfd:i64 name:str flags:oflags mode:u32 dev:u32 ino:u64'],
  [308, 'link', 'E', ''],
  [309, 'link', 'X', 'res:i64 oldpath:str newpath:str'],
  [310, 'linkat', 'E', ''],
  [311, 'linkat', 'X', 'res:i64 olddir:i64 oldpath:str newdir:i64 newpath:str flags:u32'],
  [312, 'fchmodat', 'E', ''],
  [313, 'fchmodat', 'X', 'res:i64 dirfd:i64 filename:str mode:u32'],
  [314, 'chmod', 'E', ''],
  [315, 'chmod', 'X', 'res:i64 filename:str mode:u32'],
  [316, 'fchmod', 'E', ''],
  [317, 'fchmod', 'X', 'res:i64 fd:i64 mode:u32'],
  [318, 'renameat2', 'E', ''],
  [319, 'renameat2', 'X', 'res:i64 olddirfd:i64 oldpath:str newdirfd:i64 newpath:str flags:u32'],
  [326, 'openat2', 'E', 'dirfd:i64 name:str flags:oflags mode:u32 resolve:resolve'],
  [327, 'openat2', 'X', 'fd:i64 dirfd:i64 name:str flags:oflags mode:u32 resolve:resolve dev:u32 ino:u64'],
  [330, 'execveat', 'E', 'dirfd:i64 pathname:str flags:exvat'],
  [331, 'execveat', 'X', 'res:i64 exe:str args:strs tid:i64 pid:i64 ptid:i64 cwd:str fdlimit:u64 pgft_maj:u64 pgft_min:u64 vm_size:u32 vm_rss:u32 vm_swap:u32 comm:str cgroups:strs env:strs tty:u32 vpgid:i64 loginuid:i32 flags:u32 cap_inheritable:u64 cap_permitted:u64 cap_effective:u64 exe_ino:u64 exe_ino_ctime:big exe_ino_mtime:big uid:u32 trusted_exepath:str pgid:i64 gid:u32'],
  [334, 'clone3', 'E', ''],
  [335, 'clone3', 'X', 'res:i64 exe:str args:strs tid:i64 pid:i64 ptid:i64 cwd:str fdlimit:i64 pgft_maj:u64 pgft_min:u64 vm_size:u32 vm_rss:u32 vm_swap:u32 comm:str cgroups:strs flags:clone uid:u32 gid:u32 vtid:i64 vpid:i64 pidns_init_start_ts:u64'],
  [362, 'dup2', 'E', 'fd:i64'],
  [363, 'dup2', 'X', 'res:i64 oldfd:i64 newfd:i64'],
  [364, 'dup3', 'E', 'fd:i64'],
  [365, 'dup3', 'X', 'res:i64 oldfd:i64 newfd:i64 flags:oflags'],
  [366, 'dup', 'E', 'fd:i64'],
  [367, 'dup', 'X', 'res:i64 oldfd:i64'],
  [368, 'bpf', 'E', 'cmd:i64'],
  [369, 'bpf', 'X', 'fd:i64 cmd:u32'],
  [388, 'accept4', 'E', 'flags:i32'],
  [389, 'accept4', 'X', 'fd:i64 tuple:tuple queuepct:u8 queuelen:u32 queuemax:u32 flags:i32'],
  [410, 'init_module', 'E', ''],
  [411, 'init_module', 'X', 'res:i64 img:bytes length:u64 uargs:str'],
  [412, 'finit_module', 'E', ''],
  [413, 'finit_module', 'X', 'res:i64 fd:i64 uargs:str flags:u32'],
];

function parseParams(text: string, id: number): ParamSpec[] {
  if (text === '') return [];
  return text.split(' ').map((p) => {
    const [name, kind] = p.split(':');
    const code = PARAM_KINDS.indexOf(kind as ParamKind);
    if (!name || code < 0) throw new Error(`event table row ${id}: bad parameter '${p}'`);
    return { name, kind: kind as ParamKind, code };
  });
}

/** Indexed by PPME id; undefined where Saker has no decoder. */
export const EVENT_TABLE: ReadonlyArray<EventSpec | undefined> = (() => {
  const table: (EventSpec | undefined)[] = [];
  for (const [id, name, dir, params] of ROWS) {
    table[id] = { id, name, dir: dir === 'E' ? 'ENTER' : 'EXIT', params: parseParams(params, id) };
  }
  return table;
})();

/** PPME ids of the generic syscall events, whose evt.type comes from their `ID` parameter. */
export const GENERIC_E = 0;
export const GENERIC_X = 1;
