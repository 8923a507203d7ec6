// The sinks service: consumes the alerts topic through the Bus interface (Kafka or in-process),
// decodes each message with alertCodec and hands the batch to every sink concurrently.
//
// Per batch:
//   decode      a message that is not a valid alert goes to the dead-letter topic (reason
//               `decode`) with its original bytes; the rest of the batch goes on.
//   deliver     every sink gets the decoded alerts in order. A sink failing with a retriable
//               SinkError is retried (only that sink, only what it has not delivered) with
//               backoff; if it still fails the handler throws and the bus delivers the batch
//               again later: at-least-once. A sink failing for good (retriable false) does not
//               block the others: its alerts go to the dead-letter topic (reason `sink`, with
//               the sink's name) so nothing is silently dropped.
//   commit      dead letters are published atomically with the batch's commit.
// Dead-letter headers (as the evaluator's): saker-dlq-reason, saker-dlq-error, saker-dlq-sink,
// saker-origin-topic, saker-origin-partition, saker-origin-offset, saker-origin-timestamp.
import type { Logger } from 'pino';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Bus, ConsumedMessage, OutgoingMessage, Subscription, SubscriptionHealth, TopicMessages } from '../bus/bus.js';
import { alertCodec } from '../schemas/codec.js';
import type { Alert } from '../schemas/types.generated.js';
import { SinkConfigError } from './errors.js';
import { describeError, sinkLogger, type Sink } from './sink.js';

export interface RunSinksOptions {
  bus: Bus;
  /** The alerts topic. */
  topic: string;
  groupId: string;
  sinks: Sink[];
  /** Where undecodable alerts and alerts a sink refused for good go. */
  deadLetterTopic: string;
  /** Start at the earliest offset when the group has none committed (default true). */
  fromBeginning?: boolean;
  /** Attempts per sink and batch before the batch is handed back to the bus (default 3). */
  attempts?: number;
  /** First retry delay, doubled per attempt (default 500 ms). */
  retryDelayMs?: number;
  logger?: Logger;
}

export interface SinkStats {
  /** Alerts decoded from the topic. */
  alerts: number;
  /** Alerts delivered, per sink name. */
  delivered: Record<string, number>;
  /** Messages sent to the dead-letter topic, by reason. */
  deadLetters: { decode: number; sink: number };
  /** Failed sink attempts (each retry counts). */
  failures: number;
}

export interface SinkRunner {
  readonly stats: SinkStats;
  health(): SubscriptionHealth;
  /** Finishes the batch in hand, commits, leaves the group, then closes the sinks. */
  stop(): Promise<void>;
}

interface Decoded {
  message: ConsumedMessage;
  alert: Alert;
}

function messageId(m: ConsumedMessage): string {
  return `${m.topic}/${m.partition}/${m.offset}`;
}

function deadLetter(m: ConsumedMessage, reason: 'decode' | 'sink', error: string, sink?: string): OutgoingMessage {
  const headers: Record<string, string> = {
    ...m.headers,
    'saker-dlq-reason': reason,
    'saker-dlq-error': error,
    'saker-origin-topic': m.topic,
    'saker-origin-partition': String(m.partition),
    'saker-origin-offset': m.offset,
    'saker-origin-timestamp': String(m.timestamp),
  };
  if (sink !== undefined) headers['saker-dlq-sink'] = sink;
  return { key: m.key, value: m.value, headers };
}

