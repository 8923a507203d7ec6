/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The kernel -> user record layout: the ONE definition of what the eBPF program writes to the
 * ring buffer and what the addon copies into batches. probe/decode.ts mirrors this file
 * byte for byte (and probe/syscalls.ts mirrors the blob kinds / specials); change them together.
 * Little-endian (x86_64), no compiler padding inside the structs (sizes asserted below).
 *
 * Record (8-byte aligned start; `len` bytes long, not padded):
 *   struct saker_hdr                         80 bytes
 *   struct saker_facts  if flags & FACTS     64 bytes
 *   blob*               until `len`:  struct saker_blob (4 bytes) + `len` bytes of payload
 *
 * Batch (what the addon hands to JavaScript): records back to back, each starting at an
 * 8-byte aligned offset (next = align8(offset + hdr.len)).
 *
 * Blob payloads by kind:
 *   STR      NUL-terminated string, `len` counts the NUL.
 *   SOCKADDR the raw struct sockaddr bytes the process passed (family first, ABI layout).
 *   TUPLE    struct saker_tuple, read from the kernel socket of the fd.
 *   ARGV     argv strings, each NUL-terminated, back to back (truncated at SAKER_ARGV_MAX).
 */
#ifndef SAKER_RECORD_H
#define SAKER_RECORD_H

#define SAKER_SCRATCH 16384     /* per-CPU build area; a record never exceeds it */
#define SAKER_STR_MAX 4096      /* one string payload (PATH_MAX) */
#define SAKER_ARGV_MAX 4096
#define SAKER_SOCKADDR_MAX 128  /* sizeof(struct sockaddr_storage) */
#define SAKER_EXEC_PATH 1024    /* execve filename kept between enter and exit */
#define SAKER_MAX_NR 512        /* syscall numbers below this can be configured */
#define SAKER_MAX_BLOBS 4

/* saker_hdr.kind */
#define SAKER_KIND_SYSCALL 0    /* an exit record: nr = syscall number, res = return value */
#define SAKER_KIND_PROCEXIT 1   /* a thread exited: args[0] = task exit_code */

/* saker_hdr.flags */
#define SAKER_F_FACTS 0x01      /* struct saker_facts follows the header */
#define SAKER_F_READ_FAIL 0x02  /* a user/kernel memory read failed: some blob is missing */

/* saker_blob.kind */
#define SAKER_BLOB_NONE 0
#define SAKER_BLOB_STR 1
#define SAKER_BLOB_SOCKADDR 2   /* config: pointer in arg i, length value in arg i+1 */
#define SAKER_BLOB_TUPLE 3
#define SAKER_BLOB_ARGV 4
#define SAKER_BLOB_MSGHDR 5     /* config only: struct user_msghdr in arg i; emitted as SOCKADDR */
#define SAKER_BLOB_FDPAIR 6     /* config only: arg i points to int[2] (pipe, socketpair); the two
                                   fds replace args[i] (low 32 bits fd1, high fd2), no blob */

/* saker_blob.tag: the syscall argument index 0..5, or one of these */
#define SAKER_TAG_EXEPATH 16    /* execve/execveat filename (saved at enter) */
#define SAKER_TAG_ARGV 17
#define SAKER_TAG_CGROUP 18     /* facts: cgroup path (v2 unified, else first v1 hierarchy) */
#define SAKER_TAG_TUPLE 19
#define SAKER_TAG_CWD 20        /* facts: working directory, relative to the task's root */
#define SAKER_TAG_EXEFILE 21    /* facts: the executable's path (mm->exe_file), relative to the task's root */

/* saker_sc_conf.special */
#define SAKER_SP_NONE 0
#define SAKER_SP_EXEC 1         /* args and filename from the enter record; argv + facts on success */
#define SAKER_SP_FORK 2         /* facts in the child (res == 0) */
#define SAKER_SP_CLONE3 3       /* args[0] = clone_args.flags; facts in the child */
#define SAKER_SP_OPENAT2 4      /* args[2..4] = open_how.flags, .mode, .resolve */

