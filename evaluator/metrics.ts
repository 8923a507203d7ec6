// The evaluator's metrics, served as Prometheus text (schemas/prometheus.ts).
// Counters only grow; rates (events/s, alerts/s) are also kept over a sliding window so a person
// reading /metrics without Prometheus sees them.
import { PrometheusText, sample } from '../schemas/prometheus.js';

const RATE_WINDOW_MS = 10_000;
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export type DeadLetterReason = 'decode' | 'judge' | 'encode';
export const DEAD_LETTER_REASONS: readonly DeadLetterReason[] = ['decode', 'judge', 'encode'];

/** What one committed batch did: counted only once its transaction commits. */
export interface CommittedCounts {
  events: number;
  alerts: number;
  deadLetters: Record<DeadLetterReason, number>;
}

/** Events per second over the last RATE_WINDOW_MS, from one-second buckets. */
class Rate {
  private readonly buckets = new Float64Array(RATE_WINDOW_MS / 1000);
  private lastSecond = 0;

  add(n: number, now: number): void {
    this.advance(now);
    this.buckets[this.lastSecond % this.buckets.length]! += n;
  }

  perSecond(now: number): number {
    this.advance(now);
    let sum = 0;
    // The current second is partial: leave it out.
    for (let i = 1; i < this.buckets.length; i++) sum += this.buckets[(this.lastSecond - i + this.buckets.length * 2) % this.buckets.length]!;
    return sum / (this.buckets.length - 1);
  }

  private advance(now: number): void {
    const second = Math.floor(now / 1000);
    if (this.lastSecond === 0) this.lastSecond = second;
    const steps = Math.min(second - this.lastSecond, this.buckets.length);
    for (let i = 1; i <= steps; i++) this.buckets[(this.lastSecond + i) % this.buckets.length] = 0;
    if (second > this.lastSecond) this.lastSecond = second;
  }
}

export class EvaluatorMetrics {
  events = 0;
  alerts = 0;
  batches = 0;
  handlerErrors = 0;
  readonly deadLetters: Record<DeadLetterReason, number> = { decode: 0, judge: 0, encode: 0 };
  /** Last known lag per "topic/partition" of the partitions this worker holds. */
  readonly lag = new Map<string, number>();
  up = 0;
  private readonly eventRate = new Rate();
  private readonly alertRate = new Rate();
  private readonly bucketCounts = new Array<number>(LATENCY_BUCKETS.length + 1).fill(0);
  private batchSecondsSum = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** A batch committed: its events judged, alerts published and events quarantined. */
  recordCommitted(c: CommittedCounts): void {
    const t = this.now();
    this.events += c.events;
    this.alerts += c.alerts;
    this.batches++;
    for (const r of Object.keys(c.deadLetters) as DeadLetterReason[]) this.deadLetters[r] += c.deadLetters[r];
    this.eventRate.add(c.events, t);
    this.alertRate.add(c.alerts, t);
  }

  /** Time spent in the judge stage for one batch (a batch handled again is timed again: it is work done). */
  recordJudgeTime(seconds: number): void {
    this.batchSecondsSum += seconds;
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]!) i++;
    this.bucketCounts[i]!++;
  }

  recordLag(topic: string, partition: number, lag: number): void {
    this.lag.set(`${topic}/${partition}`, lag);
  }

  /** Forget lag of partitions this worker no longer holds. */
  keepLagOf(assigned: Record<string, number[]>): void {
    const keep = new Set(Object.entries(assigned).flatMap(([t, ps]) => ps.map((p) => `${t}/${p}`)));
    for (const k of [...this.lag.keys()]) if (!keep.has(k)) this.lag.delete(k);
  }

  render(): string {
    const t = this.now();
    const p = new PrometheusText()
      .single('saker_evaluator_events_total', 'counter', 'Events judged, in committed batches.', this.events)
      .single('saker_evaluator_alerts_total', 'counter', 'Alerts published (committed).', this.alerts)
      .single('saker_evaluator_batches_total', 'counter', 'Batches committed.', this.batches)
      .family('saker_evaluator_dead_letters_total', 'counter', 'Events sent to the dead-letter topic, by reason.',
        DEAD_LETTER_REASONS.map((r) => sample('saker_evaluator_dead_letters_total', { reason: r }, this.deadLetters[r])))
      .single('saker_evaluator_handler_errors_total', 'counter', 'Batches whose handling failed (delivered again).', this.handlerErrors)
      .single('saker_evaluator_events_per_second', 'gauge', `Events judged per second over the last ${RATE_WINDOW_MS / 1000} s.`, this.eventRate.perSecond(t))
      .single('saker_evaluator_alerts_per_second', 'gauge', `Alerts per second over the last ${RATE_WINDOW_MS / 1000} s.`, this.alertRate.perSecond(t));
    let lagSum = 0;
    const lagLines: string[] = [];
    for (const [k, v] of [...this.lag.entries()].sort()) {
      const slash = k.lastIndexOf('/');
      lagLines.push(sample('saker_evaluator_partition_lag', { topic: k.slice(0, slash), partition: k.slice(slash + 1) }, v));
      lagSum += v;
    }
    p.family('saker_evaluator_partition_lag', 'gauge', 'Kafka records behind the end of each held partition, at the last batch (a record packs many events).', lagLines)
      .single('saker_evaluator_lag', 'gauge', 'Kafka records behind, summed over held partitions (a record packs many events).', lagSum)
      .single('saker_evaluator_up', 'gauge', '1 while the consumer is in its group and fetching.', this.up);
    const h = 'saker_evaluator_batch_seconds';
    const hl: string[] = [];
    let cum = 0;
    LATENCY_BUCKETS.forEach((b, i) => {
      cum += this.bucketCounts[i]!;
      hl.push(sample(`${h}_bucket`, { le: String(b) }, cum));
    });
    cum += this.bucketCounts[LATENCY_BUCKETS.length]!;
    hl.push(sample(`${h}_bucket`, { le: '+Inf' }, cum), sample(`${h}_sum`, {}, this.batchSecondsSum), sample(`${h}_count`, {}, cum));
    return p.family(h, 'histogram', 'Time to decode, judge and encode one batch.', hl).toString();
  }
}
