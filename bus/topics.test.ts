import { describe, expect, it } from 'vitest';
import { BusConfigError } from './errors.js';
import { eventKey, topicLayout } from './topics.js';

describe('topic layout', () => {
  it('names every topic from one prefix, with the configured partitions', () => {
    const l = topicLayout();
    expect([l.events.name, l.alerts.name, l.deadLetter.name]).toEqual(['saker.events', 'saker.alerts', 'saker.events.dlq']);
    expect(l.events.partitions).toBe(12);
    const t = topicLayout({ prefix: 'staging', partitions: { events: 24 } });
    expect(t.events).toMatchObject({ name: 'staging.events', partitions: 24 });
    expect(Number(t.deadLetter.config['retention.ms'])).toBeGreaterThan(Number(t.events.config['retention.ms']));
  });

  it('rejects bad prefixes and partition counts', () => {
    expect(() => topicLayout({ prefix: 'a b' })).toThrow(BusConfigError);
    expect(() => topicLayout({ partitions: { alerts: 0 } })).toThrow(/alerts topic/);
    expect(() => topicLayout({ partitions: { events: 1.5 } })).toThrow(BusConfigError);
  });

  it('keys events by host and process', () => {
    expect(eventKey('h1', 42)).toBe('h1:42');
    expect(eventKey('h1', 42n)).toBe('h1:42');
  });
});
