/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Filling a record (layout: record.h) in the per-CPU scratch area: strings, socket addresses,
 * the socket tuple of an fd, argv, and the per-process facts (cgroup path, exe flags, tty...).
 * Included once, by probe.bpf.c. Every write offset is checked against HALF and then masked
 * through bounded(), so that the verifier can bound writes of up to SAKER_STR_MAX bytes.
 */
#ifndef SAKER_FILL_H
#define SAKER_FILL_H
#define HALF (SAKER_SCRATCH / 2)
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#define CGROUP_DEPTH 8
#define PATH_DEPTH 16           /* deeper working directories are cut to their last 16 names */
/* entries of css_set.subsys in this kernel's BTF (vmlinux.h is generated at build time) */
#define CGROUP_SUBSYS_MAX (sizeof(((struct css_set *)0)->subsys) / sizeof(void *))

/* Kernels before 6.15 call it `parent`. */
struct kernfs_node___old { struct kernfs_node *parent; } __attribute__((preserve_access_index));

/* Flavor so that the overlay check relocates against whatever ovl_inode the kernel has. */
struct ovl_inode___saker {
	struct inode vfs_inode;
	struct dentry *__upperdentry;
} __attribute__((preserve_access_index));

/* Call after checking off <= HALF - 1: the barrier keeps clang from dropping the mask, which
 * the verifier needs to bound the writes that follow. */
static __always_inline __u32 bounded(__u32 off)
{
	asm volatile("" : "+r"(off));
	return off & (HALF - 1);
}

/* The 4-byte header (record.h: struct saker_blob) in front of a payload written at off + 4. */
static __always_inline void blob_header(__u8 *buf, __u32 off, __u16 len, __u8 tag, __u8 kind)
{
	struct saker_blob *b = (void *)(buf + off);

	b->len = len;
	b->tag = tag;
	b->kind = kind;
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
	blob_header(buf, off, n, tag, SAKER_BLOB_STR);
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
	blob_header(buf, off, len, tag, SAKER_BLOB_SOCKADDR);
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
	blob_header(buf, off, sizeof(*t), SAKER_TAG_TUPLE, SAKER_BLOB_TUPLE);
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
	blob_header(buf, off, pos + 1 - (off + 4), SAKER_TAG_CGROUP, SAKER_BLOB_STR);
	return pos + 1;
}

static __always_inline __u32 exe_flags(struct file *exe)
{
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

#include "path.h"

/* Facts about the current process, right after the header (constant offset 80). */
static __always_inline __u32 put_facts(__u8 *buf, struct task_struct *task, struct saker_hdr *h)
{
	struct saker_facts *f = (void *)(buf + sizeof(struct saker_hdr));
	struct task_struct *leader = BPF_CORE_READ(task, group_leader);
	struct pid *tp = BPF_CORE_READ(leader, thread_pid);
	unsigned int level = BPF_CORE_READ(tp, level);
	struct file *exe = BPF_CORE_READ(task, mm, exe_file);
	struct fs_struct *fs = BPF_CORE_READ(task, fs);
	struct upid up = {};
	struct tty_struct *tty;
	__u32 off;

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
	f->exe_flags = exe_flags(exe);
	f->start_ts = BPF_CORE_READ(leader, start_boottime);
	bpf_get_current_comm(f->comm, sizeof(f->comm));
	off = put_cgroup(buf, sizeof(struct saker_hdr) + sizeof(struct saker_facts), task);
	/* The working directory, then the executable the kernel runs (mm->exe_file: symlinks
	 * resolved, a script's interpreter, a memfd as /memfd:NAME; Falco's trusted exepath). */
	off = put_path(buf, off, fs, BPF_CORE_READ(fs, pwd.dentry), BPF_CORE_READ(fs, pwd.mnt), SAKER_TAG_CWD);
	if (exe)
		off = put_path(buf, off, fs, BPF_CORE_READ(exe, f_path.dentry), BPF_CORE_READ(exe, f_path.mnt), SAKER_TAG_EXEFILE);
	return off;
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
	blob_header(buf, off, n, SAKER_TAG_ARGV, SAKER_BLOB_ARGV);
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

#endif
