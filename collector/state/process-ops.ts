// Record handlers that change the process table: clone/fork/vfork/clone3 (both sides), execve/
// execveat, procexit, chdir/fchdir, set*id, setsid. A clone is seen twice: in the parent (res =
// child tid) and in the child (res = 0); whichever comes first creates the child, the child's own
// record then corrects what only it knows (its facts, whether it is a thread).
import type { RawRecord } from '../raw-record.js';
import type { Handler, StateEngine } from './engine.js';
import { applyFactsTo, isMemfdPath } from './seeds.js';
import { containerIdFromCgroup } from './container-id.js';
import { numberArg } from './values.js';
import { asDirectory, resolvePath } from './paths.js';
import type { ProcessEntry, ThreadEntry } from './types.js';

const CLONE_PARENT = 0x8000;
const CLONE_THREAD = 0x10000;
/** Falco's execve `flags` bits (PPM_EXE_*): the only non-Linux encoding RawRecord carries. */
export const EXE_UPPER_LAYER = 2;
export const EXE_FROM_MEMFD = 4;

const CLONE_TYPES = new Set(['clone', 'clone3', 'fork', 'vfork']);

export function isCloneChild(rec: RawRecord): boolean {
  return rec.res === 0 && rec.dir === 'EXIT' && CLONE_TYPES.has(rec.type);
}

function cloneFlags(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v & 0xffffffffn);
  return 0;
}

function strArg(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return undefined;
}

function strList(v: unknown): string[] | undefined {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'string') return v.length === 0 ? [] : v.split('\0').filter((x, i, a) => x !== '' || i < a.length - 1);
  return undefined;
}

/** A new process, copying what a fork copies from its parent (fds are shared copy-on-write). */
function forkFrom(s: StateEngine, parent: ProcessEntry | undefined, pid: number, ppid: number, ts: bigint): ProcessEntry {
  const p = s.newProcess(pid, ppid, ts);
  if (parent !== undefined) {
    p.sid = parent.sid; p.comm = parent.comm; p.exe = parent.exe; p.exepath = parent.exepath;
    p.args = parent.args; p.cwd = parent.cwd; p.tty = parent.tty; p.uid = parent.uid; p.gid = parent.gid;
    p.loginuid = parent.loginuid; p.capEffective = parent.capEffective; p.exeUpperLayer = parent.exeUpperLayer;
    p.exeFromMemfd = parent.exeFromMemfd; p.containerId = parent.containerId;
    // The vpid is the child's own; in the parent's namespace it is only known from the child side.
    p.vpid = parent.vpid === parent.pid ? pid : p.vpid;
    parent.fds.refs++;
    p.fds = parent.fds;
    s.touchLineage(parent);
  }
  s.processes.set(pid, p);
  return p;
}

/** Parent side: res is the child's tid. */
const cloneParent: Handler = (s, rec, th) => {
  if (rec.dir !== 'EXIT' || rec.res === null || rec.res <= 0) return null;
  const child = rec.res;
  if (s.threads.has(child)) return null;
  const flags = cloneFlags(s.arg(rec, th, 'flags'));
  if ((flags & CLONE_THREAD) !== 0) {
    s.addThread(child, th.proc).comm = th.comm;
  } else {
    const parent = th.proc;
    const ppid = (flags & CLONE_PARENT) !== 0 ? parent.ppid : parent.pid;
    s.addThread(child, forkFrom(s, parent, child, ppid, rec.ts));
  }
  return null;
};

