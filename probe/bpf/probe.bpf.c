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

#include "fill.h"

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
	__u8 sp;

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

	sp = conf->special;
	if (sp == SAKER_SP_CLONE3) {
		__u64 flags = 0;
		if (h->args[0] && !bpf_probe_read_user(&flags, sizeof(flags), (void *)h->args[0]))
			h->args[0] = flags;
	} else if (sp == SAKER_SP_OPENAT2) {
		struct open_how how = {};
		if (h->args[2] && !bpf_probe_read_user(&how, sizeof(how), (void *)h->args[2])) {
			h->args[2] = how.flags;
			h->args[3] = how.mode;
			h->args[4] = how.resolve;
		} else {
			h->args[2] = h->args[3] = h->args[4] = 0;
		}
	}
	/* One call site: the facts (with two path walks) are inlined once. In the fork family only
	 * the child (res 0) gets them; exec only on success. */
	if ((sp == SAKER_SP_EXEC || sp == SAKER_SP_FORK || sp == SAKER_SP_CLONE3) && ctx->ret == 0)
		off = put_facts(s->b, task, h);
	if (sp == SAKER_SP_EXEC) {
		/* Keyed by tgid: an exec from a non-leader thread returns with the leader's tid. */
		__u32 tgid = id >> 32;
		struct exec_enter *e = bpf_map_lookup_elem(&exec_args, &tgid);
		if (e) {
			__builtin_memcpy(h->args, e->args, sizeof(h->args));
			off = put_str(s->b, off, SAKER_TAG_EXEPATH, e->path, false, h);
			bpf_map_delete_elem(&exec_args, &tgid);
		}
		if (ctx->ret == 0)
			off = put_argv(s->b, off, task, h);
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
