// The Kafka bus on a real broker: publish, transactional consume (outputs and offsets commit
// together), redelivery after a handler failure, fencing of a zombie transaction, and
// read-committed reads that never show an aborted record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaBus, type KafkaBus } from '../bus/kafka/index.js';
import type { Subscription } from '../bus/bus.js';
import { kafkaEndpoint, readCommitted, testKafka, uniquePrefix, waitForZeroLag } from './harness/kafka.js';

let brokers: string[];
let bus: KafkaBus;

beforeAll(async () => {
  brokers = (await kafkaEndpoint()).brokers;
  bus = createKafkaBus({ brokers, clientId: 'kafka-bus-test', transactionalIdPrefix: 'bus-test' });
});
// Deleted only at the end: kafkajs keeps refreshing metadata of every topic a client used.
const created: string[] = [];
afterAll(async () => {
  await bus?.close();
  const admin = createKafkaBus({ brokers, clientId: 'kafka-bus-test-cleanup' });
  await admin.deleteTopics(created);
  await admin.close();
});

function messages(n: number, tag: string) {
  return Array.from({ length: n }, (_, i) => ({ key: `k${i % 37}`, value: Buffer.from(`${tag}-${i}`) }));
}

describe('Kafka bus (real broker)', () => {
  it.each(['none', 'gzip'] as const)('publishes a batch and moves it exactly once through a transactional consumer (compression %s)', async (compression) => {
    const p = uniquePrefix(`bus-pipe-${compression}`);
    const [input, output] = [`${p}.in`, `${p}.out`];
    const cbus = createKafkaBus({ brokers, clientId: `kafka-bus-test-${compression}`, transactionalIdPrefix: `bus-test-${compression}`, compression });
    try {
      await cbus.ensureTopics([{ name: input, partitions: 4, config: {} }, { name: output, partitions: 2, config: {} }]);
      await cbus.publish(input, messages(3000, 'm'));
      let batches = 0;
      const sub = await cbus.consume({
        topics: [input],
        groupId: `${p}.g`,
        handler: async (batch) => {
          batches++;
          return [{ topic: output, messages: batch.messages.map((m) => ({ key: m.key, value: Buffer.concat([m.value, Buffer.from('!')]) })) }];
        },
      });
      await waitForZeroLag(() => cbus.groupLag(`${p}.g`, input), 60_000);
      const out = await readCommitted(brokers, output, { atLeast: 3000, quietMs: 1500 });
      await sub.stop();
      expect(batches).toBeGreaterThan(0);
      expect(out.length).toBe(3000);
      const values = new Set(out.map((m) => m.value!.toString()));
      expect(values.size).toBe(3000);
      for (let i = 0; i < 3000; i++) expect(values.has(`m-${i}!`)).toBe(true);
    } finally {
      await cbus.close();
    }
    created.push(input, output);
  });

  it('delivers a batch again when the handler throws, and publishes its output once', async () => {
    const p = uniquePrefix('bus-retry');
    const [input, output] = [`${p}.in`, `${p}.out`];
    await bus.ensureTopics([{ name: input, partitions: 1, config: {} }, { name: output, partitions: 1, config: {} }]);
    await bus.publish(input, messages(200, 'r'));
    let failures = 0;
    const sub = await bus.consume({
      topics: [input],
      groupId: `${p}.g`,
      handler: async (batch) => {
        if (failures < 2) {
          failures++;
          throw new Error('injected handler failure');
        }
        return [{ topic: output, messages: batch.messages.map((m) => ({ key: m.key, value: m.value })) }];
      },
    });
    await waitForZeroLag(() => bus.groupLag(`${p}.g`, input), 90_000);
    const out = await readCommitted(brokers, output, { atLeast: 200, quietMs: 1500 });
    await sub.stop();
    expect(failures).toBe(2);
    expect(out.map((m) => m.value!.toString()).sort()).toEqual(messages(200, 'r').map((m) => m.value.toString()).sort());
    created.push(input, output);
  });

  it("fences a zombie: the previous owner's open transaction is aborted and its commit fails", async () => {
    const p = uniquePrefix('bus-zombie');
    const [input, output] = [`${p}.in`, `${p}.out`];
    const group = `${p}.g`;
    await bus.ensureTopics([{ name: input, partitions: 1, config: {} }, { name: output, partitions: 1, config: {} }]);
    // The zombie: an earlier owner of partition 0 that wrote inside a transaction, then stalled.
    const zombie = testKafka(brokers).producer({ transactionalId: `bus-test.${group}.${input}.0`, idempotent: true, maxInFlightRequests: 1 });
    await zombie.connect();
    const txn = await zombie.transaction();
    await txn.send({ topic: output, messages: [{ key: 'z', value: Buffer.from('zombie') }] });

    await bus.publish(input, messages(50, 'live'));
    let sub: Subscription | null = null;
    try {
      sub = await bus.consume({
        topics: [input],
        groupId: group,
        handler: async (batch) => [{ topic: output, messages: batch.messages.map((m) => ({ key: m.key, value: m.value })) }],
      });
      await waitForZeroLag(() => bus.groupLag(group, input), 60_000);
      await expect(txn.commit()).rejects.toThrow();
      const out = await readCommitted(brokers, output, { atLeast: 50, quietMs: 1500 });
      expect(out.map((m) => m.value!.toString())).not.toContain('zombie');
      expect(out.length).toBe(50);
    } finally {
      await sub?.stop();
      await zombie.disconnect();
    }
    created.push(input, output);
  });

  it('never hands aborted records to a read-committed reader, even when the broker lists aborts out of order', async () => {
    const p = uniquePrefix('bus-aborts');
    const topic = `${p}.t`;
    await bus.ensureTopics([{ name: topic, partitions: 1, config: {} }]);
    const producer = (id: string) => testKafka(brokers).producer({ transactionalId: `${p}.${id}`, idempotent: true, maxInFlightRequests: 1 });
    const [a, b, c] = [producer('a'), producer('b'), producer('c')];
    await Promise.all([a, b, c].map((x) => x.connect()));
    try {
      // Interleaved in one partition: A opens first, B aborts first, so the broker's aborted list
      // for a fetch from offset 0 is [B, A]: the order kafkajs' own filter got wrong.
      const [ta, tb, tc] = [await a.transaction(), await b.transaction(), await c.transaction()];
      await ta.send({ topic, messages: [{ value: Buffer.from('aborted-a1') }] });
      await tb.send({ topic, messages: [{ value: Buffer.from('aborted-b1') }] });
      await tc.send({ topic, messages: [{ value: Buffer.from('committed-c1') }] });
      await tb.abort();
      await ta.send({ topic, messages: [{ value: Buffer.from('aborted-a2') }] });
      await tc.commit();
      await ta.abort();
    } finally {
      await Promise.all([a, b, c].map((x) => x.disconnect()));
    }
    await bus.publish(topic, [{ key: 'plain', value: Buffer.from('plain') }]);

    const read = await readCommitted(brokers, topic, { atLeast: 2, quietMs: 1500 });
    expect(read.map((m) => m.value.toString())).toEqual(['committed-c1', 'plain']);

    // The bus's own consumer (what evaluators and sinks use) reads the same.
    const seen: string[] = [];
    const group = `${p}.g`;
    const sub = await bus.consume({
      topics: [topic],
      groupId: group,
      handler: async (batch) => {
        seen.push(...batch.messages.map((m) => m.value.toString()));
        return [];
      },
    });
    try {
      await waitForZeroLag(() => bus.groupLag(group, topic), 60_000);
    } finally {
      await sub.stop();
    }
    expect(seen).toEqual(['committed-c1', 'plain']);
    created.push(topic);
  });

  it('recovers when its own producer is fenced by another claimant, with no duplicate output', async () => {
    const p = uniquePrefix('bus-fenced');
    const [input, output] = [`${p}.in`, `${p}.out`];
    const group = `${p}.g`;
    await bus.ensureTopics([{ name: input, partitions: 1, config: {} }, { name: output, partitions: 1, config: {} }]);
    created.push(input, output);
    const sub = await bus.consume({
      topics: [input],
      groupId: group,
      handler: async (batch) => [{ topic: output, messages: batch.messages.map((m) => ({ key: m.key, value: m.value })) }],
    });
    try {
      await bus.publish(input, messages(100, 'before'));
      await waitForZeroLag(() => bus.groupLag(group, input), 60_000);
      // Another process initialises the same transactional id: our producer is now fenced.
      const intruder = testKafka(brokers).producer({ transactionalId: `bus-test.${group}.${input}.0`, idempotent: true, maxInFlightRequests: 1 });
      await intruder.connect();
      const t = await intruder.transaction();
      await t.send({ topic: output, messages: [{ key: 'i', value: Buffer.from('intruder') }] });
      await bus.publish(input, messages(100, 'after'));
      await waitForZeroLag(() => bus.groupLag(group, input), 90_000);
      await expect(t.commit()).rejects.toThrow();
      await intruder.disconnect();
      const out = await readCommitted(brokers, output, { atLeast: 200, quietMs: 1500 });
      const values = out.map((m) => m.value!.toString());
      expect(values.length).toBe(200);
      expect(new Set(values).size).toBe(200);
      expect(values).not.toContain('intruder');
    } finally {
      await sub.stop();
    }
  });
});
