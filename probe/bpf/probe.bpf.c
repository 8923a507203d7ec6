// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Saker's syscall probe. One exit program attached to the per-syscall exit tracepoint of each
 * configured syscall (syscalls/sys_exit_<name>): it reads the original arguments from the
 * task's pt_regs (user strings at exit are paged in, unlike at enter), builds a record in a
 * per-CPU scratch area and copies it to the ring buffer without waking the reader until
 * `wakeup_bytes` are pending (the reader also drains on a short timer). Record layout: record.h.
 * execve/execveat also use the enter tracepoint, because a successful exec replaces the memory
 * the filename pointed to. Thread exits come from sched/sched_process_exit.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "record.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define HALF (SAKER_SCRATCH / 2)
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#define CGROUP_DEPTH 8
/* entries of css_set.subsys in this kernel's BTF (vmlinux.h is generated at build time) */
#define CGROUP_SUBSYS_MAX (sizeof(((struct css_set *)0)->subsys) / sizeof(void *))

/* Set by the addon before load. */
const volatile __u32 self_tgid = 0;      /* collector's tgid when it runs in the initial pid ns */
const volatile __u64 self_ns_dev = 0;    /* else: its pid namespace and pid there */
const volatile __u64 self_ns_ino = 0;
const volatile __u32 self_ns_pid = 0;
const volatile __u64 wakeup_bytes = 1 << 20;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} ring SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct saker_cpu_stats);
} stats SEC(".maps");

struct scratch { __u8 b[SAKER_SCRATCH]; };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SAKER_MAX_NR);
	__type(key, __u32);
	__type(value, struct saker_sc_conf);
} sc_conf SEC(".maps");

struct exec_enter {
	__u64 args[6];
	char path[SAKER_EXEC_PATH];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct exec_enter);
} exec_args SEC(".maps");

/* Per-syscall tracepoint formats (see /sys/kernel/tracing/events/syscalls/.../format). */
struct sys_enter_ctx { __u64 common; int nr; };
struct sys_exit_ctx { __u64 common; int nr; int pad; long ret; };

/* Kernels before 6.15 call it `parent`. */
struct kernfs_node___old { struct kernfs_node *parent; } __attribute__((preserve_access_index));

/* Flavor so that the overlay check relocates against whatever ovl_inode the kernel has. */
struct ovl_inode___saker {
	struct inode vfs_inode;
	struct dentry *__upperdentry;
} __attribute__((preserve_access_index));

static __always_inline bool is_self(void)
{
	if (self_tgid)
		return (bpf_get_current_pid_tgid() >> 32) == self_tgid;
	if (self_ns_ino) {
		struct bpf_pidns_info ns = {};
		if (bpf_get_ns_current_pid_tgid(self_ns_dev, self_ns_ino, &ns, sizeof(ns)))
			return false;
		return ns.tgid == self_ns_pid;
	}
	return false;
}

/* Call after checking off <= HALF - 1: the barrier keeps clang from dropping the mask, which
 * the verifier needs to bound the writes that follow. */
static __always_inline __u32 bounded(__u32 off)
{
	asm volatile("" : "+r"(off));
	return off & (HALF - 1);
}

