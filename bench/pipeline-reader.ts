// The latency probe of bench:pipeline, in its own process so the publisher's CPU does not delay
// its clock readings: reads the alerts topic with read-committed isolation and records, per
// alert, now - alert.time (the event time the publisher stamped). On "stop" (stdin) it prints
// {"count":N,"p50":ms,"p90":ms,"p99":ms,"max":ms} and exits.
//   node dist/bench/pipeline-reader.js BROKERS TOPIC FROM_NS
import { createInterface } from 'node:readline';
import { alertCodec } from '../schemas/codec.js';
import { alertReader } from './pipeline-alerts.js';

const [brokers, topic, fromNs] = process.argv.slice(2);
if (!brokers || !topic || !fromNs) throw new Error('usage: pipeline-reader BROKERS TOPIC FROM_NS');
const from = BigInt(fromNs);
const latencies: number[] = [];
const consumer = await alertReader(brokers.split(','), topic, 20, (value, now) => {
  const t = alertCodec.decode(value).time;
  if (t >= from) latencies.push(now - Number(t / 1_000_000n));
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
