// The evaluator on a real broker, as separate worker processes running the built CLI:
//  - 3 workers share a 12-partition events topic; 100,000 events of which 20,000 must alert;
//    one worker is SIGKILLed mid-stream and another joins; every expected alert is in the
//    alerts topic exactly once (read with read-committed);
//  - a corrupt message lands in the dead-letter topic with its origin, nothing else is lost;
//  - the same rules on the same events give identical alerts through the in-process bus and
//    through Kafka;
//  - SIGHUP reloads the rules; a broken rules file leaves the running rules judging.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createKafkaBus, type KafkaBus } from '../bus/kafka/index.js';
import { createMemoryBus } from '../bus/memory.js';
import { topicLayout, type TopicLayout } from '../bus/topics.js';
import type { OutgoingMessage } from '../bus/bus.js';
import { createEvaluator } from '../evaluator/service.js';
import { createEngine } from '../rules/index.js';
import { alertCodec, eventCodec } from '../schemas/codec.js';
import type { Alert } from '../schemas/types.generated.js';
import { expectedRule, PIPELINE_RULES, pipelineEvent, pipelineKey } from '../bench/pipeline-events.js';
import { httpGet, metricValue, startWorker, stopWorker, waitHealthy, type Worker } from '../bench/pipeline-workers.js';
import { PACK_HEADER } from '../bus/kafka/framing.js';
import { kafkaEndpoint, readCommitted, testKafka, uniquePrefix, waitForZeroLag } from './harness/kafka.js';

let brokers: string[];
let bus: KafkaBus;
const workers: Worker[] = [];

beforeAll(async () => {
  brokers = (await kafkaEndpoint()).brokers;
  bus = createKafkaBus({ brokers, clientId: 'kafka-evaluator-test' });
});
afterAll(async () => {
  await Promise.all(workers.map((w) => stopWorker(w, 20_000)));
  await bus?.close();
});

function workerArgs(layout: TopicLayout, prefix: string): string[] {
  return [
    '--brokers', brokers.join(','), '--rules', PIPELINE_RULES, '--topic-prefix', prefix,
    '--group', `${prefix}.evaluators`, '--events-partitions', String(layout.events.partitions), '--log-level', 'warn',
  ];
}

async function spawnWorker(name: string, layout: TopicLayout, prefix: string): Promise<Worker> {
  const w = await startWorker(name, workerArgs(layout, prefix));
  workers.push(w);
  return w;
}

function encodeRange(from: number, to: number): OutgoingMessage[] {
  const out: OutgoingMessage[] = [];
  for (let i = from; i < to; i++) {
    const e = pipelineEvent(i);
    out.push({ key: pipelineKey(e), value: eventCodec.encode(e) });
  }
  return out;
}

const alertId = (a: Alert): string => `${a.eventHostId}/${a.eventSeq}/${a.rule}`;

function expectedIds(n: number, skip: Set<number> = new Set()): Set<string> {
  const ids = new Set<string>();
  for (let i = 0; i < n; i++) {
    const rule = expectedRule(i);
    if (rule && !skip.has(i)) {
      const e = pipelineEvent(i);
      ids.add(`${e.host.id}/${i}/${rule}`);
    }
  }
  return ids;
}