static __always_inline void submit(struct saker_cpu_stats *st, __u8 *buf, __u32 len)
{
	__u64 flags = BPF_RB_NO_WAKEUP;

	st->emitted++;
	if (len > SAKER_SCRATCH - 1) {
		st->too_big++;
		st->ring_full++;
		return;
	}
	/* The query reads the consumer position, a cache line the reader keeps writing on another
	 * CPU: ask only every 32nd record of this CPU (the threshold is a soft one anyway). */
	if ((st->emitted & 31) == 0 && bpf_ringbuf_query(&ring, BPF_RB_AVAIL_DATA) >= wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	/* the barrier stops clang from dropping the mask the verifier needs to see */
	asm volatile("" : "+r"(len));
	len &= SAKER_SCRATCH - 1;
	if (bpf_ringbuf_output(&ring, buf, len, flags))
		st->ring_full++;
	else if (((struct saker_hdr *)buf)->flags & SAKER_F_READ_FAIL)
		st->read_fail++;
}

static __always_inline __u32 put_str(__u8 *buf, __u32 off, __u8 tag, const void *src, bool user,
				     struct saker_hdr *h)
{
	long n;

	if (!src)
		return off;
	if (off > HALF - 1) {
		h->flags |= SAKER_F_READ_FAIL;
		return off;
	}
	off = bounded(off);
	if (user)
		n = bpf_probe_read_user_str(buf + off + 4, SAKER_STR_MAX, src);
	else
		n = bpf_probe_read_kernel_str(buf + off + 4, SAKER_STR_MAX, src);
	if (n <= 0 || n > SAKER_STR_MAX) {
		h->flags |= SAKER_F_READ_FAIL;
		return off;
	}
	struct saker_blob *b = (void *)(buf + off);
	b->len = n;
	b->tag = tag;
	b->kind = SAKER_BLOB_STR;
	return off + 4 + n;
}

static __always_inline __u32 put_sockaddr(__u8 *buf, __u32 off, __u8 tag, const void *src,
					  __u64 len, struct saker_hdr *h)
{
	if (!src || len == 0)
		return off;
	if (len > SAKER_SOCKADDR_MAX)
		len = SAKER_SOCKADDR_MAX;
	if (off > HALF - 1) {
		h->flags |= SAKER_F_READ_FAIL;
		return off;
	}
	off = bounded(off);
	if (bpf_probe_read_user(buf + off + 4, len & (SAKER_SOCKADDR_MAX * 2 - 1), src)) {
		h->flags |= SAKER_F_READ_FAIL;
		return off;
	}
	struct saker_blob *b = (void *)(buf + off);
	b->len = len;
	b->tag = tag;
	b->kind = SAKER_BLOB_SOCKADDR;
	return off + 4 + (len & (SAKER_SOCKADDR_MAX * 2 - 1));
}

static __always_inline struct file *fd_file(struct task_struct *task, long fd)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *f = NULL;

	if (!fdt || fd < 0 || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

static __always_inline __u32 put_tuple(__u8 *buf, __u32 off, struct task_struct *task, long fd)
{
	struct file *f = fd_file(task, fd);
	struct socket *sock;
	struct sock *sk;
	struct saker_tuple *t;

	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) != S_IFSOCK || off > HALF - 1)
		return off;
	off = bounded(off);
	sock = BPF_CORE_READ(f, private_data);
	sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return off;
	t = (void *)(buf + off + 4);
	__builtin_memset(t, 0, sizeof(*t));
	t->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	t->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	t->dport = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	/* The casts size the reads (BPF_CORE_READ_INTO reads sizeof(*dst)). */
	if (t->family == AF_INET) {
		BPF_CORE_READ_INTO((__u32 *)t->saddr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO((__u32 *)t->daddr, sk, __sk_common.skc_daddr);
	} else if (t->family == AF_INET6) {
		BPF_CORE_READ_INTO((struct in6_addr *)t->saddr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO((struct in6_addr *)t->daddr, sk, __sk_common.skc_v6_daddr);
	} else if (t->family != AF_UNIX) {
		return off;
	}
	struct saker_blob *b = (void *)(buf + off);
	b->len = sizeof(*t);
	b->tag = SAKER_TAG_TUPLE;
	b->kind = SAKER_BLOB_TUPLE;
	return off + 4 + sizeof(*t);
}

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(kn->__parent))
		return BPF_CORE_READ(kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

/* The cgroup path, root to leaf, as one STR blob at `off` (off is small and constant here). */
static __always_inline __u32 put_cgroup(__u8 *buf, __u32 off, struct task_struct *task)
{
	struct kernfs_node *kn = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn);
	const char *names[CGROUP_DEPTH] = {};
	int depth = 0;
	__u32 pos = off + 4;

	/* At the unified root: a v1 or hybrid system; take the first v1 hierarchy placing the task
	 * below its root (docker places it in all of them; some hosts in only one). */
	if (kn && !kn_parent(kn)) {
		struct css_set *cs = BPF_CORE_READ(task, cgroups);
#pragma unroll
		for (int i = 0; i < CGROUP_SUBSYS_MAX; i++) {
			struct cgroup_subsys_state *css = NULL;
			struct kernfs_node *k;
			bpf_probe_read_kernel(&css, sizeof(css), &cs->subsys[i]);
			if (!css)
				continue;
			k = BPF_CORE_READ(css, cgroup, kn);
			if (k && kn_parent(k)) {
				kn = k;
				break;
			}
		}
	}
#pragma unroll
	for (int i = 0; i < CGROUP_DEPTH; i++) {
		struct kernfs_node *parent;
		if (!kn)
			break;
		parent = kn_parent(kn);
		if (!parent) /* the root's name is empty */
			break;
		names[i] = BPF_CORE_READ(kn, name);
		depth++;
		kn = parent;
	}
#pragma unroll
	for (int i = CGROUP_DEPTH - 1; i >= 0; i--) {
		long n;
		if (i >= depth)
			continue;
		pos = bounded(pos) & 4095;
		buf[pos] = '/';
		n = bpf_probe_read_kernel_str(buf + pos + 1, 256, names[i]);
		if (n <= 0)
			break;
		pos += n; /* the NUL is overwritten by the next '/' */
	}
	if (depth == 0) {
		pos = bounded(pos) & 4095;
		buf[pos] = '/';
		pos++;
	}
	pos = bounded(pos) & 4095;
	buf[pos] = 0;
	struct saker_blob *b = (void *)(buf + off);
	b->len = pos + 1 - (off + 4);
	b->tag = SAKER_TAG_CGROUP;
	b->kind = SAKER_BLOB_STR;
	return pos + 1;
}

static __always_inline __u32 exe_flags(struct task_struct *task)
{
	struct file *exe = BPF_CORE_READ(task, mm, exe_file);
	struct inode *inode;
	__u32 flags = 0;
	char name[8] = {};

	if (!exe)
		return 0;
	inode = BPF_CORE_READ(exe, f_inode);
	bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(exe, f_path.dentry, d_name.name));
	if (name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'f' && name[4] == 'd' &&
	    name[5] == ':' && BPF_CORE_READ(inode, __i_nlink) == 0)
		flags |= SAKER_EXE_FROM_MEMFD;
	if (BPF_CORE_READ(inode, i_sb, s_magic) == OVERLAYFS_SUPER_MAGIC &&
	    bpf_core_field_exists(struct ovl_inode___saker, __upperdentry)) {
		struct ovl_inode___saker *oi = (void *)((char *)inode -
			bpf_core_field_offset(struct ovl_inode___saker, vfs_inode));
		if (BPF_CORE_READ(oi, __upperdentry))
			flags |= SAKER_EXE_UPPER_LAYER;
	}
	return flags;
}