/** Child side (res 0): the record's tid is the child, its pid tells thread from process. */
export function applyCloneChild(s: StateEngine, rec: RawRecord): ThreadEntry {
  let th = s.threads.get(rec.tid);
  const isThread = rec.pid !== rec.tid;
  if (th !== undefined && isThread && th.proc.pid === rec.tid) {
    // The parent side guessed a process; it is a thread of rec.pid.
    s.removeThread(th);
    th = undefined;
  }
  // The record describes the child: its process when it is one, or when its owner is new to us.
  let describesProcess = !isThread;
  if (th === undefined) {
    const ptid = numberArg(rec.args['ptid']);
    const parentThread = ptid === null ? undefined : s.threads.get(ptid);
    if (isThread) {
      let owner = s.processes.get(rec.pid);
      if (owner === undefined) {
        const ppid = rec.facts?.ppid ?? (parentThread !== undefined && parentThread.proc.pid !== rec.pid ? parentThread.proc.pid : 0);
        owner = forkFrom(s, undefined, rec.pid, ppid, rec.ts);
        describesProcess = true;
      }
      th = s.addThread(rec.tid, owner);
    } else {
      const parent = parentThread?.proc ?? (rec.facts?.ppid === undefined ? undefined : s.processes.get(rec.facts.ppid));
      const ppid = rec.facts?.ppid ?? parent?.pid ?? 0;
      th = s.addThread(rec.tid, forkFrom(s, parent, rec.pid, ppid, rec.ts));
    }
  }
  if (describesProcess) {
    // A source that interprets its records (scap, the probe) hands over facts and they are the
    // whole truth; Falco's clone exit arguments are read only from a source that gives none.
    if (rec.facts !== undefined) applyFactsTo(th.proc, rec.facts);
    else applyCloneArgs(th.proc, rec);
    s.touch(th.proc);
  } else {
    const comm = rec.facts?.comm ?? strArg(rec.args['comm']);
    if (comm !== undefined && comm !== th.proc.comm) th.comm = comm;
  }
  return th;
}

/** Falco's clone exit parameters, for a source that gives no facts: the child's own view of itself. */
function applyCloneArgs(p: ProcessEntry, rec: RawRecord): void {
  const a = rec.args;
  const argv0 = strArg(a['exe']);
  if (argv0 !== undefined) p.exe = argv0;
  const rest = strList(a['args']);
  if (rest !== undefined) p.args = rest;
  const comm = strArg(a['comm']);
  if (comm !== undefined) p.comm = comm;
  const cwd = strArg(a['cwd']);
  if (cwd !== undefined) p.cwd = asDirectory(cwd);
  const uid = numberArg(a['uid']);
  if (uid !== null) p.uid = uid;
  const gid = numberArg(a['gid']);
  if (gid !== null) p.gid = gid;
  const vpid = numberArg(a['vpid']);
  if (vpid !== null) p.vpid = vpid;
  const cgroups = a['cgroups'];
  if (typeof cgroups === 'string' || Array.isArray(cgroups)) {
    p.containerId = containerIdFromCgroup(Array.isArray(cgroups) ? cgroups.join('\n') : cgroups);
  }
}

