/* Paths the kernel holds as (dentry, vfsmount): the working directory and the executable file,
 * written as STR blobs relative to the task's root. Included once, by fill.h, after bounded(),
 * HALF and PATH_DEPTH. */

struct cwd_walk {
	struct dentry *d;
	struct vfsmount *vm;
	struct mount *mnt;
	struct dentry *root;
	struct vfsmount *root_mnt;
	const unsigned char *names[PATH_DEPTH];
	int depth;
};

/* One step up from w->d: to the parent dentry, or across a mount to its mountpoint. A bpf_loop
 * callback, so the verifier checks one step instead of every path through 32 of them. */
static long cwd_step(__u32 i, void *arg)
{
	struct cwd_walk *w = arg;
	/* Locals: inside BPF_CORE_READ, w->x would become a relocation against our own struct. */
	struct dentry *d = w->d, *parent, *mnt_root;
	struct vfsmount *vm = w->vm;
	struct mount *mnt = w->mnt;

	if (!d || (d == w->root && vm == w->root_mnt))
		return 1;
	mnt_root = BPF_CORE_READ(vm, mnt_root);
	parent = BPF_CORE_READ(d, d_parent);
	if (d == parent && d != mnt_root) {
		/* A pseudo file's own root dentry (a memfd's "memfd:NAME"): its name, nothing above. */
		if (w->depth < PATH_DEPTH) {
			w->names[w->depth & (PATH_DEPTH - 1)] = BPF_CORE_READ(d, d_name.name);
			w->depth++;
		}
		return 1;
	}
	if (d == mnt_root || d == parent) {
		struct mount *up = BPF_CORE_READ(mnt, mnt_parent);
		if (up == mnt) /* the global root */
			return 1;
		w->d = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = up;
		w->vm = &up->mnt;
		return 0;
	}
	if (w->depth >= PATH_DEPTH)
		return 1;
	w->names[w->depth & (PATH_DEPTH - 1)] = BPF_CORE_READ(d, d_name.name);
	w->depth++;
	w->d = parent;
	return 0;
}

/* A path as one STR blob: dentry names from (d, vm) up to the task's root, crossing mounts
 * (struct mount wraps the vfsmount). Only on exec/fork, so the walk's cost does not matter.
 * Deeper than PATH_DEPTH names: the last PATH_DEPTH, still starting with '/'. */
static __always_inline __u32 put_path(__u8 *buf, __u32 off, struct fs_struct *fs, struct dentry *d,
				      struct vfsmount *vm, __u8 tag)
{
	struct cwd_walk w = {};
	__u32 pos;

	if (!fs || !d || !vm || off > HALF - 1)
		return off;
	off = bounded(off);
	w.d = d;
	w.vm = vm;
	w.root = BPF_CORE_READ(fs, root.dentry);
	w.root_mnt = BPF_CORE_READ(fs, root.mnt);
	w.mnt = container_of(w.vm, struct mount, mnt);
	bpf_loop(PATH_DEPTH * 2, cwd_step, &w, 0);
	pos = off + 4;
#pragma unroll
	for (int i = PATH_DEPTH - 1; i >= 0; i--) {
		long n;
		if (i >= w.depth)
			continue;
		pos = bounded(pos);
		buf[pos] = '/';
		n = bpf_probe_read_kernel_str(buf + pos + 1, 256, w.names[i]);
		if (n <= 0)
			break;
		pos += n;
	}
	if (w.depth == 0) {
		pos = bounded(pos);
		buf[pos] = '/';
		pos++;
	}
	pos = bounded(pos);
	buf[pos] = 0;
	blob_header(buf, off, pos + 1 - (off + 4), tag, SAKER_BLOB_STR);
	return pos + 1;
}
