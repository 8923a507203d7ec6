// The Kafka bus (kafkajs): publish batches with an idempotent producer, consume with the
// transactional exactly-once loop (consumer.ts), create topics from bus/topics.ts specs.
// Wire format: each partition's share of a publish is packed into few Kafka records (framing.ts
// has the format); records without the pack header are read as one message each.
import type { Admin, Producer } from 'kafkajs';
import { Kafka, Partitioners } from './client.js';
import type { Logger } from 'pino';
import type { Bus, ConsumeOptions, OutgoingMessage, Subscription } from '../bus.js';
import { BusAuthenticationError, BusConfigError, BusError } from '../errors.js';
import { errorChain } from '../../schemas/errors.js';
import { silentLogger } from '../logging.js';
import type { TopicSpec } from '../topics.js';
import { packedRequests, PartitionCache } from './chunks.js';
import { TransactionalSubscription } from './consumer.js';
import { kafkajsLevel, pinoLogCreator } from './logging.js';
import { kafkaClientConfig, validateKafkaOptions, type KafkaBusOptions, type ValidatedKafkaOptions } from './options.js';
import { isTlsRefusalCode, TlsRefusals } from './tls-refusals.js';

export type { KafkaBusOptions, SaslOptions, TlsOptions, Compression, SaslMechanism } from './options.js';
export { REDACT_PATHS } from './options.js';

export interface KafkaBus extends Bus {
  /** Create the missing topics; fail if an existing one has fewer partitions than asked. */
  ensureTopics(specs: TopicSpec[]): Promise<void>;
  deleteTopics(names: string[]): Promise<void>;
  /** Messages not yet committed by a group on a topic, summed over partitions. */
  groupLag(groupId: string, topic: string): Promise<bigint>;
  /**
   * Starts a group that has not consumed yet at each partition's first record written at or
   * after `timestampMs` (the end of a partition that has none): replay from a time without
   * reading what came before.
   */
  startGroupAtTime(groupId: string, topic: string, timestampMs: number): Promise<void>;
  /**
   * Starts a group that has not consumed yet at a Kafka offset: `start` for every partition, or
   * per partition (partitions left out start at their end: nothing of them is read). Offsets
   * are clamped to what the partition holds.
   */
  startGroupAtOffsets(groupId: string, topic: string, start: bigint | ReadonlyMap<number, bigint>): Promise<void>;
  /** Deletes a group that has no members left (a finished replay's). */
  deleteGroup(groupId: string): Promise<void>;
}

export function createKafkaBus(options: KafkaBusOptions): KafkaBus {
  const v = validateKafkaOptions(options);
  const log = (options.logger ?? silentLogger()).child({ name: 'bus.kafka' });
  const refusals = new TlsRefusals();
  const kafka = new Kafka({ ...kafkaClientConfig(v), socketFactory: refusals.socketFactory(), logCreator: pinoLogCreator(log), logLevel: kafkajsLevel(log) });
  return new KafkaBusImpl(kafka, v, log, refusals);
}

