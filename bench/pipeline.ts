// `npm run bench:pipeline`: events/s from collector-side publish through Kafka and evaluator
// worker processes to alerts committed in the alerts topic, with 1 and 2 workers; then p50/p99
// latency from event time to alert visible to a read-committed consumer at a fixed rate.
// Also measures the stages alone in this process, to show where the time goes.
//   node dist/bench/pipeline.js [--events N] [--warmup N] [--workers 1,2] [--rate R,...]
//                               [--seconds S] [--concurrency N] [--compression none|gzip]
//                               [--pre-encode]
// The end-to-end runs first push --warmup events (default 100,000) through the same workers and
// topics and wait for their alerts, so the figures are of warm processes (V8 compiles the hot
// paths during the first ~100,000 events: a third of a cold worker's CPU then), as a long-running
// fleet is; --warmup 0 measures cold workers.
// CPU seconds are reported beside wall time: on a shared 2-core machine wall time also measures
// the neighbours, CPU time much less so.
// Broker: KAFKA_BROKERS if set, else `scripts/kafka start` (a real local broker).
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { OutgoingMessage } from '../bus/bus.js';
import { createKafkaBus, type KafkaBus } from '../bus/kafka/index.js';
import { topicLayout, type TopicLayout } from '../bus/topics.js';
import { EvaluatorMetrics } from '../evaluator/metrics.js';
import { createJudgeStage } from '../evaluator/stage.js';
import { createEngine } from '../rules/index.js';
import { alertCodec, eventCodec } from '../schemas/codec.js';
import { PIPELINE_RULES, expectedRule, pipelineEvent, pipelineKey, projectRoot } from './pipeline-events.js';
import { alertReader } from './pipeline-alerts.js';
import { httpGet, metricValue, startWorker, stopWorker, waitHealthy, type Worker } from './pipeline-workers.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '300000' },
    warmup: { type: 'string', default: '100000' },
    workers: { type: 'string', default: '1,2' },
    rate: { type: 'string', default: '50000,10000' },
    seconds: { type: 'string', default: '15' },
    concurrency: { type: 'string' },
    compression: { type: 'string', default: 'none' },
    'pre-encode': { type: 'boolean', default: false },
  },
});
const N = Number(values.events);
const WARMUP = Number(values.warmup);
const WORKER_COUNTS = values.workers!.split(',').map(Number).filter((w) => w > 0);
const RATES = values.rate!.split(',').map(Number).filter((r) => r > 0);
const SECONDS = Number(values.seconds);
const COMPRESSION = values.compression === 'gzip' ? 'gzip' : 'none';
const PRE_ENCODE = values['pre-encode'] === true;

/** Topics this run made; deleted at the end (by a fresh client: kafkajs keeps refreshing used topics). */
const created: string[] = [];
const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
const line = (label: string, value: string): void => console.log(`  ${label.padEnd(48)} ${value}`);

/** user+system CPU seconds of a process so far (Linux /proc; clock ticks are 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The broker's pid when it is the local one scripts/kafka started (its CPU is part of the cost). */
function localBrokerPid(list: string[]): number | null {
  const port = list.length === 1 && list[0]!.startsWith('127.0.0.1:') ? list[0]!.split(':')[1] : null;
  if (!port) return null;
  const cache = process.env.SAKER_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(process.env.HOME ?? '/root', '.cache'), 'saker');
  try {
    const pid = Number(readFileSync(join(cache, `kafka-run-${port}`, 'kafka.pid'), 'utf8'));
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kafka.Kafka') ? pid : null;
  } catch {
    return null;
  }
}

function selfCpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function brokers(): Promise<string[]> {
  const env = process.env.KAFKA_BROKERS?.split(',').filter(Boolean);
  if (env?.length) return env;
  const { stdout } = await promisify(execFile)(join(projectRoot(), 'scripts/kafka'), ['start'], { timeout: 300_000 });
  return stdout.trim().split('\n').pop()!.split(',');
}

/** Events `from` .. `from + n - 1` of the pipeline stream, encoded. */
function encodeAll(n: number, from = 0): OutgoingMessage[] {
  const out = new Array<OutgoingMessage>(n);
  for (let i = 0; i < n; i++) {
    const e = pipelineEvent(from + i);
    out[i] = { key: pipelineKey(e), value: eventCodec.encode(e) };
  }
  return out;
}

