// scap stores many flag words in its own portable encoding (PPM_*), not the kernel's. RawRecord
// promises Linux x86-64 ABI values, so each PPM word is translated bit by bit here. Bits with no
// Linux counterpart (libsinsp bookkeeping such as PPM_O_F_CREATED or PPM_CL_CLONE_INVERTED) are
// dropped from the word; the ones a consumer may still want are surfaced as separate arguments by
// the decoder.

/** [ppmBit, linuxBits] pairs; applied to every set bit of the input. */
type BitMap = ReadonlyArray<readonly [number, number]>;

function translate(ppm: number, map: BitMap): number {
  let out = 0;
  for (let i = 0; i < map.length; i++) {
    const pair = map[i]!;
    if ((ppm & pair[0]) !== 0) out |= pair[1];
  }
  return out >>> 0;
}

// PPM_O_* (driver/ppm_events_public.h) -> <asm-generic/fcntl.h> on x86-64.
const PPM_O_RDONLY = 1 << 0;
const PPM_O_WRONLY = 1 << 1;
const OPEN_FLAGS: BitMap = [
  [1 << 2, 0o100], // CREAT
  [1 << 3, 0o2000], // APPEND
  [1 << 4, 0o10000], // DSYNC
  [1 << 5, 0o200], // EXCL
  [1 << 6, 0o4000], // NONBLOCK
  [1 << 7, 0o4010000], // SYNC (includes DSYNC)
  [1 << 8, 0o1000], // TRUNC
  [1 << 9, 0o40000], // DIRECT
  [1 << 10, 0o200000], // DIRECTORY
  [1 << 11, 0o100000], // LARGEFILE
  [1 << 12, 0o2000000], // CLOEXEC
  [1 << 13, 0o20200000], // TMPFILE (includes DIRECTORY)
];
/** PPM_O_F_CREATED: the open created the file. Not an open(2) bit. */
export const PPM_O_F_CREATED = 1 << 14;

/** PPM open flags -> Linux O_* flags. The access mode is a 2-bit field in Linux, two bits in PPM. */
export function openFlagsToLinux(ppm: number): number {
  const rd = (ppm & PPM_O_RDONLY) !== 0;
  const wr = (ppm & PPM_O_WRONLY) !== 0;
  const acc = rd && wr ? 2 : wr ? 1 : 0;
  return (translate(ppm, OPEN_FLAGS) | acc) >>> 0;
}

// PPM_CL_* -> CLONE_* (<linux/sched.h>).
const CLONE_FLAGS: BitMap = [
  [1 << 0, 0x400], // FILES
  [1 << 1, 0x200], // FS
  [1 << 2, 0x80000000], // IO
  [1 << 3, 0x8000000], // NEWIPC
  [1 << 4, 0x40000000], // NEWNET
  [1 << 5, 0x20000], // NEWNS
  [1 << 6, 0x20000000], // NEWPID
  [1 << 7, 0x4000000], // NEWUTS
  [1 << 8, 0x8000], // PARENT
  [1 << 9, 0x100000], // PARENT_SETTID
  [1 << 10, 0x2000], // PTRACE
  [1 << 11, 0x800], // SIGHAND
  [1 << 12, 0x40000], // SYSVSEM
  [1 << 13, 0x10000], // THREAD
  [1 << 14, 0x800000], // UNTRACED
  [1 << 15, 0x100], // VM
  [1 << 20, 0x10000000], // NEWUSER
  [1 << 23, 0x200000], // CHILD_CLEARTID
  [1 << 24, 0x1000000], // CHILD_SETTID
  [1 << 25, 0x80000], // SETTLS
  [1 << 27, 0x4000], // VFORK
  [1 << 28, 0x2000000], // NEWCGROUP
];
export function cloneFlagsToLinux(ppm: number): number {
  return translate(ppm, CLONE_FLAGS);
}

// PPM_X_OK/W_OK/R_OK -> X_OK=1, W_OK=2, R_OK=4 (<unistd.h>).
export function accessModeToLinux(ppm: number): number {
  return ((ppm & 1 ? 1 : 0) | (ppm & 2 ? 2 : 0) | (ppm & 4 ? 4 : 0)) >>> 0;
}

// PPM_PROT_* -> PROT_* (<asm-generic/mman-common.h>).
const PROT_FLAGS: BitMap = [
  [1 << 0, 0x1], // READ
  [1 << 1, 0x2], // WRITE
  [1 << 2, 0x4], // EXEC
  [1 << 3, 0x8], // SEM
  [1 << 4, 0x01000000], // GROWSDOWN
  [1 << 5, 0x02000000], // GROWSUP
];
export function protToLinux(ppm: number): number {
  return translate(ppm, PROT_FLAGS);
}

