import { describe, expect, it } from 'vitest';
import { renderSinkMetrics } from './metrics.js';

describe('sinks metrics', () => {
  it('renders deliveries per sink, failures and dead letters', () => {
    const text = renderSinkMetrics({ alerts: 12, delivered: { 'file:/var/log/a': 12, slack: 10 }, deadLetters: { decode: 1, sink: 2 }, failures: 3 }, 1);
    expect(text).toContain('saker_sinks_delivered_total{sink="file:/var/log/a"} 12\n');
    expect(text).toContain('saker_sinks_delivered_total{sink="slack"} 10\n');
    expect(text).toContain('saker_sinks_dead_letters_total{reason="sink"} 2\n');
    expect(text).toContain('saker_sinks_failures_total 3\n');
    expect(text).toContain('saker_sinks_up 1\n');
  });
});
