import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { PIPELINE_RULES, pipelineEvent, pipelineKey } from '../bench/pipeline-events.js';
import { createMemoryBus } from '../bus/memory.js';
import { createEngine } from '../rules/index.js';
import { alertCodec, eventCodec } from '../schemas/codec.js';
import { EvaluatorConfigError } from './errors.js';
import { createEvaluator } from './service.js';

const topics = { events: 'e', alerts: 'a', deadLetter: 'd' };
const logger = pino({ level: 'silent' });

describe('evaluator service on the in-process bus', () => {
  it('judges what is published and stops cleanly', async () => {
    const bus = createMemoryBus({ partitions: 3 });
    const ev = createEvaluator({ bus, judge: createEngine({ files: [PIPELINE_RULES] }), eventCodec, alertCodec, topics, logger });
    expect(ev.health().state).toBe('starting');
    await ev.start();
    expect(ev.health().state).toBe('running');
    const events = Array.from({ length: 100 }, (_, i) => pipelineEvent(i));
    await bus.publish('e', [...events.map((e) => ({ key: pipelineKey(e), value: eventCodec.encode(e) })), { key: 'x', value: Buffer.from('junk') }]);
    for (let i = 0; i < 200 && ev.metrics.events + ev.metrics.deadLetters.decode < 101; i++) await new Promise((r) => setTimeout(r, 5));
    await ev.stop();
    expect(ev.health().state).toBe('stopped');
    expect(bus.read('a').map((m) => alertCodec.decode(m.value).eventSeq).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 100 }, (_, i) => i).filter((i) => i % 10 === 0 || i % 10 === 5),
    );
    expect(bus.read('d').map((m) => m.value.toString())).toEqual(['junk']);
    await bus.close();
  });

  it('refuses topics that collide', () => {
    const bus = createMemoryBus();
    expect(() => createEvaluator({ bus, judge: { judge: () => [] }, eventCodec, alertCodec, logger, topics: { events: 'x', alerts: 'x', deadLetter: 'd' } })).toThrow(EvaluatorConfigError);
  });
});
