import { describe, expect, it } from 'vitest';
import { renderCollectorMetrics } from './metrics.js';
import { newCollectorStats } from './service.js';

describe('collector metrics', () => {
  it('renders counters, kernel drops, table sizes and container lookups as Prometheus text', () => {
    const text = renderCollectorMetrics({
      stats: { ...newCollectorStats(), records: 1200, events: 300, stateOnly: 900, published: 298, quarantined: 2 },
      kernel: { delivered: 1200, dropped: 7, readFail: 1 },
      state: { sizes: { threads: 40, processes: 30, fds: 200, containers: 2, users: 20, groups: 25 }, counters: { records: 1200, missingThreads: 3, evictedThreads: 0, evictedFds: 0 } },
      containers: { lookups: 2, found: 1, notFound: 1, errors: 0, dropped: 0, created: 1 },
      up: 1,
    });
    expect(text).toContain('# TYPE saker_collector_kernel_dropped_total counter\nsaker_collector_kernel_dropped_total 7\n');
    expect(text).toContain('saker_collector_published_total 298\n');
    expect(text).toContain('saker_collector_state_entries{table="fds"} 200\n');
    expect(text).toContain('saker_collector_container_lookups_total{result="not_found"} 1\n');
    expect(text).toContain('saker_collector_up 1\n');
    for (const l of text.trim().split('\n')) expect(l).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? -?[\d.e+]+)$/);
  });

  it('leaves the container families out when no runtime answers', () => {
    const text = renderCollectorMetrics({
      stats: newCollectorStats(), kernel: { delivered: 0, dropped: 0, readFail: 0 },
      state: { sizes: { threads: 0, processes: 0, fds: 0, containers: 1, users: 0, groups: 0 }, counters: { records: 0, missingThreads: 0, evictedThreads: 0, evictedFds: 0 } },
      containers: null, up: 0,
    });
    expect(text).not.toContain('container_lookups');
    expect(text).toContain('saker_collector_up 0\n');
  });
});
