// Where the cross-service Kafka tests get a real broker, in this order:
//   1. KAFKA_BROKERS (comma-separated host:port) when set: CI starts scripts/kafka and sets it;
//   2. testcontainers' Kafka module when a Docker engine answers;
//   3. scripts/kafka start (a real KRaft broker from the Maven Central jars, left running for
//      the next test file; `scripts/kafka stop` ends it).
// There is no mock broker: if none of these works the tests fail with the reason.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Consumer } from 'kafkajs';
import { Kafka, logLevel } from '../../bus/kafka/client.js';
import type { ConsumedMessage } from '../../bus/bus.js';
import { recordMessages } from '../../bus/kafka/framing.js';

const run = promisify(execFile);
export const ROOT = resolve(import.meta.dirname, '../..');

export interface KafkaEndpoint {
  brokers: string[];
  source: 'env' | 'testcontainers' | 'scripts/kafka';
  /** Stops what this harness started itself (a container); the script's broker stays up. */
  release(): Promise<void>;
}

let shared: Promise<KafkaEndpoint> | null = null;

export function kafkaEndpoint(): Promise<KafkaEndpoint> {
  shared ??= resolveEndpoint();
  return shared;
}

async function resolveEndpoint(): Promise<KafkaEndpoint> {
  const fromEnv = process.env.KAFKA_BROKERS?.split(',').map((s) => s.trim()).filter(Boolean);
  if (fromEnv && fromEnv.length > 0) return { brokers: fromEnv, source: 'env', release: async () => undefined };
  const container = await tryTestcontainers();
  if (container) return container;
  try {
    const { stdout } = await run(resolve(ROOT, 'scripts/kafka'), ['start'], { timeout: 300_000 });
    const brokers = stdout.trim().split('\n').pop()!.split(',');
    return { brokers, source: 'scripts/kafka', release: async () => undefined };
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`no Kafka broker: KAFKA_BROKERS is unset, no Docker engine answers, and scripts/kafka start failed: ${e.stderr || e.message}`);
  }
}

async function tryTestcontainers(): Promise<KafkaEndpoint | null> {
  let client;
  try {
    const tc = await import('testcontainers');
    client = await tc.getContainerRuntimeClient();
  } catch {
    return null; // no Docker engine: fall through to scripts/kafka
  }
  void client;
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const started = await new KafkaContainer('confluentinc/cp-kafka:7.9.0')
    .withKraft()
    // Transactions on a single broker.
    .withEnvironment({ KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1', KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false' })
    .start();
  return {
    brokers: [`${started.getHost()}:${started.getMappedPort(9093)}`],
    source: 'testcontainers',
    release: async () => void (await started.stop()),
  };
}

/** A topic prefix no other test run shares. */
export function uniquePrefix(name: string): string {
  return `t.${name}.${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

export function testKafka(brokers: string[]): Kafka {
  return new Kafka({ clientId: 'saker-test', brokers, logLevel: logLevel.NOTHING });
}

export interface ReadOptions {
  /** Stop once this many messages arrived and `quietMs` passed without another. */
  atLeast: number;
  quietMs?: number;
  timeoutMs?: number;
}

/**
 * Reads a topic from the beginning with read-committed isolation (only committed transactions),
 * in a fresh group, until `atLeast` messages arrived and no more came for `quietMs`. Returns
 * them all: extra messages (duplicates written to the topic) are returned too, never hidden.
 * What the reader itself receives twice — the same partition, offset and index, when kafkajs
 * restarts this consumer from its last auto-committed offset — is one message, kept once.
 * Counts bus messages: packed records are unpacked by the bus's own decoder (bus/kafka/framing.ts).
 */
export async function readCommitted(brokers: string[], topic: string, o: ReadOptions): Promise<ConsumedMessage[]> {
  const kafka = testKafka(brokers);
  const consumer: Consumer = kafka.consumer({ groupId: `reader-${randomBytes(6).toString('hex')}`, readUncommitted: false, maxWaitTimeInMs: 200 });
  const got: ConsumedMessage[] = [];
  const positions = new Set<string>();
  let last = Date.now();
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        for (const x of recordMessages(batch.topic, batch.partition, m)) {
          const position = `${x.partition}:${x.offset}:${x.index ?? 0}`;
          if (positions.has(position)) continue;
          positions.add(position);
          got.push(x);
        }
      }
      if (batch.messages.length > 0) last = Date.now();
    },
  });
  const quiet = o.quietMs ?? 3000;
  const deadline = Date.now() + (o.timeoutMs ?? 120_000);
  try {
    while (!(got.length >= o.atLeast && Date.now() - last >= quiet)) {
      if (Date.now() > deadline) throw new Error(`read ${got.length} of at least ${o.atLeast} messages from '${topic}' before the timeout`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await consumer.disconnect();
  }
  return got;
}

/** Waits until a group has committed every message of a topic. */
export async function waitForZeroLag(lag: () => Promise<bigint>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let l = await lag();
  while (l > 0n) {
    if (Date.now() > deadline) throw new Error(`group still ${l} messages behind after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
    l = await lag();
  }
}
