// Stage 1 of the collector pipeline (track): the state engine. It consumes RawRecords in order
// and keeps the thread/process table, the per-process fd tables, users, groups and containers
// current, so that stage 2 (enrich) can describe every event completely.
//
// Per record: `apply(rec)` updates the tables and returns the calling thread; `eventFd` is then
// the descriptor the record acts on (the new one for open/socket/accept/dup, the closed one for
// close) or null. Objects handed out (thread views, ancestors, fd views, containers) are frozen
// and replaced on change, never mutated, so an event keeps describing the moment it happened.
//
// Bounded memory: a thread leaves the table at its procexit record, a process with its last
// thread. Exits a source lost are covered by `maxThreads`: past it, the least recently active
// tenth of the threads is evicted. Per-process fd tables are capped by `maxFdsPerProcess`.
import type { Ancestor, Container, FileDescriptor, Process } from '../../schemas/types.generated.js';
import { freezeWithSlot } from '../encode/fragment-slot.js';
import { CollectorConfigError } from '../errors.js';
import type { ProcessFacts, RawRecord } from '../raw-record.js';
import { HOST_CONTAINER_ID } from './container-id.js';
import { ancestorsOf } from './ancestry.js';
import { ContainerTable } from './containers.js';
import { FD_HANDLERS, fdView } from './fd-ops.js';
import { PROCESS_HANDLERS, isCloneChild, applyCloneChild } from './process-ops.js';
import type { FdEntry, FdTable, ProcessEntry, ThreadEntry } from './types.js';
import type { FdSeed, ProcessSeed } from './seeds.js';
import { MAX_ANCESTORS, applyFactsTo, applySeed } from './seeds.js';
import { numberArg, positiveInt } from './values.js';

export type { FdSeed, ProcessSeed } from './seeds.js';
export { isMemfdPath } from './seeds.js';
export { numberArg } from './values.js';

export interface StateOptions {
  /** Threads kept before the least recently active are evicted (lost exits). Default 131072. */
  maxThreads?: number;
  /** Descriptors kept per process; the oldest go first past it. Default 65536. */
  maxFdsPerProcess?: number;
  /** Looks up a thread the tables do not know (live: /proc/PID). Null when it cannot. */
  resolveMissing?: (pid: number, tid: number) => ProcessSeed | null;
  /** Whether a thread still exists (live: /proc/TID); eviction then prefers the dead ones. */
  isAlive?: (tid: number) => boolean;
}

export type Handler = (s: StateEngine, rec: RawRecord, th: ThreadEntry) => FileDescriptor | null | undefined;

/** The uid/gid of a process nothing describes: -1 as an unsigned 32-bit id, as libsinsp has it. */
export const UNKNOWN_ID = 0xffffffff;

const HANDLERS = new Map<string, Handler>([...PROCESS_HANDLERS, ...FD_HANDLERS]);

export interface StateSizes {
  threads: number;
  processes: number;
  fds: number;
  containers: number;
  users: number;
  groups: number;
}

export interface StateCounters {
  records: number;
  /** Threads first seen in a record, not in a clone or the bootstrap. */
  missingThreads: number;
  /** Threads evicted because the table was full (their exit was lost). */
  evictedThreads: number;
  /** Descriptors dropped because a process's table was full. */
  evictedFds: number;
}

export class StateEngine {
  readonly threads = new Map<number, ThreadEntry>();
  readonly processes = new Map<number, ProcessEntry>();
  readonly counters: StateCounters = { records: 0, missingThreads: 0, evictedThreads: 0, evictedFds: 0 };
  /** The descriptor the last applied record acts on. */
  eventFd: FileDescriptor | null = null;
  readonly maxFdsPerProcess: number;
  private readonly maxThreads: number;
  private readonly resolveMissing: ((pid: number, tid: number) => ProcessSeed | null) | undefined;
  private readonly isAlive: ((tid: number) => boolean) | undefined;
  private readonly users = new Map<number, string>();
  private readonly groups = new Map<number, string>();
  private readonly containers = new ContainerTable();
  private usersGen = 0;
  private versionCounter = 0;

  constructor(options: StateOptions = {}) {
    this.maxThreads = positiveInt(options.maxThreads ?? 131_072, 'maxThreads');
    this.maxFdsPerProcess = positiveInt(options.maxFdsPerProcess ?? 65_536, 'maxFdsPerProcess');
    this.resolveMissing = options.resolveMissing;
    this.isAlive = options.isAlive;
    this.containers.seed({ id: HOST_CONTAINER_ID, name: 'host' });
  }

