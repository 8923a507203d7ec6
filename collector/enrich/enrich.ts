// Stage 2 of the collector pipeline (enrich): RawRecord + state -> Event. Applies the record to
// the state engine (stage 1) first, then describes it: the thread and process, parent-first
// ancestors, the descriptor it acts on, the container, and the arguments in text and raw form.
// proc, ancestors, fd and container are the state engine's frozen views, shared between the
// events of one thread until something changes; only the event's own fields and args are new.
import type { Event, FileDescriptor, Host } from '../../schemas/types.generated.js';
import { freezeWithSlot } from '../encode/fragment-slot.js';
import { CollectorConfigError, RecordError } from '../errors.js';
import type { RawRecord } from '../raw-record.js';
import type { StateEngine } from '../state/engine.js';
import type { ThreadEntry } from '../state/types.js';
import { formatArgs, type ArgContext } from './arg-text.js';

export interface EnricherOptions {
  state: StateEngine;
  host: Host;
  /** evt.num of the first event minus one (default 0). */
  firstSeq?: number;
}

const NO_ARGS: Event['args'] = Object.freeze([]) as unknown as Event['args'];

export class Enricher implements ArgContext {
  private readonly state: StateEngine;
  private readonly host: Host;
  private seq: number;
  private thread: ThreadEntry | null = null;
  private eventFd: FileDescriptor | null = null;

  constructor(options: EnricherOptions) {
    if (!options.host || typeof options.host.id !== 'string' || options.host.id === '' || typeof options.host.name !== 'string') {
      throw new CollectorConfigError('enricher: host { id, name } is required (id: the machine-id)');
    }
    this.state = options.state;
    this.host = freezeWithSlot({ id: options.host.id, name: options.host.name });
    this.seq = options.firstSeq ?? 0;
  }

  /**
   * Applies the record to the state and returns its event. Throws RecordError for a malformed
   * record. Without `withArgs` the event's args are left empty, for a caller that encodes them
   * from the record (encoder.encodeRecord) before the next record is applied.
   */
  enrich(rec: RawRecord, withArgs = true): Event {
    checkRecord(rec);
    const state = this.state;
    const th = state.apply(rec);
    const fd = state.eventFd;
    this.thread = th;
    this.eventFd = fd;
    const p = th.proc;
    return {
      host: this.host,
      seq: ++this.seq,
      ts: rec.ts,
      source: 'syscall',
      type: rec.type,
      dir: rec.dir,
      cpu: rec.cpu,
      res: rec.res,
      args: withArgs ? formatArgs(rec, this) : NO_ARGS,
      proc: state.procView(th),
      ancestors: state.ancestors(p) as Event['ancestors'],
      fd,
      container: state.container(p, rec.ts),
    };
  }

  /** The bus key of the last enriched event: `host:tgid`, built once per process. */
  lastKey(): string {
    const p = this.thread!.proc;
    if (p.key === null) p.key = `${this.host.id}:${p.pid}`;
    return p.key;
  }

  get lastSeq(): number {
    return this.seq;
  }

  // ArgContext: descriptor names for fd arguments, user/group names for id arguments.
  fd(num: number): FileDescriptor | null {
    // The table first (a failed connect's event fd is where it tried to go, not the socket);
    // then the event's own descriptor, which close has already removed from the table.
    const inTable = this.thread === null ? null : this.state.lookupFd(this.thread, num);
    if (inTable !== null) return inTable;
    const current = this.eventFd;
    return current !== null && current.num === num ? current : null;
  }

  user(uid: number): string | undefined {
    return this.state.userName(uid);
  }

  group(gid: number): string | undefined {
    return this.state.groupName(gid);
  }
}

/** The shape the stages rely on; a source that breaks it gets a clear error, not a corrupt event. */
function checkRecord(rec: RawRecord): void {
  if (typeof rec.type !== 'string' || rec.type === '') throw new RecordError('type must be a syscall name', String(rec.type));
  if (rec.dir !== 'ENTER' && rec.dir !== 'EXIT') throw new RecordError(`dir must be ENTER or EXIT, not ${String(rec.dir)}`, rec.type);
  if (typeof rec.ts !== 'bigint') throw new RecordError(`ts must be a bigint (ns since the epoch), not ${typeof rec.ts}`, rec.type);
  // x === (x | 0): an integer in 32 bits, as tids, pids and cpus are (and cheaper than isInteger).
  if (rec.tid !== (rec.tid | 0) || rec.pid !== (rec.pid | 0) || rec.cpu !== (rec.cpu | 0)) {
    throw new RecordError(`tid, pid and cpu must be integers (tid ${String(rec.tid)}, pid ${String(rec.pid)}, cpu ${String(rec.cpu)})`, rec.type);
  }
  if (rec.res !== null && !Number.isInteger(rec.res)) throw new RecordError(`res must be an integer or null, not ${String(rec.res)}`, rec.type);
  if (typeof rec.args !== 'object' || rec.args === null) throw new RecordError('args must be an object', rec.type);
}