function basename(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

const execve: Handler = (s, rec, th) => {
  if (rec.dir !== 'EXIT' || rec.res !== 0) return undefined;
  const p = th.proc;
  const f = rec.facts;
  const argv0 = strArg(rec.args['exe']);
  const rest = strList(rec.args['args']);
  if (f?.argv !== undefined && f.argv.length > 0) {
    p.exe = f.argv[0]!;
    p.args = f.argv.slice(1);
  } else {
    if (argv0 !== undefined) p.exe = argv0;
    if (rest !== undefined) p.args = rest;
  }
  const cwd = f?.cwd ?? strArg(rec.args['cwd']);
  if (cwd !== undefined) p.cwd = asDirectory(cwd);
  const filename = strArg(s.arg(rec, th, 'filename'));
  const exepath = f?.exepath ?? strArg(rec.args['trusted_exepath']) ?? filename ?? p.exe;
  // A relative path given to exec (./run.sh) is resolved against the cwd; memfd: names are kept.
  p.exepath = exepath.startsWith('/') || isMemfdPath(exepath) ? exepath : resolvePath(p.cwd, exepath);
  // The kernel names the process after the file passed to exec (`3` for /proc/self/fd/3).
  p.comm = f?.comm ?? strArg(rec.args['comm']) ?? basename(filename ?? p.exepath).slice(0, 15);
  const flags = numberArg(rec.args['flags']);
  p.exeUpperLayer = f?.exeUpperLayer ?? (flags !== null && (flags & EXE_UPPER_LAYER) !== 0);
  p.exeFromMemfd = f?.exeFromMemfd ?? ((flags !== null && (flags & EXE_FROM_MEMFD) !== 0) || isMemfdPath(p.exepath));
  const uid = numberArg(rec.args['uid']);
  if (uid !== null) p.uid = uid;
  const gid = numberArg(rec.args['gid']);
  if (gid !== null) p.gid = gid;
  const loginuid = numberArg(rec.args['loginuid']);
  if (loginuid !== null) p.loginuid = loginuid === 0xffffffff ? -1 : loginuid;
  const cap = numberArg(rec.args['cap_effective']);
  if (cap !== null) p.capEffective = cap;
  const tty = numberArg(rec.args['tty']);
  if (tty !== null) p.tty = tty;
  if (f !== undefined) {
    // The rest of the facts (uid, cgroup, tty...) apply as they are.
    s.applyFacts(p, { ...f, argv: undefined, exepath: undefined, comm: undefined, cwd: undefined });
  }
  closeOnExec(s, p);
  th.comm = null;
  s.touch(p);
  return null;
};

function closeOnExec(s: StateEngine, p: ProcessEntry): void {
  let any = false;
  for (const e of p.fds.map.values()) if (e.cloexec) { any = true; break; }
  if (!any) return;
  const map = s.ownFds(p);
  for (const [num, e] of map) if (e.cloexec) map.delete(num);
}

const procexit: Handler = (s, _rec, th) => {
  s.removeThread(th);
  return null;
};

const chdir: Handler = (s, rec, th) => {
  if (rec.dir !== 'EXIT' || rec.res !== 0) return null;
  const path = strArg(s.arg(rec, th, 'path'));
  if (path === undefined) return null;
  th.proc.cwd = asDirectory(resolvePath(th.proc.cwd, path));
  s.touch(th.proc);
  return null;
};

const fchdir: Handler = (s, rec, th) => {
  const fd = s.lookupFd(th, numberArg(s.arg(rec, th, 'fd')));
  if (rec.dir === 'EXIT' && rec.res === 0 && fd !== null && fd.name.startsWith('/')) {
    th.proc.cwd = asDirectory(fd.name);
    s.touch(th.proc);
  }
  return fd;
};

/** set*uid/set*gid: the effective id is what user.uid shows. -1 means "unchanged". */
function setId(field: 'uid' | 'gid', argNames: string[]): Handler {
  return (s, rec, th) => {
    if (rec.dir !== 'EXIT' || rec.res !== 0) return null;
    for (const name of argNames) {
      const v = numberArg(s.arg(rec, th, name));
      if (v === null || v === -1 || v === 0xffffffff) continue;
      th.proc[field] = v;
      s.touch(th.proc);
      break;
    }
    return null;
  };
}

const setsid: Handler = (s, rec, th) => {
  if (rec.dir === 'EXIT' && rec.res !== null && rec.res > 0) {
    th.proc.sid = rec.res;
    s.touch(th.proc);
  }
  return null;
};

export const PROCESS_HANDLERS: ReadonlyArray<[string, Handler]> = [
  ['clone', cloneParent], ['clone3', cloneParent], ['fork', cloneParent], ['vfork', cloneParent],
  ['execve', execve], ['execveat', execve], ['procexit', procexit],
  ['chdir', chdir], ['fchdir', fchdir],
  ['setuid', setId('uid', ['uid'])], ['setreuid', setId('uid', ['euid', 'ruid'])], ['setresuid', setId('uid', ['euid', 'ruid'])],
  ['setgid', setId('gid', ['gid'])], ['setregid', setId('gid', ['egid', 'rgid'])], ['setresgid', setId('gid', ['egid', 'rgid'])],
  ['setsid', setsid],
];