  // ---- seeding: the bootstrap (/proc, a .scap's process/fd/user lists) -------------------------

  /** Adds or updates a process and its thread `seed.tid` (default: the main thread). */
  seedProcess(seed: ProcessSeed): void {
    const tid = seed.tid ?? seed.pid;
    let p = this.processes.get(seed.pid);
    if (p === undefined) {
      p = this.newProcess(seed.pid, seed.ppid ?? 0, seed.startTs ?? 0n);
      this.processes.set(seed.pid, p);
    }
    applySeed(p, seed);
    this.touch(p);
    if (!this.threads.has(tid)) this.addThread(tid, p);
  }

  /** Adds a thread to a seeded process; `comm` when the thread's name differs from the process's. */
  seedThread(tid: number, pid: number, comm?: string): void {
    const p = this.processes.get(pid);
    if (p === undefined) throw new CollectorConfigError(`seedThread(${tid}, ${pid}): process ${pid} was not seeded`);
    const th = this.threads.get(tid) ?? this.addThread(tid, p);
    if (comm !== undefined && comm !== p.comm && th.comm !== comm) {
      th.comm = comm;
      th.view = null;
    }
  }

  /** Adds or replaces a descriptor of a seeded process. */
  seedFd(pid: number, seed: FdSeed): void {
    const p = this.processes.get(pid);
    if (p === undefined) throw new CollectorConfigError(`seedFd(${pid}, ${seed.num}): process ${pid} was not seeded`);
    this.putFd(p, seed.num, { view: fdView(seed), cloexec: seed.cloexec ?? false });
  }

  seedUser(uid: number, name: string): void {
    this.users.set(uid, name);
    this.usersGen++;
  }

  seedGroup(gid: number, name: string): void {
    this.groups.set(gid, name);
    this.usersGen++;
  }

  /** Container metadata a runtime or a capture knows (name, image...). */
  seedContainer(container: Partial<Container> & { id: string }): void {
    this.containers.seed(container);
  }

  /**
   * Called synchronously the first time an event names a container id the table has no entry
   * for (a runtime-socket lookup starts there and answers later through `seedContainer`).
   */
  watchUnknownContainers(listener: ((id: string) => void) | null): void {
    this.containers.watchUnknown(listener);
  }

  /** Drops a container's entry, so the next event naming it asks the listener again. */
  forgetContainer(id: string): void {
    this.containers.forget(id);
  }

  /**
   * A runtime has just described a running container (after `seedContainer`): queue a
   * `container` record, Falco's container event, for the collector to emit (state/containers.ts).
   */
  announceContainer(id: string, ts: bigint): void {
    this.containers.announce(id, this.processes.values(), ts);
  }

  /** Whether `container` records are queued (checked after every record: it is one length test). */
  get hasContainerAnnouncements(): boolean {
    return this.containers.hasAnnouncements;
  }

  /** The queued `container` records, oldest first; the queue is emptied. */
  takeContainerAnnouncements(): RawRecord[] {
    return this.containers.takeAnnouncements();
  }

  /** Container ids processes are in now (the bootstrap's running containers), `host` excluded. */
  containerIds(): Set<string> {
    const ids = new Set<string>();
    for (const p of this.processes.values()) if (p.containerId !== HOST_CONTAINER_ID) ids.add(p.containerId);
    return ids;
  }

  // ---- the per-record step ---------------------------------------------------------------------

  /** Applies one record; returns the thread it belongs to and sets `eventFd`. */
  apply(rec: RawRecord): ThreadEntry {
    this.counters.records++;
    let th: ThreadEntry | undefined;
    if (isCloneChild(rec)) th = applyCloneChild(this, rec);
    else th = this.threads.get(rec.tid) ?? this.missingThread(rec);
    th.lastSeen = this.counters.records;
    const handler = HANDLERS.get(rec.type);
    let fd = handler === undefined ? undefined : handler(this, rec, th);
    if (rec.dir === 'ENTER') {
      th.enterType = rec.type;
      th.enterArgs = rec.args;
    } else if (rec.facts !== undefined && handler === undefined) {
      this.applyFacts(th.proc, rec.facts);
    }
    if (fd === undefined) fd = this.lookupFd(th, numberArg(this.arg(rec, th, 'fd')));
    this.eventFd = fd;
    if (this.threads.size > this.maxThreads) this.evictStale();
    return th;
  }

