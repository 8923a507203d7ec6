// The collector service: a source of RawRecord batches (the probe, a .scap reader) through
// stages 1-4 to the bus, and/or to a callback taking Event objects (capture files, in-process
// judging). Runs until the source ends; the caller ends a live source (probe.close()).
// A record that fails enrichment is counted and quarantined (dead-letter topic), never fatal.
import { pino, type Logger } from 'pino';
import type { Bus, OutgoingMessage } from '../bus/bus.js';
import type { Event, Host } from '../schemas/types.generated.js';
import { CollectorConfigError, RecordError } from './errors.js';
import { createPipeline } from './pipeline.js';
import { createPublisher, type Publisher } from './publish/publisher.js';
import type { RawRecord } from './raw-record.js';
import type { StateEngine } from './state/engine.js';

export interface CollectorOptions {
  source: AsyncIterable<RawRecord[]>;
  host: Host;
  /** A seeded engine (see sources/bootstrap.ts); default an empty one. */
  state?: StateEngine;
  /** Publish events here: the events topic keyed host:tgid, bad records to the dead-letter topic. */
  bus?: { bus: Bus; eventsTopic: string; deadLetterTopic: string; maxBatch?: number };
  /** Receives each batch's events (capture, in-process judging); awaited. */
  onEvents?: (events: Event[]) => void | Promise<void>;
  /**
   * Event types that become events ('all', the default). Records of other types only update the
   * state: the probe attaches the state-tracking syscalls whatever the rules need.
   */
  eventTypes?: ReadonlySet<string> | 'all';
  /** Counters kept current while the collector runs (a status endpoint reads them); from newCollectorStats(). */
  stats?: CollectorStats;
  logger?: Logger;
}

export interface CollectorStats {
  records: number;
  events: number;
  stateOnly: number;
  quarantined: number;
  published: number;
}

export function newCollectorStats(): CollectorStats {
  return { records: 0, events: 0, stateOnly: 0, quarantined: 0, published: 0 };
}

export async function runCollector(options: CollectorOptions): Promise<CollectorStats> {
  if (options.bus === undefined && options.onEvents === undefined) {
    throw new CollectorConfigError('runCollector: give a bus, an onEvents callback, or both');
  }
  const log = (options.logger ?? pino({ level: 'silent' })).child({ name: 'collector' });
  const pipeline = createPipeline({ host: options.host, state: options.state });
  const publisher: Publisher | null = options.bus === undefined ? null : createPublisher({ ...options.bus, logger: log });
  const wanted = options.eventTypes ?? 'all';
  const stats: CollectorStats = options.stats ?? newCollectorStats();
  const state = pipeline.state;
  const bad: Array<{ rec: RawRecord; err: Error }> = [];
  for await (const batch of options.source) {
    const messages: OutgoingMessage[] = [];
    const events: Event[] = [];
    const handle = (rec: RawRecord): void => {
      stats.records++;
      try {
        if (wanted !== 'all' && !wanted.has(rec.type)) {
          state.apply(rec);
          stats.stateOnly++;
          return;
        }
        if (!options.onEvents) {
          messages.push(pipeline.message(rec));
          stats.events++;
          return;
        }
        const event = pipeline.enrich(rec);
        // Encoded before it is handed anywhere: a record that cannot be encoded reaches no one.
        const message = publisher ? { key: pipeline.lastKey(), value: pipeline.encoder.encode(event) } : null;
        stats.events++;
        events.push(event);
        if (message) messages.push(message);
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err));
        bad.push({ rec, err: e instanceof RecordError ? e : new RecordError(e.message, String(rec.type), { cause: e }) });
      }
    };
    // `container` records (state/containers.ts): one a record's own event caused (a container
    // described before it ran anything) goes right after that event, while its process is
    // surely in the table; one a runtime lookup queued meanwhile goes after the next record.
    const announce = (): void => {
      if (state.hasContainerAnnouncements) for (const a of state.takeContainerAnnouncements()) handle(a);
    };
    for (const rec of batch) {
      handle(rec);
      announce();
    }
    announce(); // an empty batch
    if (publisher && messages.length > 0) {
      await publisher.publish(messages);
      stats.published = publisher.stats().published;
    }
    if (options.onEvents && events.length > 0) await options.onEvents(events);
    for (const { rec, err } of bad) {
      stats.quarantined++;
      if (publisher) await publisher.quarantine(rec, err);
      else log.warn({ type: rec.type, tid: rec.tid, err: err.message }, 'record dropped: enrichment failed');
    }
    bad.length = 0;
  }
  log.info(stats, 'collector stopped: source ended');
  return stats;
}