export async function runSinks(options: RunSinksOptions): Promise<SinkRunner> {
  const { bus, topic, groupId, sinks, deadLetterTopic } = options;
  if (!topic || !groupId || !deadLetterTopic) throw new SinkConfigError('runSinks: topic, groupId and deadLetterTopic are required');
  if (topic === deadLetterTopic) throw new SinkConfigError('runSinks: the dead-letter topic must differ from the alerts topic');
  if (sinks.length === 0) throw new SinkConfigError('runSinks: at least one sink is required');
  const attempts = options.attempts ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 500;
  if (!Number.isInteger(attempts) || attempts < 1) throw new SinkConfigError(`runSinks: attempts must be a positive integer, got ${attempts}`);
  const log = sinkLogger(options.logger, 'service');
  // Sinks are told apart by position: two file sinks may share a name.
  const ids = sinks.map((s, i) => (sinks.filter((o) => o.name === s.name).length > 1 ? `${s.name}#${i}` : s.name));
  const stats: SinkStats = { alerts: 0, delivered: Object.fromEntries(ids.map((id) => [id, 0])), deadLetters: { decode: 0, sink: 0 }, failures: 0 };
  // Messages each sink has delivered from batches not yet committed: on redelivery of a failed
  // batch, a sink that already succeeded does not send the same alerts twice.
  const done = ids.map(() => new Set<string>());
  let stopping = false;

  /** Delivers to one sink; returns the dead letters if the sink refused for good. */
  const deliver = async (index: number, batch: Decoded[]): Promise<OutgoingMessage[]> => {
    const sink = sinks[index]!;
    const id = ids[index]!;
    const todo = batch.filter((d) => !done[index]!.has(messageId(d.message)));
    if (todo.length === 0) return [];
    for (let attempt = 1; ; attempt++) {
      try {
        await sink.send(todo.map((d) => d.alert));
        for (const d of todo) done[index]!.add(messageId(d.message));
        stats.delivered[id]! += todo.length;
        return [];
      } catch (err) {
        stats.failures++;
        const retriable = (err as { retriable?: unknown }).retriable === true;
        const reason = describeError(err);
        if (!retriable) {
          // Not marked done: if another sink fails the batch, these dead letters are not
          // published, and the redelivery asks this sink again.
          log.error({ sink: id, alerts: todo.length, err: reason }, 'sink refused the alerts for good; they go to the dead-letter topic');
          return todo.map((d) => deadLetter(d.message, 'sink', reason, id));
        }
        if (attempt >= attempts || stopping) {
          log.warn({ sink: id, attempt, err: reason }, 'sink still failing; the batch will be delivered again');
          throw err;
        }
        const wait = retryDelayMs * 2 ** (attempt - 1);
        log.warn({ sink: id, attempt, waitMs: wait, err: reason }, 'sink failed, retrying');
        await sleep(wait);
      }
    }
  };

  const handler = async (batch: { messages: ConsumedMessage[] }): Promise<TopicMessages[]> => {
    const dead: OutgoingMessage[] = [];
    const decoded: Decoded[] = [];
    for (const m of batch.messages) {
      try {
        decoded.push({ message: m, alert: alertCodec.decode(m.value) });
      } catch (err) {
        stats.deadLetters.decode++;
        dead.push(deadLetter(m, 'decode', describeError(err)));
      }
    }
    // A failed batch whose partition then moved to another member never comes back here:
    // bound what is remembered (forgetting only risks a duplicate).
    for (const set of done) if (set.size > 100_000) set.clear();
    if (decoded.length > 0) {
      const results = await Promise.allSettled(sinks.map((_, i) => deliver(i, decoded)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      // Thrown before counting, so a redelivered batch is not counted twice.
      if (failed) throw failed.reason;
      stats.alerts += decoded.length;
      for (const r of results) {
        if (r.status === 'fulfilled') {
          stats.deadLetters.sink += r.value.length;
          dead.push(...r.value);
        }
      }
    }
    // The batch is about to be committed: forget what was delivered from it.
    for (const set of done) for (const m of batch.messages) set.delete(messageId(m));
    return dead.length > 0 ? [{ topic: deadLetterTopic, messages: dead }] : [];
  };

  log.info({ topic, groupId, sinks: ids }, 'sinks starting');
  const subscription: Subscription = await bus.consume({ topics: [topic], groupId, fromBeginning: options.fromBeginning ?? true, handler });

  return {
    stats,
    health: () => subscription.health(),
    async stop() {
      stopping = true;
      await subscription.stop();
      const closing = await Promise.allSettled(sinks.map((s) => s.close()));
      closing.forEach((r, i) => {
        if (r.status === 'rejected') log.error({ sink: ids[i], err: describeError(r.reason) }, 'closing the sink failed');
      });
      log.info({ alerts: stats.alerts, delivered: stats.delivered, deadLetters: stats.deadLetters }, 'sinks stopped');
    },
  };
}
