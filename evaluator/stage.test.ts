import { describe, expect, it } from 'vitest';
import { PIPELINE_RULES, pipelineEvent } from '../bench/pipeline-events.js';
import type { ConsumedBatch } from '../bus/bus.js';
import { createEngine } from '../rules/index.js';
import { alertCodec, eventCodec } from '../schemas/codec.js';
import type { Alert, Event } from '../schemas/types.generated.js';
import { EvaluatorMetrics } from './metrics.js';
import { committedCounts, createJudgeStage, type Judge } from './stage.js';

function batch(values: Buffer[], partition = 3, firstOffset = 100): ConsumedBatch {
  return {
    topic: 'ev',
    partition,
    highWatermark: String(firstOffset + values.length + 10),
    messages: values.map((value, i) => ({ topic: 'ev', partition, offset: String(firstOffset + i), timestamp: 1700000000000, key: `k${i}`, value, headers: { trace: 't' } })),
  };
}

const engine = createEngine({ files: [PIPELINE_RULES] });
const stageWith = (judge: Judge, metrics = new EvaluatorMetrics()) =>
  createJudgeStage({ judge, eventCodec, alertCodec, alertsTopic: 'alerts', deadLetterTopic: 'dlq', metrics });

describe('judge stage', () => {
  it('turns events into Avro alerts keyed by host, and counts them once committed', async () => {
    const metrics = new EvaluatorMetrics();
    const b = batch([0, 1, 2, 5].map((i) => eventCodec.encode(pipelineEvent(i))));
    const out = await stageWith(engine, metrics)(b);
    // The stage times the batch; the counters wait for the commit.
    expect([metrics.events, metrics.alerts, metrics.batches]).toEqual([0, 0, 0]);
    expect(metrics.render()).toContain('saker_evaluator_batch_seconds_count 1\n');
    metrics.recordCommitted(committedCounts(b, out, 'alerts', 'dlq'));
    expect(out.map((o) => o.topic)).toEqual(['alerts']);
    const alerts = out[0]!.messages.map((m) => alertCodec.decode(m.value));
    expect(alerts.map((a) => [a.rule, a.eventSeq])).toEqual([['Pipeline secret file read', 0], ['Pipeline shell in container', 5]]);
    expect(out[0]!.messages[0]!.key).toBe(pipelineEvent(0).host.id);
    expect([metrics.events, metrics.alerts, metrics.batches]).toEqual([4, 2, 1]);
    expect(metrics.lag.get('ev/3')).toBe(10);
  });

  it('quarantines undecodable events with reason and origin, and judges the rest', async () => {
    const metrics = new EvaluatorMetrics();
    const garbage = Buffer.from([1, 2, 3]);
    const b = batch([eventCodec.encode(pipelineEvent(0)), garbage], 7, 41);
    const out = await stageWith(engine, metrics)(b);
    metrics.recordCommitted(committedCounts(b, out, 'alerts', 'dlq'));
    const dlq = out.find((o) => o.topic === 'dlq')!.messages;
    expect(dlq).toHaveLength(1);
    expect(dlq[0]!.value).toBe(garbage);
    expect(dlq[0]!.key).toBe('k1');
    expect(dlq[0]!.headers).toMatchObject({
      trace: 't', 'saker-dlq-reason': 'decode', 'saker-origin-topic': 'ev', 'saker-origin-partition': '7', 'saker-origin-offset': '42', 'saker-origin-timestamp': '1700000000000',
    });
    expect(dlq[0]!.headers!['saker-dlq-error']).toMatch(/./);
    expect(out.find((o) => o.topic === 'alerts')!.messages).toHaveLength(1);
    expect(metrics.deadLetters.decode).toBe(1);
    expect(metrics.events).toBe(1);
  });

  it('quarantines an event the engine throws on, and one whose alert cannot be encoded', async () => {
    const metrics = new EvaluatorMetrics();
    const judge: Judge = {
      judge(e: Event): readonly Alert[] {
        if (e.seq === 1) throw new Error('engine bug');
        const a = engine.judge(pipelineEvent(0))[0]!;
        return e.seq === 2 ? [{ ...a, priority: undefined as unknown as string }] : [];
      },
    };
    const b = batch([3, 1, 2].map((i) => eventCodec.encode(pipelineEvent(i))));
    const out = await stageWith(judge, metrics)(b);
    metrics.recordCommitted(committedCounts(b, out, 'alerts', 'dlq'));
    expect(out.map((o) => o.topic)).toEqual(['dlq']);
    expect(out[0]!.messages.map((m) => m.headers!['saker-dlq-reason'])).toEqual(['judge', 'encode']);
    expect(metrics.deadLetters).toEqual({ decode: 0, judge: 1, encode: 1 });
    expect(metrics.events).toBe(1);
  });
});

describe('judge stage on packed Kafka records', () => {
  it('names a dead letter by offset and index when messages share a record', async () => {
    const b = batch([eventCodec.encode(pipelineEvent(0)), Buffer.from('junk')], 2, 9);
    b.messages = b.messages.map((m, i) => ({ ...m, offset: '9', index: i }));
    const dlq = (await stageWith(engine)(b)).find((o) => o.topic === 'dlq')!.messages;
    expect(dlq).toHaveLength(1);
    expect(dlq[0]!.headers).toMatchObject({ 'saker-origin-offset': '9', 'saker-origin-index': '1', 'saker-dlq-reason': 'decode' });
  });

  it('quarantines a record the bus could not unpack, whole, with the reason', async () => {
    const raw = Buffer.from([0x05, 0x01]);
    const b = batch([raw, eventCodec.encode(pipelineEvent(0))], 4, 70);
    b.messages[0] = { ...b.messages[0]!, malformed: 'corrupt packed record: key runs past the end at byte 2' };
    const out = await stageWith(engine)(b);
    const dlq = out.find((o) => o.topic === 'dlq')!.messages;
    expect(dlq).toHaveLength(1);
    expect(dlq[0]!.value).toBe(raw);
    expect(dlq[0]!.headers).toMatchObject({ 'saker-dlq-reason': 'decode', 'saker-dlq-error': 'corrupt packed record: key runs past the end at byte 2', 'saker-origin-offset': '70' });
    expect(dlq[0]!.headers!['saker-origin-index']).toBeUndefined();
    expect(out.find((o) => o.topic === 'alerts')!.messages).toHaveLength(1);
    expect(committedCounts(b, out, 'alerts', 'dlq')).toEqual({ events: 1, alerts: 1, deadLetters: { decode: 1, judge: 0, encode: 0 } });
  });
});