/* saker_sc_conf.tuple */
#define SAKER_TUPLE_NONE 0
#define SAKER_TUPLE_ARG0 1      /* socket fd in args[0] */
#define SAKER_TUPLE_RES 2       /* socket fd is the return value (accept) */

/* saker_facts.exe_flags */
#define SAKER_EXE_UPPER_LAYER 0x01
#define SAKER_EXE_FROM_MEMFD 0x02

struct saker_hdr {
	__u64 ts;        /* CLOCK_BOOTTIME ns; the addon reports the boot -> epoch offset */
	__s64 res;
	__u32 tid;       /* initial pid namespace */
	__u32 pid;       /* thread group id */
	__u16 len;       /* bytes in this record, header included */
	__u16 nr;        /* syscall number (x86_64 table) */
	__u16 cpu;
	__u8 kind;       /* SAKER_KIND_* */
	__u8 flags;      /* SAKER_F_* */
	__u64 args[6];   /* raw syscall arguments (specials rewrite some, see above) */
};

struct saker_facts {
	__u32 ppid;      /* real parent's tgid */
	__u32 vpid;      /* tgid in the process's own pid namespace */
	__u32 uid;
	__u32 gid;
	__u32 loginuid;  /* 0xffffffff = unset */
	__u32 tty;       /* tty_nr encoding as in /proc/pid/stat; 0 = none */
	__u32 exe_flags; /* SAKER_EXE_* */
	__u32 euid;
	__u64 cap_eff;
	__u64 start_ts;  /* group leader start, CLOCK_BOOTTIME ns */
	char comm[16];
};

struct saker_blob {
	__u16 len;
	__u8 tag;        /* SAKER_TAG_* or argument index */
	__u8 kind;       /* SAKER_BLOB_* */
};

struct saker_tuple {
	__u16 family;    /* AF_INET / AF_INET6 / AF_UNIX */
	__u16 sport;     /* host byte order */
	__u16 dport;     /* host byte order */
	__u16 pad;
	__u8 saddr[16];  /* IPv4 in the first 4 bytes */
	__u8 daddr[16];
};

/* Per-CPU counters (BPF_MAP_TYPE_PERCPU_ARRAY, one entry). */
struct saker_cpu_stats {
	__u64 emitted;   /* records the program tried to submit */
	__u64 ring_full; /* of which the ring buffer refused (dropped) */
	__u64 read_fail; /* records submitted with SAKER_F_READ_FAIL (delivered, partial) */
	__u64 too_big;   /* never submitted: over SAKER_SCRATCH (counted in emitted and dropped) */
};

/* Per-syscall configuration (BPF_MAP_TYPE_ARRAY indexed by syscall number), from probe/syscalls.ts. */
struct saker_sc_conf {
	__u8 enabled;
	__u8 special;    /* SAKER_SP_* */
	__u8 tuple;      /* SAKER_TUPLE_* */
	__u8 pad;
	__u8 blob_kind[SAKER_MAX_BLOBS];
	__u8 blob_arg[SAKER_MAX_BLOBS];
};

#ifdef __cplusplus
static_assert(sizeof(struct saker_hdr) == 80, "saker_hdr layout");
static_assert(sizeof(struct saker_facts) == 64, "saker_facts layout");
static_assert(sizeof(struct saker_blob) == 4, "saker_blob layout");
static_assert(sizeof(struct saker_tuple) == 40, "saker_tuple layout");
static_assert(sizeof(struct saker_sc_conf) == 12, "saker_sc_conf layout");
#else
_Static_assert(sizeof(struct saker_hdr) == 80, "saker_hdr layout");
_Static_assert(sizeof(struct saker_facts) == 64, "saker_facts layout");
_Static_assert(sizeof(struct saker_blob) == 4, "saker_blob layout");
_Static_assert(sizeof(struct saker_tuple) == 40, "saker_tuple layout");
_Static_assert(sizeof(struct saker_sc_conf) == 12, "saker_sc_conf layout");
#endif

#endif