  /** An argument of the record, or of its ENTER record when the exit does not repeat it. */
  arg(rec: RawRecord, th: ThreadEntry, name: string): unknown {
    const v = rec.args[name];
    if (v !== undefined) return v;
    return th.enterType === rec.type && th.enterArgs !== null ? th.enterArgs[name] : undefined;
  }

  lookupFd(th: ThreadEntry, num: number | null): FileDescriptor | null {
    if (num === null) return null;
    const e = th.proc.fds.map.get(num);
    return e === undefined ? null : e.view;
  }

  fdEntry(p: ProcessEntry, num: number): FdEntry | undefined {
    return p.fds.map.get(num);
  }

  /** Writes a descriptor, copying a shared table first (copy-on-write after fork). */
  putFd(p: ProcessEntry, num: number, entry: FdEntry): void {
    const map = this.ownFds(p);
    if (!map.has(num) && map.size >= this.maxFdsPerProcess) {
      const oldest = map.keys().next().value;
      if (oldest !== undefined) map.delete(oldest);
      this.counters.evictedFds++;
    }
    map.set(num, entry);
  }

  removeFd(p: ProcessEntry, num: number): FdEntry | undefined {
    const e = p.fds.map.get(num);
    if (e !== undefined) this.ownFds(p).delete(num);
    return e;
  }

  ownFds(p: ProcessEntry): Map<number, FdEntry> {
    if (p.fds.refs > 1) {
      p.fds.refs--;
      p.fds = { map: new Map(p.fds.map), refs: 1 };
    }
    return p.fds.map;
  }

  // ---- table maintenance, used by the record handlers -------------------------------------------

  newProcess(pid: number, ppid: number, startTs: bigint): ProcessEntry {
    return {
      pid, ppid, vpid: pid, sid: null, comm: '', exe: '', exepath: '', args: [], cwd: null, tty: 0,
      uid: 0, gid: 0, loginuid: -1, capEffective: 0, startTs, exeUpperLayer: false, exeFromMemfd: false,
      containerId: HOST_CONTAINER_ID, fds: { map: new Map(), refs: 1 } satisfies FdTable, threads: 0,
      version: ++this.versionCounter, ancestors: null, ancestorRefs: [], ancestorVersions: [],
      self: null, selfVersion: -1, key: null,
    };
  }

  addThread(tid: number, p: ProcessEntry): ThreadEntry {
    const th: ThreadEntry = {
      tid, proc: p, comm: null, view: null, viewVersion: -1, viewUsersGen: -1,
      lastSeen: this.counters.records, enterType: null, enterArgs: null,
    };
    p.threads++;
    this.threads.set(tid, th);
    return th;
  }

  /** Removes a thread; the process goes with its last thread. Views already handed out stay valid. */
  removeThread(th: ThreadEntry): void {
    if (this.threads.get(th.tid) !== th) return;
    this.threads.delete(th.tid);
    const p = th.proc;
    p.threads--;
    if (p.threads <= 0) {
      p.threads = 0;
      if (this.processes.get(p.pid) === p) this.processes.delete(p.pid);
      p.fds.refs--;
      // Bumping the version invalidates every cached chain that names this process.
      this.touch(p);
    }
  }

  /** Marks a process changed: its views and the chains that include it are rebuilt on next use. */
  touch(p: ProcessEntry): void {
    p.version = ++this.versionCounter;
  }

  applyFacts(p: ProcessEntry, f: ProcessFacts): void {
    applyFactsTo(p, f);
    this.touch(p);
  }

  // ---- views for enrichment ----------------------------------------------------------------------

  procView(th: ThreadEntry): Process {
    const p = th.proc;
    if (th.view !== null && th.viewVersion === p.version && th.viewUsersGen === this.usersGen) return th.view;
    const leader = p.sid === null ? undefined : this.processes.get(p.sid);
    const view: Process = freezeWithSlot({
      tid: th.tid, pid: p.pid, ppid: p.ppid, vpid: p.vpid, sid: p.sid, name: th.comm ?? p.comm, exe: p.exe,
      exepath: p.exepath, args: Object.freeze(p.args.slice()) as string[], cwd: p.cwd, tty: p.tty,
      uid: p.uid, gid: p.gid, user: this.users.get(p.uid) ?? null, group: this.groups.get(p.gid) ?? null,
      loginuid: p.loginuid, loginname: p.loginuid < 0 ? null : (this.users.get(p.loginuid) ?? null),
      capEffective: p.capEffective, startTs: p.startTs, isExeUpperLayer: p.exeUpperLayer,
      isExeFromMemfd: p.exeFromMemfd, sname: leader === undefined ? null : leader.comm,
    });
    th.view = view;
    th.viewVersion = p.version;
    th.viewUsersGen = this.usersGen;
    return view;
  }

