// The fleet collector's metrics (`saker collect --metrics-port`), as Prometheus text
// (schemas/prometheus.ts). A security monitor that silently loses events is worse than none: the
// kernel's drops, the records quarantined and the state tables' sizes are what an operator
// watches on every host.
import { PrometheusText, sample } from '../schemas/prometheus.js';
import type { CollectorStats } from './service.js';
import type { StateCounters, StateSizes } from './state/engine.js';

export interface CollectorSnapshot {
  stats: CollectorStats;
  /** The probe's counters: records delivered to JavaScript, lost in the kernel, read failures. */
  kernel: { delivered: number; dropped: number; readFail: number };
  state: { sizes: StateSizes; counters: StateCounters };
  /** Container metadata lookups (null when no runtime socket answered). */
  containers: { lookups: number; found: number; notFound: number; errors: number; dropped: number; created: number } | null;
  /** 1 while the probe is attached and records flow to the bus. */
  up: number;
}

export function renderCollectorMetrics(s: CollectorSnapshot): string {
  const p = new PrometheusText()
    .single('saker_collector_records_total', 'counter', 'Raw records taken from the probe into the state engine.', s.stats.records)
    .single('saker_collector_events_total', 'counter', 'Records enriched into events (the types the rules need).', s.stats.events)
    .single('saker_collector_state_only_total', 'counter', 'Records that only updated the state.', s.stats.stateOnly)
    .single('saker_collector_published_total', 'counter', 'Events published to the events topic.', s.stats.published)
    .single('saker_collector_quarantined_total', 'counter', 'Records that could not be enriched, sent to the dead-letter topic.', s.stats.quarantined)
    .single('saker_collector_kernel_delivered_total', 'counter', 'Records the probe handed to the collector.', s.kernel.delivered)
    .single('saker_collector_kernel_dropped_total', 'counter', 'Records lost in the kernel (ring buffer full): events never judged.', s.kernel.dropped)
    .single('saker_collector_kernel_read_failures_total', 'counter', 'Records delivered with a string or address the probe could not read.', s.kernel.readFail)
    .family('saker_collector_state_entries', 'gauge', 'Entries in the state tables.',
      (Object.keys(s.state.sizes) as Array<keyof StateSizes>).map((t) => sample('saker_collector_state_entries', { table: t }, s.state.sizes[t])))
    .single('saker_collector_missing_threads_total', 'counter', 'Threads first seen in a record (their clone was not seen).', s.state.counters.missingThreads)
    .single('saker_collector_evicted_threads_total', 'counter', 'Threads evicted because the table was full (their exit was lost).', s.state.counters.evictedThreads)
    .single('saker_collector_evicted_fds_total', 'counter', 'Descriptors dropped because a process table was full.', s.state.counters.evictedFds);
  if (s.containers !== null) {
    const c = s.containers;
    p.family('saker_collector_container_lookups_total', 'counter', 'Container metadata lookups, by result.', [
      sample('saker_collector_container_lookups_total', { result: 'found' }, c.found),
      sample('saker_collector_container_lookups_total', { result: 'not_found' }, c.notFound),
      sample('saker_collector_container_lookups_total', { result: 'error' }, c.errors),
      sample('saker_collector_container_lookups_total', { result: 'dropped' }, c.dropped),
    ]).single('saker_collector_containers_created_total', 'counter', 'Container creations the runtimes reported.', c.created);
  }
  return p.single('saker_collector_up', 'gauge', '1 while the probe is attached and records flow.', s.up).toString();
}
