// Names of flag bits and enum values as Falco prints them (libs' flags tables), keyed by Linux
// ABI values (x86-64). Order matters: Falco prints the names of a flags value in table order,
// e.g. open flags `O_TRUNC|O_CREAT|O_WRONLY`, so the tables keep libs' order.

export type FlagTable = ReadonlyArray<readonly [string, number]>;

// Open flags: libs' file_flags order. O_RDONLY is 0 in Linux; it is named when the access mode is 0.
const O_ACCMODE = 3;
export const OPEN_FLAGS: FlagTable = [
  ['O_LARGEFILE', 0o100000], ['O_DIRECTORY', 0o200000], ['O_DIRECT', 0o40000], ['O_TRUNC', 0o1000],
  ['O_SYNC', 0o4010000], ['O_NONBLOCK', 0o4000], ['O_EXCL', 0o200], ['O_DSYNC', 0o10000],
  ['O_APPEND', 0o2000], ['O_CREAT', 0o100], ['O_RDWR', 2], ['O_WRONLY', 1], ['O_RDONLY', -1],
  ['O_CLOEXEC', 0o2000000], ['O_TMPFILE', 0o20200000],
];

export function openFlagsText(flags: number): string {
  const names: string[] = [];
  for (const [name, bit] of OPEN_FLAGS) {
    if (bit === -1) {
      if ((flags & O_ACCMODE) === 0) names.push(name);
    } else if (bit === 1 || bit === 2) {
      if ((flags & O_ACCMODE) === bit) names.push(name);
    } else if ((flags & bit) === bit) {
      names.push(name);
    }
  }
  return names.join('|');
}

export const CLONE_FLAGS: FlagTable = [
  ['CLONE_FILES', 0x400], ['CLONE_FS', 0x200], ['CLONE_IO', 0x80000000], ['CLONE_NEWIPC', 0x8000000],
  ['CLONE_NEWNET', 0x40000000], ['CLONE_NEWNS', 0x20000], ['CLONE_NEWPID', 0x20000000],
  ['CLONE_NEWUTS', 0x4000000], ['CLONE_PARENT', 0x8000], ['CLONE_PARENT_SETTID', 0x100000],
  ['CLONE_PTRACE', 0x2000], ['CLONE_SIGHAND', 0x800], ['CLONE_SYSVSEM', 0x40000],
  ['CLONE_THREAD', 0x10000], ['CLONE_UNTRACED', 0x800000], ['CLONE_VM', 0x100],
  ['CLONE_NEWUSER', 0x10000000], ['CLONE_CHILD_CLEARTID', 0x200000], ['CLONE_CHILD_SETTID', 0x1000000],
  ['CLONE_SETTLS', 0x80000], ['CLONE_STOPPED', 0x2000000], ['CLONE_VFORK', 0x4000],
  ['CLONE_NEWCGROUP', 0x2000000],
];

export const NS_FLAGS: FlagTable = [
  ['CLONE_NEWCGROUP', 0x2000000], ['CLONE_NEWIPC', 0x8000000], ['CLONE_NEWNET', 0x40000000],
  ['CLONE_NEWNS', 0x20000], ['CLONE_NEWPID', 0x20000000], ['CLONE_NEWUSER', 0x10000000],
  ['CLONE_NEWUTS', 0x4000000], ['CLONE_FILES', 0x400], ['CLONE_FS', 0x200], ['CLONE_SYSVSEM', 0x40000],
];

/** Falco's execve exit `flags` (PPM_EXE_*). */
export const EXE_FLAGS: FlagTable = [
  ['EXE_WRITABLE', 1], ['EXE_UPPER_LAYER', 2], ['EXE_FROM_MEMFD', 4], ['EXE_LOWER_LAYER', 8],
];

export const PROT_FLAGS: FlagTable = [
  ['PROT_READ', 1], ['PROT_WRITE', 2], ['PROT_EXEC', 4], ['PROT_SEM', 8], ['PROT_GROWSDOWN', 0x01000000],
  ['PROT_GROWSUP', 0x02000000], ['PROT_SAO', 0x10],
];

export const MMAP_FLAGS: FlagTable = [
  ['MAP_SHARED', 1], ['MAP_PRIVATE', 2], ['MAP_FIXED', 0x10], ['MAP_ANONYMOUS', 0x20], ['MAP_32BIT', 0x40],
  ['MAP_GROWSDOWN', 0x100], ['MAP_DENYWRITE', 0x800], ['MAP_EXECUTABLE', 0x1000], ['MAP_LOCKED', 0x2000],
  ['MAP_NORESERVE', 0x4000], ['MAP_POPULATE', 0x8000], ['MAP_NONBLOCK', 0x10000], ['MAP_STACK', 0x20000],
  ['MAP_HUGETLB', 0x40000],
];

export const MODE_FLAGS: FlagTable = [
  ['S_IXOTH', 0o1], ['S_IWOTH', 0o2], ['S_IROTH', 0o4], ['S_IXGRP', 0o10], ['S_IWGRP', 0o20], ['S_IRGRP', 0o40],
  ['S_IXUSR', 0o100], ['S_IWUSR', 0o200], ['S_IRUSR', 0o400], ['S_ISVTX', 0o1000], ['S_ISGID', 0o2000],
  ['S_ISUID', 0o4000],
];

