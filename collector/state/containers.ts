// The state engine's container table: metadata per container id (seeded by a capture or a
// runtime lookup), the listener told about ids it has never seen, and the `container` records
// announcing a container a runtime has just described.
//
// `container` records are Falco's container event: libsinsp emits one when its container engine
// learns a new container's metadata, and rules see `evt.type = container` (the default rules'
// `container_started` macro). A runtime lookup answers only after the container's first exec (the
// lookup starts at its first record), so without this record "privileged container started"
// would be judged on an exec that carried no metadata yet. The record names the container's
// first process (its pid 1 when known), so the event carries who started it. A container described
// before any process runs in it (looked up as the runtime created it) is announced with its first
// event's process and time. Containers already running when Saker started are described but not
// announced: they did not start now.
import type { Container } from '../../schemas/types.generated.js';
import { freezeWithSlot } from '../encode/fragment-slot.js';
import type { RawRecord } from '../raw-record.js';
import { HOST_CONTAINER_ID } from './container-id.js';
import type { ProcessEntry } from './types.js';

/** The event type of the records `announce` queues: produced here, never by a syscall source. */
export const CONTAINER_EVENT_TYPE = 'container';

/** Entries kept before the table is rebuilt on demand (the listener re-supplies what it caches). */
const MAX_CONTAINERS = 4096;
/** Described containers waiting for a first process; created and never started ones go past it. */
const MAX_AWAITING = 1024;

export class ContainerTable {
  private readonly byId = new Map<string, Container>();
  private unknown: ((id: string) => void) | null = null;
  private readonly announcements: RawRecord[] = [];
  /** Containers announced before any process of theirs was known: announced at their first event. */
  private readonly awaiting = new Set<string>();

  get size(): number {
    return this.byId.size;
  }

  seed(container: Partial<Container> & { id: string }): void {
    this.byId.set(container.id, freezeContainer({
      id: container.id, name: container.name ?? null, image: container.image ?? null,
      privileged: container.privileged ?? null, mounts: container.mounts ?? [],
    }));
  }

  watchUnknown(listener: ((id: string) => void) | null): void {
    this.unknown = listener;
  }

  forget(id: string): void {
    if (id !== HOST_CONTAINER_ID) this.byId.delete(id);
  }

  /**
   * The container of a process, for its event at `ts`; an unknown id is reported to the listener,
   * then kept bare. A container awaiting its first process is announced now, with this one.
   */
  of(p: ProcessEntry, ts: bigint): Container {
    const c = this.lookup(p);
    // Only on a process still in the table: the record is enriched as that process's event (one
    // whose exit this was would be looked up afresh, and could be gone).
    if (this.awaiting.size > 0 && p.threads > 0 && this.awaiting.delete(p.containerId)) this.push(p.containerId, p, ts);
    return c;
  }

  private lookup(p: ProcessEntry): Container {
    const c = this.byId.get(p.containerId);
    if (c !== undefined) return c;
    // The listener may seed the container at once (metadata it already holds).
    if (this.unknown !== null) {
      this.unknown(p.containerId);
      const seeded = this.byId.get(p.containerId);
      if (seeded !== undefined) return seeded;
    }
    const made = freezeContainer({ id: p.containerId, name: null, image: null, privileged: null, mounts: [] });
    if (this.byId.size > MAX_CONTAINERS) {
      const host = this.byId.get(HOST_CONTAINER_ID);
      this.byId.clear();
      if (host !== undefined) this.byId.set(HOST_CONTAINER_ID, host);
    }
    this.byId.set(p.containerId, made);
    return made;
  }

  /**
   * Queues a `container` record for container `id` on the first of `processes` in it (pid 1 of
   * the container if present, else the lowest pid); with none yet, on its first event's process.
   */
  announce(id: string, processes: Iterable<ProcessEntry>, ts: bigint): void {
    let first: ProcessEntry | undefined;
    for (const p of processes) {
      if (p.containerId !== id) continue;
      if (first === undefined || (p.vpid === 1 && first.vpid !== 1) || ((p.vpid === 1) === (first.vpid === 1) && p.pid < first.pid)) first = p;
    }
    if (first !== undefined) {
      this.push(id, first, ts);
      return;
    }
    if (this.awaiting.size >= MAX_AWAITING) this.awaiting.clear();
    this.awaiting.add(id);
  }

  private push(id: string, first: ProcessEntry, ts: bigint): void {
    const c = this.byId.get(id);
    this.announcements.push({
      type: CONTAINER_EVENT_TYPE, dir: 'EXIT', ts, cpu: 0, tid: first.pid, pid: first.pid, res: 0,
      args: { id, name: c?.name ?? null, image: c?.image ?? null },
    });
  }

  get hasAnnouncements(): boolean {
    return this.announcements.length > 0;
  }

  /** The queued `container` records, oldest first; the queue is emptied. */
  takeAnnouncements(): RawRecord[] {
    return this.announcements.splice(0);
  }
}

function freezeContainer(c: Container): Container {
  return freezeWithSlot({ ...c, mounts: Object.freeze(c.mounts.map((m) => Object.freeze({ ...m }))) as Container['mounts'] });
}
