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
//   oflags clone access prot mmap fcntl   PPM encodings (u32/u8) -> Linux values (flags.ts)
import type { Direction } from '../../raw-record.js';

export type ParamKind =
  | 'i64' | 'u64' | 'big' | 'u32' | 'i32' | 'u16' | 'u8' | 'str' | 'strs' | 'bytes' | 'addr'
  | 'tuple' | 'fdlist' | 'scid' | 'dyn' | 'oflags' | 'clone' | 'access' | 'prot' | 'mmap' | 'fcntl';

export interface ParamSpec {
  readonly name: string;
  readonly kind: ParamKind;
  /** `kind` as a small integer (index in PARAM_KINDS), for the decoder's switch. */
  readonly code: number;
}

/** Every kind, in the order of their codes. */
export const PARAM_KINDS: readonly ParamKind[] = [
  'i64', 'u64', 'big', 'u32', 'i32', 'u16', 'u8', 'str', 'strs', 'bytes', 'addr', 'tuple', 'fdlist',
  'scid', 'dyn', 'oflags', 'clone', 'access', 'prot', 'mmap', 'fcntl',
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
