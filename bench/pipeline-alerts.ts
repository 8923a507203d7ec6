// The alerts side of bench:pipeline: a read-committed consumer of the alerts topic, from its
// beginning, calling back per alert with the time its batch arrived. Used in the benchmark's own
// process (counting) and by pipeline-reader.ts (latency, in a process of its own).
import { randomBytes } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import { Kafka, logLevel } from '../bus/kafka/client.js';
import { recordMessages } from '../bus/kafka/framing.js';

export async function alertReader(brokers: string[], topic: string, maxWaitTimeInMs: number, onAlert: (value: Buffer, now: number) => void): Promise<Consumer> {
  const kafka = new Kafka({ clientId: 'bench-alerts', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `bench-alerts-${randomBytes(4).toString('hex')}`, readUncommitted: false, maxWaitTimeInMs });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const now = Date.now();
      for (const r of batch.messages) for (const m of recordMessages(batch.topic, batch.partition, r)) onAlert(m.value, now);
    },
  });
  return consumer;
}
