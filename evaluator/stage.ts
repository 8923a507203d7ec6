// The judge stage: one consumed batch of events in, the messages to publish out.
//   decode (Avro, schemas/codec) -> judge (compiled rules) -> encode alerts (Avro)
// An event that cannot be decoded, judged or whose alert cannot be encoded is quarantined to the
// dead-letter topic with its original bytes and these headers, and the batch goes on:
//   saker-dlq-reason      decode | judge | encode
//   saker-dlq-error       the error message
//   saker-origin-topic, saker-origin-partition, saker-origin-offset, saker-origin-timestamp
//   saker-origin-index    the message's position in its Kafka record, when the bus packed
//                         several messages into one record (they share the offset)
// A record the bus could not unpack (`malformed`) is quarantined whole with reason decode.
// Counters are taken from what a batch published once it commits (committedCounts), so a batch
// handled again after an aborted transaction is counted once; the stage itself only times.
import type { ConsumedBatch, OutgoingMessage, TopicMessages } from '../bus/bus.js';
import type { Codec } from '../schemas/codec.js';
import type { Alert, Event } from '../schemas/types.generated.js';
import { DEAD_LETTER_REASONS, type CommittedCounts, type DeadLetterReason, type EvaluatorMetrics } from './metrics.js';

/** What the stage needs of the rule engine (rules/index.js `Engine` satisfies it). */
export interface Judge {
  judge(event: Event): readonly Alert[];
}

export interface JudgeStageOptions {
  judge: Judge;
  eventCodec: Codec<Event>;
  alertCodec: Codec<Alert>;
  alertsTopic: string;
  deadLetterTopic: string;
  metrics: EvaluatorMetrics;
}

export type JudgeStage = (batch: ConsumedBatch) => Promise<TopicMessages[]>;

export function createJudgeStage(o: JudgeStageOptions): JudgeStage {
  return async (batch) => {
    const started = performance.now();
    const alerts: OutgoingMessage[] = [];
    const dead: OutgoingMessage[] = [];
    const quarantine = (m: ConsumedBatch['messages'][number], reason: DeadLetterReason, err: unknown): void => {
      dead.push({
        key: m.key,
        value: m.value,
        headers: {
          ...m.headers,
          'saker-dlq-reason': reason,
          'saker-dlq-error': err instanceof Error ? err.message : String(err),
          'saker-origin-topic': m.topic,
          'saker-origin-partition': String(m.partition),
          'saker-origin-offset': m.offset,
          'saker-origin-timestamp': String(m.timestamp),
          ...(m.index === undefined ? {} : { 'saker-origin-index': String(m.index) }),
        },
      });
    };
    for (const m of batch.messages) {
      if (m.malformed !== undefined) {
        // A bus record that did not unpack: its raw bytes, quarantined like an undecodable event.
        quarantine(m, 'decode', m.malformed);
        continue;
      }
      let event: Event;
      try {
        // Lazy: a string field becomes a JS string only if a rule reads it (most are never
        // read: ~4x cheaper than a full decode). The event is judged and dropped here, and the
        // message buffer is not modified after, which is what decodeLazy requires.
        event = o.eventCodec.decodeLazy(m.value);
      } catch (err) {
        quarantine(m, 'decode', err);
        continue;
      }
      let matched: readonly Alert[];
      try {
        matched = o.judge.judge(event);
      } catch (err) {
        quarantine(m, 'judge', err);
        continue;
      }
      if (matched.length === 0) continue;
      // All of an event's alerts or none: a partial set would look complete downstream.
      const encoded: OutgoingMessage[] = [];
      try {
        for (const a of matched) encoded.push({ key: a.eventHostId, value: o.alertCodec.encode(a) });
      } catch (err) {
        quarantine(m, 'encode', err);
        continue;
      }
      for (const e of encoded) alerts.push(e);
    }
    if (batch.highWatermark !== undefined && batch.messages.length > 0) {
      const next = Number(batch.messages[batch.messages.length - 1]!.offset) + 1;
      o.metrics.recordLag(batch.topic, batch.partition, Math.max(0, Number(batch.highWatermark) - next));
    }
    o.metrics.recordJudgeTime((performance.now() - started) / 1000);
    const out: TopicMessages[] = [];
    if (alerts.length > 0) out.push({ topic: o.alertsTopic, messages: alerts });
    if (dead.length > 0) out.push({ topic: o.deadLetterTopic, messages: dead });
    return out;
  };
}

/** A committed batch's counts, read back from what the stage returned for it. */
export function committedCounts(batch: ConsumedBatch, published: readonly TopicMessages[], alertsTopic: string, deadLetterTopic: string): CommittedCounts {
  const deadLetters = Object.fromEntries(DEAD_LETTER_REASONS.map((r) => [r, 0])) as Record<DeadLetterReason, number>;
  let alerts = 0;
  let dead = 0;
  for (const t of published) {
    if (t.topic === alertsTopic) alerts += t.messages.length;
    if (t.topic !== deadLetterTopic) continue;
    for (const m of t.messages) {
      const reason = m.headers?.['saker-dlq-reason'] as DeadLetterReason | undefined;
      if (reason !== undefined && reason in deadLetters) deadLetters[reason]++;
      dead++;
    }
  }
  return { events: batch.messages.length - dead, alerts, deadLetters };
}
