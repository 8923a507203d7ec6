// The in-process bus: single-host mode (`saker run`) and tests of pipeline logic.
// Record format: each topic is an array of partitions, each an append-only log of
// ConsumedMessage (offset = base + index, as a decimal string like Kafka's). Topics appear on
// first use. With `retainConsumed: false` (long-running `saker run`) a partition drops what every
// group reading it has committed, so memory stays bounded by the consumers' lag.
// A consumer group's committed offsets live here too; a handler's output and the batch's commit
// are applied in one synchronous step, so the same all-or-nothing rule as Kafka's transactions
// holds. One member per group: partitions are not split between members in one process.
import type { Logger } from 'pino';
import type {
  Bus,
  ConsumeOptions,
  ConsumedMessage,
  OutgoingMessage,
  Subscription,
  SubscriptionHealth,
  TopicMessages,
} from './bus.js';
import { notifyCommitted } from './bus.js';
import { BusConfigError, BusError } from './errors.js';
import { silentLogger } from './logging.js';
import { keyPartition } from './murmur2.js';

export interface MemoryBusOptions {
  /** Partitions per topic (default 1: a single global order). */
  partitions?: number;
  /** Most messages handed to a handler at once (default 1000). */
  maxBatch?: number;
  /** Delay before a failed batch is delivered again; doubles up to 5 s (default 100 ms). */
  retryDelayMs?: number;
  /** Keep messages every reading group has committed (default true: tests read topics back). */
  retainConsumed?: boolean;
  logger?: Logger;
}

/** One partition: messages from offset `base` on. */
interface PartitionLog {
  base: number;
  messages: ConsumedMessage[];
}

/** Trimming waits for this many committed messages, so the array is not shifted per batch. */
const TRIM_AT = 4096;

interface Group {
  committed: Map<string, number>;
  member: MemorySubscription | null;
}

export interface MemoryBus extends Bus {
  /** Everything retained of a topic, in partition then offset order (tests). */
  read(topic: string): ConsumedMessage[];
  /** Resolves once no subscription has uncommitted messages left (a drain before stopping). */
  whenIdle(): Promise<void>;
}

export function createMemoryBus(options: MemoryBusOptions = {}): MemoryBus {
  const partitions = options.partitions ?? 1;
  const maxBatch = options.maxBatch ?? 1000;
  const retryDelayMs = options.retryDelayMs ?? 100;
  if (!Number.isInteger(partitions) || partitions < 1) throw new BusConfigError(`partitions must be a positive integer, got ${partitions}`);
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new BusConfigError(`maxBatch must be a positive integer, got ${maxBatch}`);
  const log = (options.logger ?? silentLogger()).child({ name: 'bus.memory' });

  const retain = options.retainConsumed ?? true;
  const topics = new Map<string, PartitionLog[]>();
  const groups = new Map<string, Group>();
  const subscriptions = new Set<MemorySubscription>();
  let roundRobin = 0;
  let closed = false;

  const partitionsOf = (topic: string): PartitionLog[] => {
    let t = topics.get(topic);
    if (!t) {
      t = Array.from({ length: partitions }, () => ({ base: 0, messages: [] }));
      topics.set(topic, t);
    }
    return t;
  };

  const append = (topic: string, messages: OutgoingMessage[]): void => {
    const t = partitionsOf(topic);
    const now = Date.now();
    for (const m of messages) {
      const partition = m.key === null ? roundRobin++ % partitions : keyPartition(m.key, partitions);
      const log = t[partition]!;
      const offset = String(log.base + log.messages.length);
      log.messages.push({ topic, partition, offset, timestamp: now, key: m.key, value: m.value, headers: m.headers ?? {} });
    }
    for (const s of subscriptions) s.wake();
  };

  /** Drops the messages every group reading the partition has committed. */
  const trim = (topic: string, partition: number): void => {
    if (retain) return;
    const log = partitionsOf(topic)[partition]!;
    const key = `${topic}/${partition}`;
    let upTo = Infinity;
    for (const g of groups.values()) {
      const c = g.committed.get(key);
      if (c !== undefined) upTo = Math.min(upTo, c);
    }
    const drop = upTo - log.base;
    if (drop >= TRIM_AT || (drop > 0 && drop === log.messages.length)) {
      log.messages.splice(0, drop);
      log.base += drop;
    }
  };

  const bus: MemoryBus = {
    async publish(topic, messages) {
      if (closed) throw new BusError('the in-process bus is closed', { retriable: false });
      append(topic, messages);
    },

    async consume(opts: ConsumeOptions): Promise<Subscription> {
      if (closed) throw new BusError('the in-process bus is closed', { retriable: false });
      if (opts.topics.length === 0) throw new BusConfigError('consume needs at least one topic');
      let group = groups.get(opts.groupId);
      if (!group) {
        group = { committed: new Map(), member: null };
        groups.set(opts.groupId, group);
      }
      if (group.member) throw new BusConfigError(`group '${opts.groupId}' already has a member; the in-process bus allows one per group`);
      for (const topic of opts.topics) {
        const t = partitionsOf(topic);
        t.forEach((p, i) => {
          const k = `${topic}/${i}`;
          if (!group!.committed.has(k)) group!.committed.set(k, opts.fromBeginning === false ? p.base + p.messages.length : p.base);
        });
      }
      const sub = new MemorySubscription(opts, group, partitionsOf, append, trim, maxBatch, retryDelayMs, log, () => {
        subscriptions.delete(sub);
        group!.member = null;
      });
      group.member = sub;
      subscriptions.add(sub);
      sub.start();
      return sub;
    },

    read(topic) {
      return (topics.get(topic) ?? []).flatMap((p) => p.messages);
    },

    async whenIdle() {
      while ([...subscriptions].some((s) => s.busy())) await new Promise((r) => setTimeout(r, 10));
    },

    async close() {
      closed = true;
      await Promise.all([...subscriptions].map((s) => s.stop()));
    },
  };
  return bus;
}