async function publishAll(bus: KafkaBus, topic: string, msgs: OutgoingMessage[], chunk = 5000): Promise<void> {
  for (let i = 0; i < msgs.length; i += chunk) await bus.publish(topic, msgs.slice(i, i + chunk));
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function workerArgs(list: string[], layout: TopicLayout, prefix: string): string[] {
  const extra = [...(values.concurrency ? ['--concurrency', values.concurrency] : []), '--compression', COMPRESSION];
  return ['--brokers', list.join(','), '--rules', PIPELINE_RULES, '--topic-prefix', prefix, '--group', `${prefix}.evaluators`, '--log-level', 'warn', ...extra];
}

async function startWorkers(list: string[], layout: TopicLayout, prefix: string, n: number): Promise<Worker[]> {
  const ws = await Promise.all(Array.from({ length: n }, (_, i) => startWorker(`w${i}`, workerArgs(list, layout, prefix))));
  await Promise.all(ws.map((w) => waitHealthy(w, 60_000)));
  // Let the group settle (every member joined, one generation) before timing.
  await new Promise((r) => setTimeout(r, 1000));
  return ws;
}

async function stageCosts(): Promise<void> {
  console.log('\nStages alone, in one process (no Kafka):');
  const n = Math.min(N, 200_000);
  let t = performance.now();
  const msgs = encodeAll(n);
  line('encode events (collector side)', `${fmt(n / ((performance.now() - t) / 1000))} events/s`);
  const engine = createEngine({ files: [PIPELINE_RULES] });
  const stage = createJudgeStage({ judge: engine, eventCodec, alertCodec, alertsTopic: 'a', deadLetterTopic: 'd', metrics: new EvaluatorMetrics() });
  const batch = (from: number, to: number) => ({ topic: 'e', partition: 0, messages: msgs.slice(from, to).map((m, i) => ({ ...m, topic: 'e', partition: 0, offset: String(from + i), timestamp: 0, headers: {} })) });
  // Batches are built before timing: building 200,000 consumed-message objects costs about as
  // much as judging them and is the bus's work, not the stage's.
  const batches: ReturnType<typeof batch>[] = [];
  for (let i = 0; i < n; i += 1000) batches.push(batch(i, Math.min(n, i + 1000)));
  for (const b of batches.slice(0, 20)) await stage(b); // warm-up
  t = performance.now();
  let alerts = 0;
  for (const b of batches) for (const o of await stage(b)) alerts += o.messages.length;
  line('decode + judge + encode alerts (evaluator stage)', `${fmt(n / ((performance.now() - t) / 1000))} events/s (${fmt(alerts)} alerts)`);
}

async function publishOnly(bus: KafkaBus): Promise<void> {
  const prefix = `bench.pub.${randomBytes(3).toString('hex')}`;
  const layout = topicLayout({ prefix });
  await bus.ensureTopics([layout.events]);
  created.push(layout.events.name);
  const msgs = encodeAll(N);
  const t = performance.now();
  await publishAll(bus, layout.events.name, msgs);
  line('publish to Kafka (idempotent producer, 5,000/batch)', `${fmt(N / ((performance.now() - t) / 1000))} events/s`);
}

async function endToEnd(list: string[], bus: KafkaBus, workers: number): Promise<void> {
  const prefix = `bench.e2e${workers}.${randomBytes(3).toString('hex')}`;
  const layout = topicLayout({ prefix });
  await bus.ensureTopics([layout.events, layout.alerts, layout.deadLetter]);
  created.push(layout.events.name, layout.alerts.name, layout.deadLetter.name);
  const warm = encodeAll(WARMUP);
  const msgs = encodeAll(N, WARMUP);
  let expectedWarm = 0;
  for (let i = 0; i < WARMUP; i++) if (expectedRule(i)) expectedWarm++;
  let expected = 0;
  for (let i = WARMUP; i < WARMUP + N; i++) if (expectedRule(i)) expected++;
  const ws = await startWorkers(list, layout, prefix, workers);
  let seen = 0;
  let lastAt = 0;
  const reader = await alertReader(list, layout.alerts.name, 50, (_v, now) => {
    seen++;
    lastAt = now;
  });
  if (WARMUP > 0) {
    await publishAll(bus, layout.events.name, warm);
    await until(() => seen >= expectedWarm, 600_000, `${expectedWarm} warm-up alerts`);
    seen = 0;
  }
  const cpu0 = ws.map((w) => cpuSeconds(w.proc.pid!));
  const brokerPid = localBrokerPid(list);
  const broker0 = brokerPid ? cpuSeconds(brokerPid) : 0;
  const self0 = selfCpu();
  const t0 = Date.now();
  await publishAll(bus, layout.events.name, msgs);
  const published = Date.now();
  const selfPublish = selfCpu() - self0;
  await until(() => seen >= expected, 600_000, `${expected} alerts`);
  const seconds = (lastAt - t0) / 1000;
  let judgeSeconds = 0;
  let transactions = 0;
  for (const w of ws) {
    const body = (await httpGet(w.metricsPort, '/metrics')).body;
    judgeSeconds += metricValue(body, 'saker_evaluator_batch_seconds_sum');
    transactions += metricValue(body, 'saker_evaluator_batches_total');
  }
  const workerCpu = ws.reduce((sum, w, i) => sum + cpuSeconds(w.proc.pid!) - cpu0[i]!, 0);
  const brokerCpu = brokerPid ? cpuSeconds(brokerPid) - broker0 : NaN;
  await reader.disconnect();
  for (const w of ws) await stopWorker(w);
  console.log(`\nEnd to end, ${workers} evaluator process${workers > 1 ? 'es' : ''}, ${fmt(N)} events (${fmt(expected)} alerts), 12 partitions, after ${fmt(WARMUP)} warm-up events:`);
  line('events/s, first publish -> last alert committed', `${fmt(N / seconds)} events/s (${seconds.toFixed(2)} s)`);
  line('publishing took', `${((published - t0) / 1000).toFixed(2)} s`);
  line('alerts seen (read-committed)', `${fmt(seen)}`);
  line('publisher CPU (this process, while publishing)', `${selfPublish.toFixed(2)} s = ${fmt(N / selfPublish)} events per CPU-s`);
  line('evaluator CPU (all workers)', `${workerCpu.toFixed(2)} s = ${fmt(N / workerCpu)} events per CPU-s`);
  line('  wall time inside decode+judge+encode (batch_seconds)', `${judgeSeconds.toFixed(2)} s`);
  line('  transactions (one per committed partition batch)', `${fmt(transactions)} = ${fmt(N / transactions)} events each`);
  if (brokerPid) line('broker CPU (local JVM, whole run)', `${brokerCpu.toFixed(2)} s = ${fmt(N / brokerCpu)} events per CPU-s`);
  line('load average (1 min) after the run', readFileSync('/proc/loadavg', 'utf8').split(' ')[0]!);
}

/** Starts the latency probe (bench/pipeline-reader.ts) as a child process; resolves once it reads. */
async function startProbe(list: string[], topic: string, fromNs: bigint) {
  const child = spawn(process.execPath, [join(projectRoot(), 'dist/bench/pipeline-reader.js'), list.join(','), topic, fromNs.toString()], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.value !== 'ready') throw new Error('latency probe did not start');
  return {
    async stop(): Promise<{ count: number; p50: number; p90: number; p99: number; max: number }> {
      child.stdin!.write('stop\n');
      const r = await lines.next();
      return JSON.parse(String(r.value)) as { count: number; p50: number; p90: number; p99: number; max: number };
    },
  };
}

async function latency(list: string[], bus: KafkaBus, RATE: number): Promise<void> {
  const prefix = `bench.lat.${randomBytes(3).toString('hex')}`;
  const layout = topicLayout({ prefix });
  await bus.ensureTopics([layout.events, layout.alerts, layout.deadLetter]);
  created.push(layout.events.name, layout.alerts.name, layout.deadLetter.name);
  const ws = await startWorkers(list, layout, prefix, 1);
  const warmupMs = 3000;
  const eventTime = (begin: number, i: number): bigint => BigInt(Math.floor(begin + (i * 1000) / RATE)) * 1_000_000n;
  // --pre-encode: every event is built and Avro-encoded before the clock starts, for a planned
  // start time, so the publisher only publishes. On a fleet the collector encodes on the
  // monitored host; this shows the evaluator host's share of the latency.
  let begin = Date.now();
  let encoded: OutgoingMessage[] | null = null;
  if (PRE_ENCODE) {
    const total = Math.ceil((RATE * (warmupMs + SECONDS * 1000)) / 1000);
    begin = Date.now() + Math.ceil(total / 100) + 2000; // encoding runs at >100,000 events/s here
    encoded = new Array<OutgoingMessage>(total);
    for (let i = 0; i < total; i++) {
      const e = pipelineEvent(i, eventTime(begin, i));
      encoded[i] = { key: pipelineKey(e), value: eventCodec.encode(e) };
    }
  }
  const probe = await startProbe(list, layout.alerts.name, BigInt(begin + warmupMs) * 1_000_000n);
  while (Date.now() < begin) await new Promise((r) => setTimeout(r, 5));
  if (!PRE_ENCODE) begin = Date.now();
  const end = begin + warmupMs + SECONDS * 1000;
  let sent = 0;
  while (Date.now() < end) {
    // Publish what is due, in slices of at most 50 ms worth. Each event's time is when it was due
    // (not when it was sent), so a publisher that falls behind shows up in the latency, not as
    // a lower offered rate with flattering event times.
    const due = Math.min(Math.ceil(RATE / 20), Math.floor(((Date.now() - begin) / 1000) * RATE) - sent);
    if (due > 0) {
      let msgs: OutgoingMessage[];
      if (encoded) {
        msgs = encoded.slice(sent, sent + due);
      } else {
        msgs = new Array(due);
        for (let k = 0; k < due; k++) {
          const e = pipelineEvent(sent + k, eventTime(begin, sent + k));
          msgs[k] = { key: pipelineKey(e), value: eventCodec.encode(e) };
        }
      }
      await bus.publish(layout.events.name, msgs);
      sent += msgs.length;
    } else {
      await new Promise((r) => setTimeout(r, 2));
    }
  }
  const achieved = sent / ((Date.now() - begin) / 1000);
  await waitLag(bus, `${prefix}.evaluators`, layout.events.name, 120_000);
  await new Promise((r) => setTimeout(r, 1000));
  const r = await probe.stop();
  for (const w of ws) await stopWorker(w);
  console.log(`\nLatency, 1 evaluator process, ${fmt(RATE)} events/s offered for ${SECONDS} s (after ${warmupMs / 1000} s warm-up)${PRE_ENCODE ? ', events encoded beforehand' : ''}:`);
  line('rate achieved by the publisher', `${fmt(achieved)} events/s`);
  line('alerts measured (separate reader process)', `${fmt(r.count)}`);
  line('event time -> alert committed, p50 / p90 / p99 / max', `${r.p50} / ${r.p90} / ${r.p99} / ${r.max} ms`);
  line('load average (1 min) after the run', readFileSync('/proc/loadavg', 'utf8').split(' ')[0]!);
}

async function waitLag(bus: KafkaBus, group: string, topic: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await bus.groupLag(group, topic)) > 0n) {
    if (Date.now() > deadline) throw new Error(`group ${group} still behind after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main(): Promise<void> {
  const list = await brokers();
  console.log(`bench:pipeline  brokers ${list.join(',')}  node ${process.version}  ${N} events  compression ${COMPRESSION}`);
  const bus = createKafkaBus({ brokers: list, clientId: 'bench-pipeline', compression: COMPRESSION, logger: pino({ level: 'warn' }) });
  try {
    await stageCosts();
    await publishOnly(bus);
    for (const w of WORKER_COUNTS) await endToEnd(list, bus, w);
    for (const rate of RATES) await latency(list, bus, rate);
  } finally {
    await bus.close();
    const cleanup = createKafkaBus({ brokers: list, clientId: 'bench-pipeline-cleanup' });
    await cleanup.deleteTopics(created).catch(() => undefined);
    await cleanup.close();
  }
}

await main();
