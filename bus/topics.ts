// The topics Saker uses, their partition counts and settings: the one place they are defined.
// Services ask for topics by role; names can be prefixed (one cluster, several deployments or
// test runs) but never spelled elsewhere.
import { BusConfigError } from './errors.js';

export type TopicRole = 'events' | 'alerts' | 'deadLetter';

export interface TopicSpec {
  name: string;
  partitions: number;
  /** Broker-side topic configuration (retention, compression...). */
  config: Record<string, string>;
}

export type TopicLayout = Record<TopicRole, TopicSpec>;

const DEFAULTS: Record<TopicRole, { suffix: string; partitions: number; config: Record<string, string> }> = {
  // Keyed by host:tgid; 12 partitions let up to 12 evaluator workers share the load.
  events: { suffix: 'events', partitions: 12, config: { 'retention.ms': String(24 * 3600_000) } },
  alerts: { suffix: 'alerts', partitions: 6, config: { 'retention.ms': String(7 * 24 * 3600_000) } },
  // Quarantined events: kept long enough for someone to look at them.
  deadLetter: { suffix: 'events.dlq', partitions: 1, config: { 'retention.ms': String(14 * 24 * 3600_000) } },
};

export interface TopicLayoutOptions {
  /** Prepended to every topic name with a dot; default 'saker'. */
  prefix?: string;
  /** Partition count overrides by role. */
  partitions?: Partial<Record<TopicRole, number>>;
}

const NAME = /^[A-Za-z0-9._-]+$/;

export function topicLayout(options: TopicLayoutOptions = {}): TopicLayout {
  const prefix = options.prefix ?? 'saker';
  if (!NAME.test(prefix)) throw new BusConfigError(`topic prefix '${prefix}' may only contain letters, digits, '.', '_' and '-'`);
  const layout = {} as TopicLayout;
  for (const role of Object.keys(DEFAULTS) as TopicRole[]) {
    const d = DEFAULTS[role];
    const partitions = options.partitions?.[role] ?? d.partitions;
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > 1000) {
      throw new BusConfigError(`partitions for the ${role} topic must be an integer from 1 to 1000, got ${partitions}`);
    }
    layout[role] = { name: `${prefix}.${d.suffix}`, partitions, config: { ...d.config } };
  }
  return layout;
}

/** The record key of an event: per-process order is kept within one partition. */
export function eventKey(hostId: string, tgid: number | bigint): string {
  return `${hostId}:${tgid}`;
}