describe('evaluator workers on Kafka (real broker, real processes)', () => {
  it('3 workers, 12 partitions, 100,000 events, one SIGKILLed and one joining: every expected alert exactly once', async () => {
    const prefix = uniquePrefix('eval-eos');
    const layout = topicLayout({ prefix });
    expect(layout.events.partitions).toBe(12);
    await bus.ensureTopics([layout.events, layout.alerts, layout.deadLetter]);
    const [w0, w1, w2] = await Promise.all([0, 1, 2].map((i) => spawnWorker(`w${i}`, layout, prefix)));
    await Promise.all([w0!, w1!, w2!].map((w) => waitHealthy(w, 60_000)));

    const total = 100_000;
    const chunk = 2_000;
    let killed = false;
    let judgedByVictim = 0;
    let joined: Worker | null = null;
    for (let from = 0; from < total; from += chunk) {
      await bus.publish(layout.events.name, encodeRange(from, from + chunk));
      if (!killed && from >= 30_000) {
        // Kill only once w0 is demonstrably working, so the kill lands mid-stream.
        for (let t = 0; t < 100 && judgedByVictim === 0; t++) {
          judgedByVictim = metricValue((await httpGet(w0!.metricsPort, '/metrics')).body, 'saker_evaluator_events_total');
          if (judgedByVictim === 0) await new Promise((r) => setTimeout(r, 100));
        }
        w0!.proc.kill('SIGKILL');
        killed = true;
      }
      if (killed && !joined && from >= 50_000) joined = await spawnWorker('w3', layout, prefix);
      await new Promise((r) => setTimeout(r, 30)); // a stream, not one burst
    }
    expect(judgedByVictim).toBeGreaterThan(0);
    expect(await w0!.exited).toBe(null); // killed by the signal
    await waitForZeroLag(() => bus.groupLag(`${prefix}.evaluators`, layout.events.name), 180_000);

    const expected = expectedIds(total);
    expect(expected.size).toBe(20_000);
    const raw = await readCommitted(brokers, layout.alerts.name, { atLeast: expected.size, quietMs: 3000, timeoutMs: 120_000 });
    const counts = new Map<string, number>();
    const where = new Map<string, string[]>();
    for (const m of raw) {
      const id = alertId(alertCodec.decode(m.value!));
      counts.set(id, (counts.get(id) ?? 0) + 1);
      where.set(id, [...(where.get(id) ?? []), `${m.partition}:${m.offset}:${m.index ?? 0}`]);
    }
    const duplicated = [...counts].filter(([, c]) => c > 1);
    const missing = [...expected].filter((id) => !counts.has(id));
    const unexpected = [...counts.keys()].filter((id) => !expected.has(id));
    // Where repeats sit in the alerts topic (partition:offset:index) tells a replayed batch from
    // a reader that let an aborted transaction through (bus/kafka/read-committed.ts).
    const firstRepeats = duplicated.slice(0, 3).map(([id]) => [id, where.get(id)]);
    expect({ missing: missing.length, unexpected: unexpected.length, duplicated: duplicated.length, firstRepeats }).toEqual({ missing: 0, unexpected: 0, duplicated: 0, firstRepeats: [] });
    expect(raw.length).toBe(20_000);

    // The survivors and the newcomer shut down cleanly on SIGTERM.
    for (const w of [w1!, w2!, joined!]) expect(await stopWorker(w)).toBe(0);
  }, 300_000);

  it('quarantines corrupt messages in the dead-letter topic with their origin, and loses nothing else', async () => {
    const prefix = uniquePrefix('eval-dlq');
    const layout = topicLayout({ prefix, partitions: { events: 1 } });
    await bus.ensureTopics([layout.events, layout.alerts, layout.deadLetter]);
    const garbage = Buffer.from('this is not an Avro event');
    const good = encodeRange(0, 1000);
    const truncated = good[7]!.value.subarray(0, 40);
    // One partition, and the bus packs messages into records: the order of (offset, index) of
    // each message is its position in this list.
    const stream: OutgoingMessage[] = [...good.slice(0, 300), { key: 'bad', value: garbage }, ...good.slice(300, 600), { key: 'bad', value: truncated }, ...good.slice(600)];
    await bus.publish(layout.events.name, stream);
    const w = await spawnWorker('dlq', layout, prefix);
    await waitHealthy(w, 60_000);
    await waitForZeroLag(() => bus.groupLag(`${prefix}.evaluators`, layout.events.name), 60_000);

    const dead = await readCommitted(brokers, layout.deadLetter.name, { atLeast: 2, quietMs: 1500 });
    expect(dead.length).toBe(2);
    const origin = (offset: string, index: string | undefined): string => `${offset}/${index ?? '-'}`;
    const events = await readCommitted(brokers, layout.events.name, { atLeast: stream.length, quietMs: 500 });
    expect(events.length).toBe(stream.length);
    const position = new Map(events.map((m, i) => [origin(m.offset, m.index === undefined ? undefined : String(m.index)), i]));
    const byPosition = new Map(dead.map((m) => [position.get(origin(m.headers!['saker-origin-offset']!, m.headers!['saker-origin-index'])), m]));
    for (const [at, value] of [[300, garbage], [601, truncated]] as const) {
      const m = byPosition.get(at);
      expect(m, `dead letter for position ${at}`).toBeDefined();
      expect(m!.value!.equals(value)).toBe(true);
      expect(m!.headers!['saker-dlq-reason']!.toString()).toBe('decode');
      expect(m!.headers!['saker-origin-topic']!.toString()).toBe(layout.events.name);
      expect(m!.headers!['saker-origin-partition']!.toString()).toBe('0');
      expect(m!.headers!['saker-dlq-error']!.toString().length).toBeGreaterThan(0);
    }
    const alerts = await readCommitted(brokers, layout.alerts.name, { atLeast: 200, quietMs: 1500 });
    expect(new Set(alerts.map((m) => alertId(alertCodec.decode(m.value!))))).toEqual(expectedIds(1000));
    expect(alerts.length).toBe(200);
    const metrics = (await httpGet(w.metricsPort, '/metrics')).body;
    expect(metricValue(metrics, 'saker_evaluator_dead_letters_total{reason="decode"}')).toBe(2);
    expect(metricValue(metrics, 'saker_evaluator_events_total')).toBe(1000);
    expect(metricValue(metrics, 'saker_evaluator_alerts_total')).toBe(200);
    expect(await stopWorker(w)).toBe(0);
  }, 120_000);

  it('quarantines a packed record that does not unpack, whole, and judges the records around it', async () => {
    const prefix = uniquePrefix('eval-badpack');
    const layout = topicLayout({ prefix, partitions: { events: 1 } });
    await bus.ensureTopics([layout.events, layout.alerts, layout.deadLetter]);
    await bus.publish(layout.events.name, encodeRange(0, 500));
    // Claims to be packed (the header) but its count promises more messages than it holds.
    const bad = Buffer.from([0x05, 0x03, 0x61, 0x62]);
    const raw = testKafka(brokers).producer();
    await raw.connect();
    await raw.send({ topic: layout.events.name, messages: [{ key: null, value: bad, headers: { [PACK_HEADER]: '1' } }] });
    await raw.disconnect();
    await bus.publish(layout.events.name, encodeRange(500, 1000));
    const w = await spawnWorker('badpack', layout, prefix);
    await waitHealthy(w, 60_000);
    await waitForZeroLag(() => bus.groupLag(`${prefix}.evaluators`, layout.events.name), 60_000);
    const dead = await readCommitted(brokers, layout.deadLetter.name, { atLeast: 1, quietMs: 1500 });
    expect(dead.length).toBe(1);
    expect(dead[0]!.value.equals(bad)).toBe(true);
    expect(dead[0]!.headers).toMatchObject({ 'saker-dlq-reason': 'decode', 'saker-origin-topic': layout.events.name, 'saker-origin-partition': '0', [PACK_HEADER]: '1' });
    expect(dead[0]!.headers!['saker-dlq-error']).toMatch(/^corrupt packed record: /);
    const alerts = await readCommitted(brokers, layout.alerts.name, { atLeast: 200, quietMs: 1500 });
    expect(new Set(alerts.map((m) => alertId(alertCodec.decode(m.value))))).toEqual(expectedIds(1000));
    expect(alerts.length).toBe(200);
    expect(await stopWorker(w)).toBe(0);
  }, 120_000);

  it('reloads its rules on SIGHUP; a broken rules file is reported with its position and the running rules keep judging', async () => {
    const prefix = uniquePrefix('eval-reload');
    const layout = topicLayout({ prefix, partitions: { events: 1 } });
    await bus.ensureTopics([layout.events, layout.alerts, layout.deadLetter]);
    const dir = mkdtempSync(join(tmpdir(), 'saker-reload-'));
    const file = join(dir, 'rules.yaml');
    const original = readFileSync(PIPELINE_RULES, 'utf8');
    writeFileSync(file, original);
    const w = await startWorker('reload', [
      '--brokers', brokers.join(','), '--rules', file, '--topic-prefix', prefix, '--group', `${prefix}.evaluators`, '--events-partitions', '1', '--log-level', 'info',
    ]);
    workers.push(w);
    try {
      await waitHealthy(w, 60_000);
      const step = async (from: number): Promise<void> => {
        await bus.publish(layout.events.name, encodeRange(from, from + 1000));
        await waitForZeroLag(() => bus.groupLag(`${prefix}.evaluators`, layout.events.name), 60_000);
      };
      const hup = async (expectLog: RegExp): Promise<void> => {
        w.proc.kill('SIGHUP');
        for (const deadline = Date.now() + 30_000; !expectLog.test(w.stderr()); await new Promise((r) => setTimeout(r, 50))) {
          if (Date.now() > deadline) throw new Error(`no ${expectLog} in the worker's log:\n${w.stderr().slice(-3000)}`);
        }
      };
      await step(0);
      // Broken: an unclosed parenthesis. The error names the file, line and column.
      writeFileSync(file, original.replace('evt.type = execve and', 'evt.type = execve and ('));
      await hup(/rules reload failed; the running rules stay/);
      expect(w.stderr()).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: rule 'Pipeline shell in container'`));
      await step(1000);
      // Fixed, with the shell rule renamed: events from here on get the new name.
      writeFileSync(file, original.replace('rule: Pipeline shell in container', 'rule: Reloaded shell in container'));
      await hup(/rules reloaded \(SIGHUP\)/);
      await step(2000);

      const alerts = (await readCommitted(brokers, layout.alerts.name, { atLeast: 600, quietMs: 1500 })).map((m) => alertCodec.decode(m.value));
      expect(alerts.length).toBe(600);
      const byRule = (from: number, to: number) => alerts.filter((a) => a.eventSeq >= from && a.eventSeq < to && a.rule.endsWith('shell in container')).map((a) => a.rule);
      expect(new Set(byRule(0, 2000))).toEqual(new Set(['Pipeline shell in container']));
      expect(new Set(byRule(2000, 3000))).toEqual(new Set(['Reloaded shell in container']));
      expect(byRule(0, 3000)).toHaveLength(300);
      expect(w.proc.exitCode).toBe(null);
      expect(await stopWorker(w)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('gives identical alerts through the in-process bus and through Kafka', async () => {
    const n = 5000;
    const events = encodeRange(0, n);

    // In-process: the same service code on the memory bus, in this process.
    const memory = createMemoryBus({ partitions: 4 });
    const layout0 = topicLayout({ prefix: 'local' });
    const local = createEvaluator({
      bus: memory, judge: createEngine({ files: [PIPELINE_RULES] }), eventCodec, alertCodec, logger: pino({ level: 'silent' }),
      topics: { events: layout0.events.name, alerts: layout0.alerts.name, deadLetter: layout0.deadLetter.name },
    });
    await local.start();
    await memory.publish(layout0.events.name, events);
    const deadline = Date.now() + 30_000;
    while (local.metrics.events < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await local.stop();
    const inProcess = memory.read(layout0.alerts.name).map((m) => alertCodec.decode(m.value));
    await memory.close();

    // Kafka: a worker process.
    const prefix = uniquePrefix('eval-same');
    const layout = topicLayout({ prefix, partitions: { events: 4 } });
    await bus.ensureTopics([layout.events, layout.alerts, layout.deadLetter]);
    const w = await spawnWorker('same', layout, prefix);
    await waitHealthy(w, 60_000);
    await bus.publish(layout.events.name, events);
    await waitForZeroLag(() => bus.groupLag(`${prefix}.evaluators`, layout.events.name), 60_000);
    const viaKafka = (await readCommitted(brokers, layout.alerts.name, { atLeast: inProcess.length, quietMs: 1500 })).map((m) => alertCodec.decode(m.value!));
    expect(await stopWorker(w)).toBe(0);

    const sort = (xs: Alert[]): Alert[] => [...xs].sort((a, b) => (alertId(a) < alertId(b) ? -1 : 1));
    expect(inProcess.length).toBe(1000);
    // hostname comes from the event, so even the host-dependent fields must agree.
    expect(sort(viaKafka)).toEqual(sort(inProcess));
  }, 120_000);
});
