// The latency probe of bench:pipeline, in its own process so the publisher's CPU does not delay
// its clock readings: reads the alerts topic with read-committed isolation and records, per
// alert, now - alert.time (the event time the publisher stamped). On "stop" (stdin) it prints
// {"count":N,"p50":ms,"p90":ms,"p99":ms,"max":ms} and exits.
//   node dist/bench/pipeline-reader.js BROKERS TOPIC FROM_NS
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Kafka, logLevel } from '../bus/kafka/client.js';
import { recordMessages } from '../bus/kafka/framing.js';
import { alertCodec } from '../schemas/codec.js';

const [brokers, topic, fromNs] = process.argv.slice(2);
if (!brokers || !topic || !fromNs) throw new Error('usage: pipeline-reader BROKERS TOPIC FROM_NS');
const from = BigInt(fromNs);
const latencies: number[] = [];
const kafka = new Kafka({ clientId: 'bench-latency', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
const consumer = kafka.consumer({ groupId: `bench-latency-${randomBytes(4).toString('hex')}`, readUncommitted: false, maxWaitTimeInMs: 20 });
await consumer.connect();
await consumer.subscribe({ topics: [topic], fromBeginning: true });
await consumer.run({
  eachBatch: async ({ batch }) => {
    const now = Date.now();
    for (const r of batch.messages) {
      for (const m of recordMessages(batch.topic, batch.partition, r)) {
        const t = alertCodec.decode(m.value).time;
        if (t >= from) latencies.push(now - Number(t / 1_000_000n));
      }
    }
  },
});
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() !== 'stop') continue;
  await consumer.disconnect();
  latencies.sort((a, b) => a - b);
  const q = (p: number): number | null => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? null;
  process.stdout.write(JSON.stringify({ count: latencies.length, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: latencies.at(-1) ?? null }) + '\n');
  process.exit(0);
}