  /** Parent first, up to MAX_ANCESTORS levels, while the chain is known (ancestry.ts). */
  ancestors(p: ProcessEntry): readonly Ancestor[] {
    return ancestorsOf(this.processes, p);
  }

  /** The container of a process, for its event at `ts`. */
  container(p: ProcessEntry, ts: bigint): Container {
    return this.containers.of(p, ts);
  }

  userName(uid: number): string | undefined {
    return this.users.get(uid);
  }

  groupName(gid: number): string | undefined {
    return this.groups.get(gid);
  }

  sizes(): StateSizes {
    let fds = 0;
    const seen = new Set<FdTable>();
    for (const p of this.processes.values()) {
      if (seen.has(p.fds)) continue;
      seen.add(p.fds);
      fds += p.fds.map.size;
    }
    return { threads: this.threads.size, processes: this.processes.size, fds, containers: this.containers.size, users: this.users.size, groups: this.groups.size };
  }

  // ---- internals -----------------------------------------------------------------------------------

  private missingThread(rec: RawRecord): ThreadEntry {
    this.counters.missingThreads++;
    let p = this.processes.get(rec.pid);
    if (p === undefined) {
      const seed = this.resolveMissing?.(rec.pid, rec.tid) ?? null;
      p = this.newProcess(rec.pid, seed?.ppid ?? rec.facts?.ppid ?? 0, seed?.startTs ?? rec.facts?.startTs ?? 0n);
      this.processes.set(rec.pid, p);
      // Nothing says who runs it: libsinsp's unknown ids (-1 as u32), not uid 0, which would
      // name it root to every rule.
      if (seed === null) {
        p.uid = UNKNOWN_ID;
        p.gid = UNKNOWN_ID;
      }
      if (seed !== null) applySeed(p, seed);
      if (rec.facts !== undefined) this.applyFacts(p, rec.facts);
      this.touch(p);
      if (seed !== null) this.resolveParents(p);
    }
    return this.addThread(rec.tid, p);
  }

  /** Unknown parents of a resolved process are resolved too, so its ancestors are complete. */
  private resolveParents(p: ProcessEntry): void {
    let cur = p;
    for (let i = 0; i < MAX_ANCESTORS && cur.ppid > 0 && cur.ppid !== cur.pid && !this.processes.has(cur.ppid); i++) {
      const seed = this.resolveMissing!(cur.ppid, cur.ppid);
      if (seed === null) return;
      this.seedProcess(seed);
      cur = this.processes.get(seed.pid)!;
    }
  }

  /**
   * Marks a process and its ancestors active: a quiet parent (init, sshd, a shell waiting for
   * its child) stays while its descendants are busy, so eviction takes leaves first.
   */
  touchLineage(p: ProcessEntry): void {
    const now = this.counters.records;
    let cur: ProcessEntry | undefined = p;
    for (let i = 0; cur !== undefined && i <= MAX_ANCESTORS; i++) {
      const main = this.threads.get(cur.pid);
      if (main !== undefined) main.lastSeen = now;
      if (cur.ppid === cur.pid) break;
      cur = this.processes.get(cur.ppid);
    }
  }

  /** Evicts a tenth of the table, least recently active first, dead ones (if known) before live. */
  private evictStale(): void {
    const all = [...this.threads.values()].sort((a, b) => a.lastSeen - b.lastSeen);
    const n = Math.max(1, Math.floor(all.length / 10));
    let evicted = 0;
    if (this.isAlive !== undefined) {
      for (let i = 0; i < all.length && evicted < n; i++) {
        if (!this.isAlive(all[i]!.tid)) {
          this.removeThread(all[i]!);
          evicted++;
        }
      }
    }
    for (let i = 0; i < all.length && evicted < n; i++) {
      if (this.threads.get(all[i]!.tid) === all[i]) {
        this.removeThread(all[i]!);
        evicted++;
      }
    }
    this.counters.evictedThreads += evicted;
  }
}