/* Facts about the current process, right after the header (constant offset 80). */
static __always_inline __u32 put_facts(__u8 *buf, struct task_struct *task, struct saker_hdr *h)
{
	struct saker_facts *f = (void *)(buf + sizeof(struct saker_hdr));
	struct task_struct *leader = BPF_CORE_READ(task, group_leader);
	struct pid *tp = BPF_CORE_READ(leader, thread_pid);
	unsigned int level = BPF_CORE_READ(tp, level);
	struct upid up = {};
	struct tty_struct *tty;

	h->flags |= SAKER_F_FACTS;
	f->ppid = BPF_CORE_READ(task, real_parent, tgid);
	bpf_probe_read_kernel(&up, sizeof(up), &tp->numbers[level & 31]);
	f->vpid = up.nr;
	f->uid = BPF_CORE_READ(task, cred, uid.val);
	f->gid = BPF_CORE_READ(task, cred, gid.val);
	f->euid = BPF_CORE_READ(task, cred, euid.val);
	bpf_probe_read_kernel(&f->cap_eff, 8, &task->cred->cap_effective);
	f->loginuid = 0xffffffff;
	if (bpf_core_field_exists(task->loginuid))
		f->loginuid = BPF_CORE_READ(task, loginuid.val);
	f->tty = 0;
	tty = BPF_CORE_READ(task, signal, tty);
	if (tty) {
		__u32 major = BPF_CORE_READ(tty, driver, major);
		__u32 minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);
		f->tty = (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
	}
	f->exe_flags = exe_flags(task);
	f->start_ts = BPF_CORE_READ(leader, start_boottime);
	bpf_get_current_comm(f->comm, sizeof(f->comm));
	return put_cgroup(buf, sizeof(struct saker_hdr) + sizeof(struct saker_facts), task);
}

