// `saker sinks --metrics-port`: what the alert delivery did, as Prometheus text
// (schemas/prometheus.ts). An alert that never reaches its destination is a detection lost:
// deliveries per sink, failed attempts and dead letters are what an operator alarms on.
import { PrometheusText, sample } from '../schemas/prometheus.js';
import type { SinkStats } from './service.js';

export function renderSinkMetrics(stats: SinkStats, up: number): string {
  return new PrometheusText()
    .single('saker_sinks_alerts_total', 'counter', 'Alerts read from the alerts topic.', stats.alerts)
    .family('saker_sinks_delivered_total', 'counter', 'Alerts delivered, by sink.',
      Object.entries(stats.delivered).map(([sink, n]) => sample('saker_sinks_delivered_total', { sink }, n)))
    .single('saker_sinks_failures_total', 'counter', 'Failed delivery attempts (each retry counts).', stats.failures)
    .family('saker_sinks_dead_letters_total', 'counter', 'Messages sent to the dead-letter topic, by reason.', [
      sample('saker_sinks_dead_letters_total', { reason: 'decode' }, stats.deadLetters.decode),
      sample('saker_sinks_dead_letters_total', { reason: 'sink' }, stats.deadLetters.sink),
    ])
    .single('saker_sinks_up', 'gauge', '1 while the consumer is in its group and delivering.', up)
    .toString();
}
