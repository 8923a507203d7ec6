import { describe, expect, it } from 'vitest';
import { EvaluatorMetrics } from './metrics.js';

describe('evaluator metrics', () => {
  it('renders Prometheus text with counters, rates, lag and the batch histogram', () => {
    let now = 1_000_000;
    const m = new EvaluatorMetrics(() => now);
    for (let s = 0; s < 10; s++) {
      m.recordCommitted({ events: 1000, alerts: 10, deadLetters: { decode: s < 2 ? 1 : 0, judge: 0, encode: 0 } });
      m.recordJudgeTime(0.004);
      now += 1000;
    }
    m.recordLag('ev', 0, 5);
    m.recordLag('ev', 1, 7);
    m.up = 1;
    const text = m.render();
    expect(text).toContain('# TYPE saker_evaluator_events_total counter\nsaker_evaluator_events_total 10000\n');
    expect(text).toContain('saker_evaluator_alerts_total 100\n');
    expect(text).toContain('saker_evaluator_dead_letters_total{reason="decode"} 2\n');
    expect(text).toContain('saker_evaluator_events_per_second 1000\n');
    expect(text).toContain('saker_evaluator_alerts_per_second 10\n');
    expect(text).toContain('saker_evaluator_partition_lag{topic="ev",partition="1"} 7\n');
    expect(text).toContain('saker_evaluator_lag 12\n');
    expect(text).toContain('saker_evaluator_batch_seconds_bucket{le="0.005"} 10\n');
    expect(text).toContain('saker_evaluator_batch_seconds_bucket{le="0.0025"} 0\n');
    expect(text).toContain('saker_evaluator_batch_seconds_count 10\n');
    for (const l of text.trim().split('\n')) expect(l).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? -?[\d.e+]+)$/);
  });

  it('lets rates decay when work stops and forgets partitions no longer held', () => {
    let now = 5_000_000;
    const m = new EvaluatorMetrics(() => now);
    m.recordCommitted({ events: 500, alerts: 5, deadLetters: { decode: 0, judge: 0, encode: 0 } });
    now += 60_000;
    expect(m.render()).toContain('saker_evaluator_events_per_second 0\n');
    m.recordLag('ev', 0, 3);
    m.recordLag('ev', 1, 4);
    m.keepLagOf({ ev: [1] });
    expect([...m.lag.keys()]).toEqual(['ev/1']);
  });
});