static __always_inline __u32 put_argv(__u8 *buf, __u32 off, struct task_struct *task,
				      struct saker_hdr *h)
{
	unsigned long start = BPF_CORE_READ(task, mm, arg_start);
	unsigned long end = BPF_CORE_READ(task, mm, arg_end);
	__u64 n = end - start;

	if (end <= start || off > HALF - 1)
		return off;
	off = bounded(off);
	if (n > SAKER_ARGV_MAX)
		n = SAKER_ARGV_MAX;
	if (bpf_probe_read_user(buf + off + 4, n & (SAKER_ARGV_MAX * 2 - 1), (void *)start)) {
		h->flags |= SAKER_F_READ_FAIL;
		return off;
	}
	struct saker_blob *b = (void *)(buf + off);
	b->len = n;
	b->tag = SAKER_TAG_ARGV;
	b->kind = SAKER_BLOB_ARGV;
	return off + 4 + (n & (SAKER_ARGV_MAX * 2 - 1));
}

static __always_inline __u32 put_arg_blob(__u8 *buf, __u32 off, __u8 kind, __u8 ai,
					  struct saker_hdr *h)
{
	__u64 ptr;

	if (ai > 5)
		return off;
	ptr = h->args[ai];
	switch (kind) {
	case SAKER_BLOB_STR:
		return put_str(buf, off, ai, (void *)ptr, true, h);
	case SAKER_BLOB_SOCKADDR:
		if (ai > 4)
			return off;
		return put_sockaddr(buf, off, ai, (void *)ptr, h->args[ai + 1], h);
	case SAKER_BLOB_FDPAIR: {
		__u64 fds = ~0ULL;
		if (!ptr || h->res < 0 || bpf_probe_read_user(&fds, sizeof(fds), (void *)ptr))
			fds = ~0ULL;
		h->args[ai] = fds;
		return off;
	}
	case SAKER_BLOB_MSGHDR: {
		struct user_msghdr m = {};
		if (!ptr || bpf_probe_read_user(&m, sizeof(m), (void *)ptr))
			return off;
		return put_sockaddr(buf, off, ai, m.msg_name, (__u32)m.msg_namelen, h);
	}
	}
	return off;
}

SEC("tracepoint")
int saker_sys_exit(struct sys_exit_ctx *ctx)
{
	__u32 zero = 0, nr = ctx->nr;
	struct saker_sc_conf *conf;
	struct saker_cpu_stats *st;
	struct scratch *s;
	struct saker_hdr *h;
	struct task_struct *task;
	struct pt_regs *regs;
	__u64 id;
	__u32 off;

	if (nr >= SAKER_MAX_NR || is_self())
		return 0;
	conf = bpf_map_lookup_elem(&sc_conf, &nr);
	s = bpf_map_lookup_elem(&scratch, &zero);
	st = bpf_map_lookup_elem(&stats, &zero);
	if (!conf || !conf->enabled || !s || !st)
		return 0;

	task = bpf_get_current_task_btf();
	/* A trusted BTF pointer: direct (CO-RE relocated) loads, no helper call per register. */
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	id = bpf_get_current_pid_tgid();
	h = (void *)s->b;
	h->ts = bpf_ktime_get_boot_ns();
	h->res = ctx->ret;
	h->tid = (__u32)id;
	h->pid = id >> 32;
	h->nr = nr;
	h->cpu = bpf_get_smp_processor_id();
	h->kind = SAKER_KIND_SYSCALL;
	h->flags = 0;
	h->args[0] = regs->di;
	h->args[1] = regs->si;
	h->args[2] = regs->dx;
	h->args[3] = regs->r10;
	h->args[4] = regs->r8;
	h->args[5] = regs->r9;
	off = sizeof(struct saker_hdr);

	switch (conf->special) {
	case SAKER_SP_EXEC: {
		/* Keyed by tgid: an exec from a non-leader thread returns with the leader's tid. */
		__u32 tgid = id >> 32;
		struct exec_enter *e = bpf_map_lookup_elem(&exec_args, &tgid);
		if (ctx->ret == 0)
			off = put_facts(s->b, task, h);
		if (e) {
			__builtin_memcpy(h->args, e->args, sizeof(h->args));
			off = put_str(s->b, off, SAKER_TAG_EXEPATH, e->path, false, h);
			bpf_map_delete_elem(&exec_args, &tgid);
		}
		if (ctx->ret == 0)
			off = put_argv(s->b, off, task, h);
		break;
	}
	case SAKER_SP_CLONE3: {
		__u64 flags = 0;
		if (h->args[0] && !bpf_probe_read_user(&flags, sizeof(flags), (void *)h->args[0]))
			h->args[0] = flags;
		if (ctx->ret == 0)
			off = put_facts(s->b, task, h);
		break;
	}
	case SAKER_SP_FORK:
		if (ctx->ret == 0)
			off = put_facts(s->b, task, h);
		break;
	case SAKER_SP_OPENAT2: {
		struct open_how how = {};
		if (h->args[2] && !bpf_probe_read_user(&how, sizeof(how), (void *)h->args[2])) {
			h->args[2] = how.flags;
			h->args[3] = how.mode;
			h->args[4] = how.resolve;
		} else {
			h->args[2] = h->args[3] = h->args[4] = 0;
		}
		break;
	}
	}

#pragma unroll
	for (int i = 0; i < SAKER_MAX_BLOBS; i++) {
		if (conf->blob_kind[i] == SAKER_BLOB_NONE)
			break;
		off = put_arg_blob(s->b, off, conf->blob_kind[i], conf->blob_arg[i], h);
	}
	if (conf->tuple == SAKER_TUPLE_ARG0)
		off = put_tuple(s->b, off, task, (long)h->args[0]);
	else if (conf->tuple == SAKER_TUPLE_RES && ctx->ret >= 0)
		off = put_tuple(s->b, off, task, ctx->ret);

	h->len = off;
	submit(st, s->b, off);
	return 0;
}

