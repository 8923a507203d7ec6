// Stages 1-3 wired for one host: RawRecord -> (track) state -> (enrich) Event -> (encode) bytes.
// Sources (probe, .scap reader, tests, the benchmark) push records through `enrich` (for an
// Event object) or `message` (for the bus: key `host:tgid` and the encoded value).
import type { OutgoingMessage } from '../bus/bus.js';
import type { Event, Host } from '../schemas/types.generated.js';
import { createEventEncoder, type EventEncoder } from './encode/event-encoder.js';
import { Enricher } from './enrich/enrich.js';
import type { RawRecord } from './raw-record.js';
import { StateEngine, type StateOptions } from './state/engine.js';

export interface PipelineOptions {
  host: Host;
  /** An engine already seeded (a .scap's lists, a /proc snapshot); default a new empty one. */
  state?: StateEngine;
  stateOptions?: StateOptions;
  firstSeq?: number;
}

export interface Pipeline {
  readonly state: StateEngine;
  readonly encoder: EventEncoder;
  /** Stages 1-2. */
  enrich(rec: RawRecord): Event;
  /** Stages 1-3, ready for the events topic. */
  message(rec: RawRecord): OutgoingMessage;
  /** Key (`host:tgid`) of the last event enriched. */
  lastKey(): string;
}

export function createPipeline(options: PipelineOptions): Pipeline {
  const state = options.state ?? new StateEngine(options.stateOptions);
  const enricher = new Enricher({ state, host: options.host, firstSeq: options.firstSeq });
  const encoder = createEventEncoder();
  return {
    state,
    encoder,
    enrich: (rec) => enricher.enrich(rec),
    message(rec) {
      // The arguments go from the record straight into the bytes: no EventArg objects.
      const event = enricher.enrich(rec, false);
      return { key: enricher.lastKey(), value: encoder.encodeRecord(event, rec, enricher) };
    },
    lastKey: () => enricher.lastKey(),
  };
}
