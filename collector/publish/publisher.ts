// Stage 4 of the collector pipeline (publish): encoded events to the bus's events topic, in
// batches of at most `maxBatch` messages, one publish in flight at a time (the caller awaits,
// which is the backpressure: a slow bus slows the reading of the source, never unbounded memory).
// Records that could not be enriched go to the dead-letter topic as JSON with the reason.
import type { Logger } from 'pino';
import type { Bus, OutgoingMessage } from '../../bus/bus.js';
import { CollectorConfigError } from '../errors.js';
import type { RawRecord } from '../raw-record.js';

export interface PublisherOptions {
  bus: Bus;
  eventsTopic: string;
  deadLetterTopic: string;
  /** Messages per publish call (default 1000). */
  maxBatch?: number;
  logger: Logger;
}

export interface PublisherStats {
  published: number;
  batches: number;
  quarantined: number;
}

export interface Publisher {
  /** Publishes the messages (split into batches); resolves when the bus has them. */
  publish(messages: OutgoingMessage[]): Promise<void>;
  quarantine(rec: RawRecord, error: Error): Promise<void>;
  stats(): PublisherStats;
}

/** JSON of a record: bigints as decimal strings, Buffers as base64. */
export function recordToJson(rec: RawRecord): string {
  return JSON.stringify(rec, (_k, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) {
      return { base64: Buffer.from((v as { data: number[] }).data).toString('base64') };
    }
    return v;
  });
}

export function createPublisher(options: PublisherOptions): Publisher {
  const maxBatch = options.maxBatch ?? 1000;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new CollectorConfigError(`maxBatch must be a positive integer, got ${maxBatch}`);
  if (!options.eventsTopic) throw new CollectorConfigError('eventsTopic is required');
  const log = options.logger.child({ name: 'collector.publish' });
  const stats: PublisherStats = { published: 0, batches: 0, quarantined: 0 };
  return {
    async publish(messages) {
      for (let i = 0; i < messages.length; i += maxBatch) {
        const batch = i === 0 && messages.length <= maxBatch ? messages : messages.slice(i, i + maxBatch);
        await options.bus.publish(options.eventsTopic, batch);
        stats.published += batch.length;
        stats.batches++;
      }
    },
    async quarantine(rec, error) {
      stats.quarantined++;
      log.warn({ type: rec.type, tid: rec.tid, err: error.message }, 'record quarantined');
      await options.bus.publish(options.deadLetterTopic, [{
        key: null,
        value: Buffer.from(recordToJson(rec)),
        headers: { stage: 'collector', error: error.message },
      }]);
    },
    stats: () => ({ ...stats }),
  };
}