class KafkaBusImpl implements KafkaBus {
  private producer: Promise<Producer> | null = null;
  private admin: Promise<Admin> | null = null;
  private readonly subscriptions = new Set<TransactionalSubscription>();
  private readonly partitioner = Partitioners.DefaultPartitioner();
  private readonly partitions = new PartitionCache(() => this.getAdmin());
  private closed = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly v: ValidatedKafkaOptions,
    private readonly log: Logger,
    private readonly refusals: TlsRefusals,
  ) {}

  async publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const producer = await this.getProducer();
    try {
      const requests = packedRequests(topic, messages, await this.partitions.get(topic), this.partitioner, this.v.maxPackBytes);
      for (const r of requests) await producer.send({ topic, compression: this.v.compression, messages: r });
    } catch (err) {
      throw new BusError(`publishing ${messages.length} messages to '${topic}' failed`, { cause: err, retriable: isRetriable(err) });
    }
  }

  async consume(opts: ConsumeOptions): Promise<Subscription> {
    this.assertOpen();
    if (opts.topics.length === 0) throw new BusConfigError('consume needs at least one topic');
    const sub: TransactionalSubscription = new TransactionalSubscription(
      this.kafka, await this.getAdmin(), this.partitions, this.v, opts, this.log.child({ group: opts.groupId }),
      () => this.subscriptions.delete(sub),
    );
    this.subscriptions.add(sub);
    try {
      await sub.start();
    } catch (err) {
      await sub.stop().catch(() => undefined);
      throw new BusError(`could not join consumer group '${opts.groupId}'`, { cause: err, retriable: isRetriable(err) });
    }
    return sub;
  }

  async ensureTopics(specs: TopicSpec[]): Promise<void> {
    const admin = await this.getAdmin();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = specs.filter((s) => !existing.has(s.name));
      if (missing.length > 0) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((s) => ({
            topic: s.name,
            numPartitions: s.partitions,
            replicationFactor: -1, // the broker's default.replication.factor
            configEntries: Object.entries(s.config).map(([name, value]) => ({ name, value })),
          })),
        });
        this.log.info({ topics: missing.map((s) => `${s.name}(${s.partitions})`) }, 'created topics');
      }
      const present = specs.filter((s) => existing.has(s.name));
      if (present.length > 0) {
        const meta = await admin.fetchTopicMetadata({ topics: present.map((s) => s.name) });
        for (const s of present) {
          const have = meta.topics.find((t) => t.name === s.name)?.partitions.length ?? 0;
          if (have < s.partitions) {
            throw new BusConfigError(`topic '${s.name}' exists with ${have} partitions, fewer than the ${s.partitions} configured`);
          }
        }
      }
    } catch (err) {
      if (err instanceof BusConfigError) throw err;
      throw new BusError(`creating topics ${specs.map((s) => s.name).join(', ')} failed`, { cause: err, retriable: isRetriable(err) });
    }
  }

  async deleteTopics(names: string[]): Promise<void> {
    const admin = await this.getAdmin();
    const existing = new Set(await admin.listTopics());
    const topics = names.filter((n) => existing.has(n));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  }

  async groupLag(groupId: string, topic: string): Promise<bigint> {
    const admin = await this.getAdmin();
    const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
    let lag = 0n;
    for (const e of ends) {
      const c = BigInt(committed[0]?.partitions.find((p) => p.partition === e.partition)?.offset ?? '-1');
      lag += BigInt(e.high) - (c < 0n ? BigInt(e.low) : c);
    }
    return lag;
  }

  async startGroupAtTime(groupId: string, topic: string, timestampMs: number): Promise<void> {
    const admin = await this.getAdmin();
    try {
      const partitions = await admin.fetchTopicOffsetsByTimestamp(topic, timestampMs);
      await admin.setOffsets({ groupId, topic, partitions });
    } catch (err) {
      throw new BusError(`starting group '${groupId}' on '${topic}' at ${new Date(timestampMs).toISOString()} failed`, { cause: err, retriable: isRetriable(err) });
    }
  }

  async startGroupAtOffsets(groupId: string, topic: string, start: bigint | ReadonlyMap<number, bigint>): Promise<void> {
    const admin = await this.getAdmin();
    try {
      const ranges = await admin.fetchTopicOffsets(topic);
      if (typeof start !== 'bigint') {
        const unknown = [...start.keys()].filter((p) => !ranges.some((r) => r.partition === p));
        if (unknown.length > 0) throw new BusConfigError(`topic '${topic}' has no partition ${unknown.join(', ')} (it has ${ranges.length})`);
      }
      const partitions = ranges.map((r) => {
        const low = BigInt(r.low);
        const high = BigInt(r.high);
        const want = typeof start === 'bigint' ? start : (start.get(r.partition) ?? high);
        const offset = want < low ? low : want > high ? high : want;
        return { partition: r.partition, offset: offset.toString() };
      });
      await admin.setOffsets({ groupId, topic, partitions });
    } catch (err) {
      if (err instanceof BusConfigError) throw err;
      throw new BusError(`starting group '${groupId}' on '${topic}' at given offsets failed`, { cause: err, retriable: isRetriable(err) });
    }
  }

  async deleteGroup(groupId: string): Promise<void> {
    const admin = await this.getAdmin();
    await admin.deleteGroups([groupId]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    const [producer, admin] = [this.producer, this.admin];
    this.producer = this.admin = null;
    await Promise.all([
      producer?.then((p) => p.disconnect()).catch(() => undefined),
      admin?.then((a) => a.disconnect()).catch(() => undefined),
    ]);
  }

  private assertOpen(): void {
    if (this.closed) throw new BusError('the Kafka bus is closed', { retriable: false });
  }

  private getProducer(): Promise<Producer> {
    this.assertOpen();
    if (!this.producer) {
      // Idempotent: a retried send never writes an event twice.
      const p = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
      this.producer = this.refusals.connectOrRefused(p.connect(), () => p.disconnect()).then(() => p);
      this.producer.catch(() => (this.producer = null));
    }
    return this.producer.catch((err) => {
      throw this.connectError(err);
    });
  }

  private getAdmin(): Promise<Admin> {
    this.assertOpen();
    if (!this.admin) {
      const a = this.kafka.admin();
      this.admin = this.refusals.connectOrRefused(a.connect(), () => a.disconnect()).then(() => a);
      this.admin.catch(() => (this.admin = null));
    }
    return this.admin.catch((err) => {
      throw this.connectError(err);
    });
  }

  /** A failed connect: refused credentials are not worth retrying, anything else may be. */
  private connectError(err: unknown): BusError {
    const brokers = this.v.brokers.join(',');
    const refused = refusal(err);
    if (refused?.kind === 'sasl') {
      const who = this.v.sasl ? ` SASL ${this.v.sasl.mechanism} for user '${this.v.sasl.username}'` : '';
      return new BusAuthenticationError(`the brokers ${brokers} refused${who}: ${refused.message}`, { cause: err });
    }
    if (refused?.kind === 'tls') {
      return new BusAuthenticationError(`TLS with the brokers ${brokers} failed (${refused.code}): ${refused.message.trim()}`, { cause: err });
    }
    return new BusError(`cannot connect to the brokers ${brokers}`, { cause: err, retriable: true });
  }
}

/**
 * Why a connect failed, when retrying the same settings cannot help: kafkajs' SASL failure, or a
 * TLS failure (a certificate we refused, or an alert from the broker refusing ours: ERR_SSL_*),
 * found anywhere in the cause chain (kafkajs wraps them in its retry errors).
 */
function refusal(err: unknown): { kind: 'sasl' | 'tls'; code: string; message: string } | null {
  for (const e of errorChain(err, 6)) {
    const message = String(e.message ?? '');
    if (e.name === 'KafkaJSSASLAuthenticationError') return { kind: 'sasl', code: 'SASL', message };
    if (isTlsRefusalCode(e.code)) return { kind: 'tls', code: e.code, message };
  }
  return null;
}

function isRetriable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { retriable?: unknown }).retriable === true;
}