/* execve / execveat enter: keep the arguments and the filename until the exit record. */
SEC("tracepoint")
int saker_exec_enter(struct sys_enter_ctx *ctx)
{
	__u32 zero = 0, nr = ctx->nr;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct saker_sc_conf *conf;
	struct exec_enter *e;
	struct scratch *s;
	struct pt_regs *regs;
	__u8 ai;

	if (nr >= SAKER_MAX_NR || is_self())
		return 0;
	conf = bpf_map_lookup_elem(&sc_conf, &nr);
	s = bpf_map_lookup_elem(&scratch, &zero);
	if (!conf || !conf->enabled || !s)
		return 0;
	/* From pt_regs, not ctx: execve's tracepoint record has 3 arguments, and a program that
	 * reads past a tracepoint's record is refused at attach time. */
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	e = (void *)s->b;
	e->args[0] = regs->di;
	e->args[1] = regs->si;
	e->args[2] = regs->dx;
	e->args[3] = regs->r10;
	e->args[4] = regs->r8;
	e->args[5] = regs->r9;
	ai = conf->blob_arg[0];
	e->path[0] = 0;
	if (ai < 6)
		bpf_probe_read_user_str(e->path, sizeof(e->path), (void *)e->args[ai]);
	bpf_map_update_elem(&exec_args, &tgid, e, BPF_ANY);
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int saker_proc_exit(void *ctx)
{
	__u32 zero = 0;
	struct saker_cpu_stats *st;
	struct task_struct *task;
	struct scratch *s;
	struct saker_hdr *h;
	__u64 id;

	if (is_self())
		return 0;
	s = bpf_map_lookup_elem(&scratch, &zero);
	st = bpf_map_lookup_elem(&stats, &zero);
	if (!s || !st)
		return 0;
	task = bpf_get_current_task_btf();
	id = bpf_get_current_pid_tgid();
	h = (void *)s->b;
	__builtin_memset(h, 0, sizeof(*h));
	h->ts = bpf_ktime_get_boot_ns();
	h->tid = (__u32)id;
	h->pid = id >> 32;
	h->cpu = bpf_get_smp_processor_id();
	h->kind = SAKER_KIND_PROCEXIT;
	h->args[0] = BPF_CORE_READ(task, exit_code);
	h->len = sizeof(*h);
	submit(st, s->b, sizeof(*h));
	return 0;
}
