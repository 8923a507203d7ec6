// The bus: the one interface every service uses to move Avro messages between stages.
// Two implementations: Kafka (fleet mode, bus/kafka/) and in-process (single host, bus/memory.ts).
// Services never import kafkajs; the CLI picks the implementation.
import type { Logger } from 'pino';

/** A message to publish. `key` decides the partition (events: `host:tgid`, per-process order). */
export interface OutgoingMessage {
  key: string | null;
  value: Buffer;
  headers?: Record<string, string>;
}

export interface ConsumedMessage extends OutgoingMessage {
  topic: string;
  partition: number;
  /** Kafka offset as a decimal string (64-bit). */
  offset: string;
  /** Broker/producer timestamp, ms since the epoch. */
  timestamp: number;
  /**
   * Position inside the Kafka record when the bus packed several messages into one record (all
   * of them share `offset`): (offset, index) names the message. Absent: the record is the message.
   */
  index?: number;
  /**
   * Set when the bus could not unpack the record (the reason): `value` is then the record's raw
   * bytes, to be quarantined (dead-lettered) like any message that does not decode.
   */
  malformed?: string;
}

/** One batch handed to a consumer, from a single topic partition. */
export interface ConsumedBatch {
  topic: string;
  partition: number;
  messages: ConsumedMessage[];
  /** Offset the partition's log ends at when the batch was fetched (for lag), when known. */
  highWatermark?: string;
}

/** What a consumer's handler returns: messages to publish atomically with the batch's commit. */
export interface TopicMessages {
  topic: string;
  messages: OutgoingMessage[];
}

export interface ConsumeOptions {
  topics: string[];
  groupId: string;
  /** Start at the earliest offset when the group has none committed (default true). */
  fromBeginning?: boolean;
  /**
   * Called per batch. The batch's offsets are committed only after the returned messages are
   * published; on Kafka both happen in one transaction (exactly once). A thrown error leaves the
   * batch uncommitted, to be delivered again.
   */
  handler: (batch: ConsumedBatch) => Promise<TopicMessages[]>;
  /**
   * Called once a batch's output and offsets are committed, with what was published. Never for
   * a batch whose commit failed (it is handled again), so counts taken here are exact.
   */
  onCommitted?: (batch: ConsumedBatch, published: TopicMessages[]) => void;
}

export type SubscriptionState = 'starting' | 'running' | 'stopped' | 'failed';

export interface SubscriptionHealth {
  state: SubscriptionState;
  /** Partitions currently assigned to this member, by topic. */
  assigned: Record<string, number[]>;
  /** Why the state is 'failed'. */
  error?: string;
}

export interface Subscription {
  /** Finish the batch in hand, commit, leave the group. */
  stop(): Promise<void>;
  /** For health checks: is the consumer in its group and fetching? */
  health(): SubscriptionHealth;
}

export interface Bus {
  publish(topic: string, messages: OutgoingMessage[]): Promise<void>;
  consume(options: ConsumeOptions): Promise<Subscription>;
  close(): Promise<void>;
}

/**
 * What both implementations do once a batch is committed: tell `onCommitted`. A callback that
 * throws is logged; the batch stays committed (its output is already visible).
 */
export function notifyCommitted(opts: ConsumeOptions, batch: ConsumedBatch, published: TopicMessages[], log: Logger): void {
  try {
    opts.onCommitted?.(batch, published);
  } catch (err) {
    log.error({ err }, 'onCommitted callback failed (the batch stays committed)');
  }
}