// PPM_MAP_* -> MAP_* (x86-64).
const MMAP_FLAGS: BitMap = [
  [1 << 0, 0x1], // SHARED
  [1 << 1, 0x2], // PRIVATE
  [1 << 2, 0x10], // FIXED
  [1 << 3, 0x20], // ANONYMOUS
  [1 << 4, 0x40], // 32BIT
  [1 << 6, 0x4000], // NORESERVE
  [1 << 7, 0x8000], // POPULATE
  [1 << 8, 0x10000], // NONBLOCK
  [1 << 9, 0x100], // GROWSDOWN
  [1 << 10, 0x800], // DENYWRITE
  [1 << 11, 0x1000], // EXECUTABLE
  [1 << 14, 0x2000], // LOCKED
];
export function mmapFlagsToLinux(ppm: number): number {
  return translate(ppm, MMAP_FLAGS);
}

// PPM_FCNTL_* (an enumeration, not bits) -> F_* (<asm-generic/fcntl.h>, <linux/fcntl.h>).
const FCNTL_CMDS: Readonly<Record<number, number>> = {
  1: 0, // F_DUPFD
  2: 1, // F_GETFD
  3: 2, // F_SETFD
  4: 3, // F_GETFL
  5: 4, // F_SETFL
  6: 5, // F_GETLK
  8: 6, // F_SETLK
  9: 7, // F_SETLKW
  10: 8, // F_SETOWN
  12: 9, // F_GETOWN
  13: 10, // F_SETSIG
  15: 11, // F_GETSIG
  17: 12, // F_GETLK64
  18: 13, // F_SETLK64
  19: 14, // F_SETLKW64
  21: 15, // F_SETOWN_EX
  22: 16, // F_GETOWN_EX
  23: 1024, // F_SETLEASE
  24: 1025, // F_GETLEASE
  25: 1029, // F_CANCELLK
  26: 1030, // F_DUPFD_CLOEXEC
  27: 1026, // F_NOTIFY
  28: 1031, // F_SETPIPE_SZ
  29: 1032, // F_GETPIPE_SZ
  30: 36, // F_OFD_GETLK
  31: 37, // F_OFD_SETLK
  32: 38, // F_OFD_SETLKW
};
/** Unknown PPM commands become -1 (Linux has no command -1), so they never alias a real one. */
export function fcntlCmdToLinux(ppm: number): number {
  return FCNTL_CMDS[ppm] ?? -1;
}

// PPM_POLL* -> POLL* (<asm-generic/poll.h>).
const POLL_FLAGS: BitMap = [
  [1 << 0, 0x1], // IN
  [1 << 1, 0x2], // PRI
  [1 << 2, 0x4], // OUT
  [1 << 3, 0x2000], // RDHUP
  [1 << 4, 0x8], // ERR
  [1 << 5, 0x10], // HUP
  [1 << 6, 0x20], // NVAL
  [1 << 7, 0x40], // RDNORM
  [1 << 8, 0x80], // RDBAND
  [1 << 9, 0x100], // WRNORM
  [1 << 10, 0x200], // WRBAND
];
export function pollFlagsToLinux(ppm: number): number {
  return translate(ppm, POLL_FLAGS);
}

// PPM_PTRACE_* (an enumeration) -> PTRACE_* requests (<linux/ptrace.h>, x86-64).
const PTRACE_REQUESTS: readonly number[] = [
  -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 17, 24, 0x4200, 0x4201, 0x4202, 0x4203, 0x4204, 0x4205, 0x4206,
  0x4207, 0x4208, 0x4209, 0x420a, 0x420b, 12, 13, 14, 15, 18, 19, 21, 25, 26, 30, 31, 32, 33,
];
/** Unknown (0) and unmapped PPM requests become -1. */
export function ptraceRequestToLinux(ppm: number): number {
  return PTRACE_REQUESTS[ppm] ?? -1;
}

// PPM_RESOLVE_* -> RESOLVE_* (openat2, <linux/openat2.h>).
const RESOLVE_FLAGS: BitMap = [
  [1 << 0, 0x08], // BENEATH
  [1 << 1, 0x10], // IN_ROOT
  [1 << 2, 0x02], // NO_MAGICLINKS
  [1 << 3, 0x04], // NO_SYMLINKS
  [1 << 4, 0x01], // NO_XDEV
  [1 << 5, 0x20], // CACHED
];
export function resolveFlagsToLinux(ppm: number): number {
  return translate(ppm, RESOLVE_FLAGS);
}

// PPM_EXVAT_* -> AT_EMPTY_PATH 0x1000, AT_SYMLINK_NOFOLLOW 0x100 (execveat).
export function execveatFlagsToLinux(ppm: number): number {
  return ((ppm & 1 ? 0x1000 : 0) | (ppm & 2 ? 0x100 : 0)) >>> 0;
}
