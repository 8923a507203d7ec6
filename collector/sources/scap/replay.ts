// Replaying a .scap capture through the collector: read -> seed the state engine from the
// capture's lists -> per record: container metadata, Falco's event selection, then stage 1-2 of
// the collector pipeline (state + enrich) -> the caller's judge (rules). The selection profiles
// reproduce what each Falco generation fed its rules from a capture, so that Falco's regression
// suites can be replayed with their expected counts:
//   'falco-0.10'  libsinsp's simple-consumer mode (Falco 0.10 without -A): events flagged
//                 EF_DROP_FALCO are dropped before libsinsp parses them, so they change no state
//                 and reach no rule (falco-compat.ts lists them).
//   'modern'      Falco >= 0.35 reading a capture: every event (-A "affects live captures only");
//                 the container events at the head of the file are state only (libsinsp consumes
//                 them while opening the capture).
//   'all'         every record, container events included (Falco 0.10 with -A).
import type { Container, Event, Host, Mount } from '../../../schemas/types.generated.js';
import { createPipeline } from '../../pipeline.js';
import type { RawRecord } from '../../raw-record.js';
import { StateEngine } from '../../state/engine.js';
import { CollectorConfigError } from '../../errors.js';
import { FALCO_0_10_SKIPPED } from './falco-compat.js';
import { ScapReader, type ScapStats } from './reader.js';
import { seedFromScap, type SeedCounts } from './seed.js';

export type SelectionProfile = 'falco-0.10' | 'modern' | 'all';

export interface ScapReplayOptions {
  host: Host;
  profile: SelectionProfile;
  /**
   * Event types the rules need ('all': every type). Records of other types still update the
   * state, but are not enriched or judged (as the kernel-side selection would drop them).
   */
  judgedTypes?: ReadonlySet<string> | 'all';
}

export interface ReplayCounts {
  records: number;
  /** Dropped by the selection profile: no state change, no judging. */
  dropped: number;
  /** Applied to the state only (not needed by the rules, or a leading container event). */
  stateOnly: number;
  judged: number;
  seed: SeedCounts;
  /** The reader's counters: unknown block/event types (`describeSkipped` words them). */
  scap: ScapStats;
}

/** What the caller does with each event that reaches the rules. */
export type JudgeFn = (event: Event) => void;

const PROFILES: readonly SelectionProfile[] = ['falco-0.10', 'modern', 'all'];

/** Replays one reader (opened on a capture) to the end, handing each event to `judge`. */
export function replayScap(reader: ScapReader, options: ScapReplayOptions, judge: JudgeFn): ReplayCounts {
  const replay = scapReplay(reader, options);
  for (const event of replay.events) judge(event);
  return replay.counts;
}

/**
 * The same replay as an iterator, one event at a time: a caller that awaits between events (a
 * publisher) holds one event, not the capture's. `counts` is complete once `events` is done.
 */
export function scapReplay(reader: ScapReader, options: ScapReplayOptions): { events: Generator<Event, void>; counts: ReplayCounts } {
  if (!PROFILES.includes(options.profile)) throw new CollectorConfigError(`scap replay: unknown profile '${String(options.profile)}'`);
  const state = new StateEngine();
  const seed = seedFromScap(reader.head, state);
  const counts: ReplayCounts = { records: 0, dropped: 0, stateOnly: 0, judged: 0, seed, scap: reader.stats };
  return { events: replayEvents(reader, options, state, counts), counts };
}

function* replayEvents(reader: ScapReader, options: ScapReplayOptions, state: StateEngine, counts: ReplayCounts): Generator<Event, void> {
  const pipeline = createPipeline({ host: options.host, state });
  const judged = options.judgedTypes ?? 'all';
  const falco010 = options.profile === 'falco-0.10';
  let head = options.profile === 'modern';
  for (let rec = reader.next(); rec !== null; rec = reader.next()) {
    counts.records++;
    if (falco010 && FALCO_0_10_SKIPPED.has(rec.type)) {
      counts.dropped++;
      continue;
    }
    const container = rec.type === 'container' ? applyContainer(state, rec) : null;
    if (rec.type !== 'container') head = false;
    if (head || (judged !== 'all' && !judged.has(rec.type))) {
      state.apply(rec);
      counts.stateOnly++;
      continue;
    }
    const event = pipeline.enrich(rec);
    // libsinsp's container.* fields of a container event describe the container it announces,
    // not the (thread-less) caller's.
    counts.judged++;
    yield container === null ? event : { ...event, container };
  }
}

/**
 * A container event carries the runtime's JSON description (`{"container": {id, name, image,
 * privileged, Mounts...}}`); the state engine learns the container from it. Unparseable JSON
 * leaves the tables as they are (the event itself still flows).
 */
function applyContainer(state: StateEngine, rec: RawRecord): Container | null {
  const json = rec.args['json'];
  if (typeof json !== 'string') return null;
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    return null;
  }
  const c = (doc as { container?: Record<string, unknown> } | null)?.container;
  if (!c || typeof c['id'] !== 'string') return null;
  const mounts: Mount[] = Array.isArray(c['Mounts'])
    ? (c['Mounts'] as Record<string, unknown>[]).map((m) => ({
        source: String(m['Source'] ?? ''), dest: String(m['Destination'] ?? ''), mode: String(m['Mode'] ?? ''),
        rdwr: m['RW'] === true, propagation: String(m['Propagation'] ?? ''),
      }))
    : [];
  const container: Container = {
    id: c['id'],
    name: typeof c['name'] === 'string' ? c['name'] : null,
    image: typeof c['image'] === 'string' ? c['image'] : null,
    privileged: typeof c['privileged'] === 'boolean' ? c['privileged'] : null,
    mounts,
  };
  state.seedContainer(container);
  return Object.freeze({ ...container, mounts: Object.freeze(mounts.map((m) => Object.freeze(m))) as Mount[] });
}
