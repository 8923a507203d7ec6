// The exactly-once consume loop: for each fetched batch (one topic partition), the handler's
// output messages and the batch's next offset are committed in one Kafka transaction, read back
// by read-committed consumers only once committed.
//
// Zombie fencing: one transactional producer per *input partition*, with the id
// `<prefix>.<group>.<topic>.<partition>`, stable across processes and restarts. Whoever is
// assigned a partition initialises that id first, which makes the broker abort any transaction
// the previous owner left open and reject every later write from it: a paused or partitioned
// "zombie" cannot commit alerts for a partition it lost. Only after that fence does the new
// owner read the group's committed offset for the partition and drop anything below it, which
// closes the window between kafkajs' offset fetch and the fence. kafkajs does not implement
// KIP-447 (fencing by consumer-group generation), so a per-worker id would fence only a restart
// of the same worker slot, not a zombie whose partition moved to another worker.
import type { Admin, Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { Partitioners } from './client.js';
import type { Logger } from 'pino';
import { notifyCommitted, type ConsumeOptions, type ConsumedMessage, type Subscription, type SubscriptionHealth } from '../bus.js';
import { BusError, ProducerFencedError } from '../errors.js';
import { errorChain } from '../../schemas/errors.js';
import { packedRequests, type PartitionCache } from './chunks.js';
import { recordMessages } from './framing.js';
import type { ValidatedKafkaOptions } from './options.js';

interface PartitionProducer {
  transactionalId: string;
  producer: Producer;
  /**
   * Messages below this offset are already done: the committed offset read right after the
   * fence, then advanced by each transaction we commit. kafkajs re-reads the group's committed
   * offset after every rebalance without KIP-447's "require stable", so it can get an offset
   * from before our last commit's markers landed and hand us those messages again.
   */
  floor: bigint;
}

/** How long and how often the committed offset is re-read after a fence (see settledCommittedOffset). */
const SETTLE_STEP_MS = 100;
const SETTLE_READS = 4;
const SETTLE_MAX_MS = 5000;

export class TransactionalSubscription implements Subscription {
  private readonly consumer: Consumer;
  private readonly producers = new Map<string, Promise<PartitionProducer>>();
  private state: SubscriptionHealth['state'] = 'starting';
  private assigned: Record<string, number[]> = {};
  private error: string | undefined;
  private readonly partitioner = Partitioners.DefaultPartitioner();

  constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly partitions: PartitionCache,
    private readonly v: ValidatedKafkaOptions,
    private readonly opts: ConsumeOptions,
    private readonly log: Logger,
    private readonly onStopped: () => void,
  ) {
    this.consumer = kafka.consumer({
      groupId: opts.groupId,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      sessionTimeout: v.sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(v.sessionTimeoutMs / 5)),
      rebalanceTimeout: Math.max(30_000, v.sessionTimeoutMs * 3),
      maxBytesPerPartition: v.maxBytesPerPartition,
      maxWaitTimeInMs: v.maxWaitTimeInMs,
      // The handler's failures are retriable by contract (the batch is delivered again).
      retry: { restartOnFailure: async () => true },
    });
    const c = this.consumer;
    c.on(c.events.GROUP_JOIN, (e) => this.onJoin(e.payload.memberAssignment));
    c.on(c.events.CRASH, (e) => {
      this.log.error({ err: e.payload.error, restart: e.payload.restart }, 'consumer crashed');
      if (!e.payload.restart) {
        this.state = 'failed';
        this.error = e.payload.error.message;
      } else {
        this.state = 'starting';
      }
    });
    c.on(c.events.REBALANCING, () => {
      if (this.state === 'running') this.state = 'starting';
    });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.opts.topics, fromBeginning: this.opts.fromBeginning ?? true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.v.partitionsConsumedConcurrently,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isStale }) => {
        if (isStale() || batch.isEmpty()) return;
        const key = `${batch.topic}/${batch.partition}`;
        const pp = await this.producerFor(batch.topic, batch.partition);
        const first = batch.messages[0]!;
        const kept = BigInt(first.offset) >= pp.floor ? batch.messages : batch.messages.filter((m) => BigInt(m.offset) >= pp.floor);
        const lastOffset = batch.lastOffset();
        if (kept.length === 0) {
          resolveOffset(lastOffset);
          return;
        }
        let out;
        const consumed = {
          topic: batch.topic,
          partition: batch.partition,
          messages: unpackAll(batch.topic, batch.partition, kept, this.log),
          highWatermark: batch.highWatermark,
        };
        try {
          out = await this.opts.handler(consumed);
        } catch (err) {
          throw new BusError(`handler failed on ${key} at offset ${first.offset}; the batch will be delivered again`, { cause: err, retriable: true });
        }
        const txn = await pp.producer.transaction();
        try {
          for (const o of out) {
            if (o.messages.length === 0) continue;
            const requests = packedRequests(o.topic, o.messages, await this.partitions.get(o.topic), this.partitioner, this.v.maxPackBytes);
            for (const messages of requests) await txn.send({ topic: o.topic, compression: this.v.compression, messages });
          }
          await txn.sendOffsets({
            consumerGroupId: this.opts.groupId,
            topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(lastOffset) + 1n).toString() }] }],
          });
          await txn.commit();
        } catch (err) {
          await txn.abort().catch(() => undefined);
          // Fenced or broken: the next batch for this partition starts from a fresh fence.
          this.dropProducer(key);
          if (isFenced(err)) throw new ProducerFencedError(pp.transactionalId, { cause: err });
          throw new BusError(`transaction for ${key} failed and was aborted; the batch will be delivered again`, { cause: err, retriable: true });
        }
        pp.floor = BigInt(lastOffset) + 1n;
        resolveOffset(lastOffset);
        notifyCommitted(this.opts, consumed, out, this.log);
        await heartbeat();
      },
    });
  }

  health(): SubscriptionHealth {
    return { state: this.state, assigned: this.assigned, ...(this.error ? { error: this.error } : {}) };
  }

  async stop(): Promise<void> {
    // disconnect() waits for the batches in hand (and their transactions), then leaves the group.
    await this.consumer.disconnect();
    const all = [...this.producers.keys()];
    await Promise.all(all.map((k) => this.dropProducer(k)));
    this.state = 'stopped';
    this.onStopped();
  }

  private onJoin(assignment: Record<string, number[]>): void {
    this.assigned = assignment;
    this.state = 'running';
    const keep = new Set(Object.entries(assignment).flatMap(([t, ps]) => ps.map((p) => `${t}/${p}`)));
    // A partition we lost may be fenced by its new owner; if it comes back, fence afresh.
    for (const key of [...this.producers.keys()]) if (!keep.has(key)) void this.dropProducer(key);
    this.log.info({ assigned: assignment }, 'joined the consumer group');
  }

  private producerFor(topic: string, partition: number): Promise<PartitionProducer> {
    const key = `${topic}/${partition}`;
    let p = this.producers.get(key);
    if (!p) {
      p = this.fence(topic, partition);
      this.producers.set(key, p);
      p.catch(() => this.producers.delete(key));
    }
    return p;
  }

  private async fence(topic: string, partition: number): Promise<PartitionProducer> {
    const transactionalId = `${this.v.transactionalIdPrefix}.${this.opts.groupId}.${topic}.${partition}`;
    const producer = this.kafka.producer({
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: this.v.transactionTimeoutMs,
      allowAutoTopicCreation: false,
      // The broker answers CONCURRENT_TRANSACTIONS while the previous transaction's markers are
      // still being written (a few ms); kafkajs' default first retry after 300 ms would put that
      // wait on every batch's latency.
      retry: { initialRetryTime: 10, maxRetryTime: 2000 },
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    // kafkajs initialises the transactional id (InitProducerId: the fence) on the first
    // transaction; an empty one is cheap and ends without a request.
    const t = await producer.transaction();
    await t.abort();
    const floor = await this.settledCommittedOffset(topic, partition);
    this.log.debug({ transactionalId, floor: floor.toString() }, 'fenced partition producer');
    return { transactionalId, producer, floor };
  }

  /**
   * The group's committed offset for a partition, read until it holds still. After the fence the
   * previous owner's last transaction is complete, but the group coordinator applies its offset
   * commit asynchronously; kafkajs' OffsetFetch (v4) cannot ask for "stable" offsets (KIP-447),
   * so an early read can return the offset before that commit and replay its batch (seen under
   * load: one batch's alerts twice). Reading until four further reads, 100 ms apart, agree makes
   * that window very unlikely (a starved broker JVM can still exceed it: see bus/README.md).
   */
  private async settledCommittedOffset(topic: string, partition: number): Promise<bigint> {
    const read = async (): Promise<bigint> => {
      const offsets = await this.admin.fetchOffsets({ groupId: this.opts.groupId, topics: [topic] });
      const committed = BigInt(offsets[0]?.partitions.find((x) => x.partition === partition)?.offset ?? '-1');
      return committed < 0n ? 0n : committed;
    };
    let value = await read();
    const deadline = Date.now() + SETTLE_MAX_MS;
    for (let agreeing = 0; agreeing < SETTLE_READS && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, SETTLE_STEP_MS));
      const next = await read();
      agreeing = next === value ? agreeing + 1 : 0;
      value = next > value ? next : value;
    }
    return value;
  }

  private async dropProducer(key: string): Promise<void> {
    const p = this.producers.get(key);
    if (!p) return;
    this.producers.delete(key);
    try {
      const pp = await p;
      await pp.producer.disconnect();
    } catch {
      // Already broken: nothing left to release.
    }
  }
}

/** The broker's "a newer producer owns this transactional id" answers, anywhere in the cause chain. */
function isFenced(err: unknown): boolean {
  for (const e of errorChain(err, 5)) {
    if (e.type === 'PRODUCER_FENCED' || e.type === 'INVALID_PRODUCER_EPOCH') return true;
  }
  return false;
}

/** The bus messages of a batch's records; a packed record that does not parse is logged here. */
function unpackAll(topic: string, partition: number, records: KafkaMessage[], log: Logger): ConsumedMessage[] {
  const out: ConsumedMessage[] = [];
  for (const r of records) {
    for (const m of recordMessages(topic, partition, r)) {
      if (m.malformed !== undefined) log.warn({ topic, partition, offset: m.offset, reason: m.malformed }, 'record does not unpack; handed on whole, to be quarantined');
      out.push(m);
    }
  }
  return out;
}