class MemorySubscription implements Subscription {
  private stopping = false;
  private failures = 0;
  private wakeUp: (() => void) | null = null;
  private loop: Promise<void> = Promise.resolve();
  private cursor = 0;
  private state: SubscriptionHealth['state'] = 'starting';

  constructor(
    private readonly opts: ConsumeOptions,
    private readonly group: Group,
    private readonly partitionsOf: (topic: string) => PartitionLog[],
    private readonly append: (topic: string, messages: OutgoingMessage[]) => void,
    private readonly trim: (topic: string, partition: number) => void,
    private readonly maxBatch: number,
    private readonly retryDelayMs: number,
    private readonly log: Logger,
    private readonly onStopped: () => void,
  ) {}

  start(): void {
    this.state = 'running';
    this.loop = this.run();
  }

  wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  health(): SubscriptionHealth {
    const assigned: Record<string, number[]> = {};
    if (this.state === 'running') {
      for (const t of this.opts.topics) assigned[t] = this.partitionsOf(t).map((_, i) => i);
    }
    return { state: this.state, assigned };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loop;
  }

  /** Uncommitted messages remain, or a batch is in the handler. */
  busy(): boolean {
    return this.inHandler || (!this.stopping && this.nextWork() !== null);
  }

  private inHandler = false;

  /** The next partition with uncommitted messages, round robin so no partition starves. */
  private nextWork(): { topic: string; partition: number; from: number; log: PartitionLog } | null {
    const slots: Array<{ topic: string; partition: number; log: PartitionLog }> = [];
    for (const topic of this.opts.topics) this.partitionsOf(topic).forEach((log, partition) => slots.push({ topic, partition, log }));
    for (let i = 0; i < slots.length; i++) {
      const s = slots[(this.cursor + i) % slots.length]!;
      const from = this.group.committed.get(`${s.topic}/${s.partition}`) ?? s.log.base;
      if (from < s.log.base + s.log.messages.length) {
        this.cursor = (this.cursor + i + 1) % slots.length;
        return { ...s, from };
      }
    }
    return null;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const work = this.nextWork();
      if (!work) {
        await new Promise<void>((resolve) => (this.wakeUp = resolve));
        continue;
      }
      const start = work.from - work.log.base;
      const messages = work.log.messages.slice(start, start + this.maxBatch);
      const highWatermark = String(work.log.base + work.log.messages.length);
      let out: TopicMessages[];
      const batch = { topic: work.topic, partition: work.partition, messages, highWatermark };
      this.inHandler = true;
      try {
        out = await this.opts.handler(batch);
      } catch (err) {
        this.inHandler = false;
        // Left uncommitted: delivered again after a pause, like Kafka would after an abort.
        this.failures++;
        const delay = Math.min(5000, this.retryDelayMs * 2 ** Math.min(this.failures - 1, 6));
        this.log.warn({ err, topic: work.topic, partition: work.partition, retryInMs: delay }, 'batch handler failed; the batch will be delivered again');
        await new Promise((r) => setTimeout(r, delay));
        continue;
      }
      this.failures = 0;
      // Publish and commit in one synchronous step: nothing can observe one without the other.
      for (const o of out) if (o.messages.length > 0) this.append(o.topic, o.messages);
      this.group.committed.set(`${work.topic}/${work.partition}`, work.from + messages.length);
      this.inHandler = false;
      notifyCommitted(this.opts, batch, out, this.log);
      this.trim(work.topic, work.partition);
    }
    this.state = 'stopped';
    this.onStopped();
  }
}
