// Shared by the probe's tests and bench:probe: preconditions that fail loudly (never skip) and
// the load generator built by probe/build.sh.
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function requireRoot(): void {
  if (process.getuid?.() !== 0) {
    throw new Error('the probe tests need root (loading BPF programs, attaching tracepoints); CI runs them as root');
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** probe/build/syscall-loop, from probe/ or dist/probe/. */
export function syscallLoopPath(): string {
  for (const rel of ['../probe/build/syscall-loop', '../../probe/build/syscall-loop']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new Error('probe/build/syscall-loop is missing: run `npm run build:probe`');
}

/** This process's fds that hold BPF maps, programs, links or perf events. */
export function bpfFds(): string[] {
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const t = readlinkSync(`/proc/self/fd/${fd}`);
      if (/^anon_inode:(bpf|\[perf_event\]|\[eventpoll\])/.test(t)) out.push(t);
    } catch {
      // the fd used by readdir itself is gone by now
    }
  }
  return out;
}