export const UNLINKAT_FLAGS: FlagTable = [['AT_REMOVEDIR', 0x200]];
export const LINKAT_FLAGS: FlagTable = [['AT_SYMLINK_FOLLOW', 0x400], ['AT_EMPTY_PATH', 0x1000]];
export const RENAME_FLAGS: FlagTable = [['RENAME_NOREPLACE', 1], ['RENAME_EXCHANGE', 2], ['RENAME_WHITEOUT', 4]];
export const MEMFD_FLAGS: FlagTable = [['MFD_CLOEXEC', 1], ['MFD_ALLOW_SEALING', 2], ['MFD_HUGETLB', 4], ['MFD_NOEXEC_SEAL', 8], ['MFD_EXEC', 0x10]];
export const FD_FLAGS: FlagTable = [['O_NONBLOCK', 0o4000], ['O_CLOEXEC', 0o2000000]];
export const SOCK_FLAGS: FlagTable = [['SOCK_NONBLOCK', 0o4000], ['SOCK_CLOEXEC', 0o2000000]];
export const MOUNT_FLAGS: FlagTable = [
  ['RDONLY', 1], ['NOSUID', 2], ['NODEV', 4], ['NOEXEC', 8], ['SYNCHRONOUS', 16], ['REMOUNT', 32],
  ['MANDLOCK', 64], ['DIRSYNC', 128], ['NOATIME', 1024], ['NODIRATIME', 2048], ['BIND', 4096],
  ['MOVE', 8192], ['REC', 16384], ['SILENT', 32768], ['POSIXACL', 1 << 16], ['UNBINDABLE', 1 << 17],
  ['PRIVATE', 1 << 18], ['SLAVE', 1 << 19], ['SHARED', 1 << 20], ['RELATIME', 1 << 21],
  ['KERNMOUNT', 1 << 22], ['I_VERSION', 1 << 23], ['STRICTATIME', 1 << 24], ['LAZYTIME', 1 << 25],
];
export const ACCESS_MODE: FlagTable = [['R_OK', 4], ['W_OK', 2], ['X_OK', 1]];

export function flagsText(table: FlagTable, value: number): string {
  const names: string[] = [];
  for (const [name, bit] of table) if (bit !== 0 && (value & bit) === bit) names.push(name);
  return names.join('|');
}

export type EnumTable = ReadonlyMap<number, string>;

export const SOCKET_FAMILIES: EnumTable = new Map([
  [0, 'AF_UNSPEC'], [1, 'AF_UNIX'], [2, 'AF_INET'], [3, 'AF_AX25'], [4, 'AF_IPX'], [5, 'AF_APPLETALK'],
  [10, 'AF_INET6'], [16, 'AF_NETLINK'], [17, 'AF_PACKET'], [38, 'AF_ALG'], [40, 'AF_VSOCK'], [44, 'AF_XDP'],
]);

export const PTRACE_REQUESTS: EnumTable = new Map([
  [0, 'PTRACE_TRACEME'], [1, 'PTRACE_PEEKTEXT'], [2, 'PTRACE_PEEKDATA'], [3, 'PTRACE_PEEKUSR'],
  [4, 'PTRACE_POKETEXT'], [5, 'PTRACE_POKEDATA'], [6, 'PTRACE_POKEUSR'], [7, 'PTRACE_CONT'],
  [8, 'PTRACE_KILL'], [9, 'PTRACE_SINGLESTEP'], [12, 'PTRACE_GETREGS'], [13, 'PTRACE_SETREGS'],
  [14, 'PTRACE_GETFPREGS'], [15, 'PTRACE_SETFPREGS'], [16, 'PTRACE_ATTACH'], [17, 'PTRACE_DETACH'],
  [18, 'PTRACE_GETFPXREGS'], [19, 'PTRACE_SETFPXREGS'], [24, 'PTRACE_SYSCALL'],
  [0x4200, 'PTRACE_SETOPTIONS'], [0x4201, 'PTRACE_GETEVENTMSG'], [0x4202, 'PTRACE_GETSIGINFO'],
  [0x4203, 'PTRACE_SETSIGINFO'], [0x4204, 'PTRACE_GETREGSET'], [0x4205, 'PTRACE_SETREGSET'],
  [0x4206, 'PTRACE_SEIZE'], [0x4207, 'PTRACE_INTERRUPT'], [0x4208, 'PTRACE_LISTEN'],
  [0x4209, 'PTRACE_PEEKSIGINFO'],
]);

export const FCNTL_CMDS: EnumTable = new Map([
  [0, 'F_DUPFD'], [1, 'F_GETFD'], [2, 'F_SETFD'], [3, 'F_GETFL'], [4, 'F_SETFL'], [5, 'F_GETLK'],
  [6, 'F_SETLK'], [7, 'F_SETLKW'], [8, 'F_SETOWN'], [9, 'F_GETOWN'], [10, 'F_SETSIG'], [11, 'F_GETSIG'],
  [1024, 'F_SETLEASE'], [1025, 'F_GETLEASE'], [1026, 'F_NOTIFY'], [1030, 'F_DUPFD_CLOEXEC'],
  [1031, 'F_SETPIPE_SZ'], [1032, 'F_GETPIPE_SZ'],
]);

export const BPF_CMDS: EnumTable = new Map([
  [0, 'BPF_MAP_CREATE'], [1, 'BPF_MAP_LOOKUP_ELEM'], [2, 'BPF_MAP_UPDATE_ELEM'], [3, 'BPF_MAP_DELETE_ELEM'],
  [4, 'BPF_MAP_GET_NEXT_KEY'], [5, 'BPF_PROG_LOAD'], [6, 'BPF_OBJ_PIN'], [7, 'BPF_OBJ_GET'],
  [8, 'BPF_PROG_ATTACH'], [9, 'BPF_PROG_DETACH'], [10, 'BPF_PROG_TEST_RUN'],
]);
