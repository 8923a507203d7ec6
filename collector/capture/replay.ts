// Replay: events from a capture (or any event source) through a caller-supplied judge, at the
// speed they were recorded or as fast as possible. By default, as Falco without -A, the
// high-volume event types Falco does not hand its rules (read, write, close, ...) are skipped;
// `allEvents` judges them too.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Alert, Event } from '../../schemas/types.generated.js';
import { CollectorConfigError } from '../errors.js';
import { FALCO_0_10_SKIPPED } from '../sources/scap/falco-compat.js';

export type ReplaySpeed = 'real' | 'max';

export interface ReplayOptions {
  speed?: ReplaySpeed;
  allEvents?: boolean;
  /** Called with every alert, in event order; awaited (a slow sink slows the replay). */
  onAlert: (alert: Alert, event: Event) => void | Promise<void>;
  /** Called every `progressEvery` events (default 10,000) and at the end. */
  onProgress?: (events: number) => void;
  progressEvery?: number;
  signal?: AbortSignal;
}

export interface ReplayStats {
  events: number;
  judged: number;
  skipped: number;
  alerts: number;
}

export type JudgeFn = (event: Event) => readonly Alert[];

/** The event types judged only with allEvents (Falco's default drop list). */
export const SKIPPED_BY_DEFAULT: ReadonlySet<string> = FALCO_0_10_SKIPPED;

/** The events, delayed as they were recorded ('real') or not at all ('max'). */
export async function* paced(events: AsyncIterable<Event>, speed: ReplaySpeed): AsyncGenerator<Event> {
  if (speed !== 'real' && speed !== 'max') throw new CollectorConfigError(`speed must be real or max, not ${String(speed)}`);
  let firstTs: bigint | null = null;
  let wallStart = 0;
  for await (const event of events) {
    if (speed === 'real') {
      if (firstTs === null) {
        firstTs = event.ts;
        wallStart = performance.now();
      } else {
        const due = Number(event.ts - firstTs) / 1e6 - (performance.now() - wallStart);
        if (due > 1) await sleep(due);
      }
    }
    yield event;
  }
}

export async function replayEvents(events: AsyncIterable<Event>, judge: JudgeFn, options: ReplayOptions): Promise<ReplayStats> {
  const every = options.progressEvery ?? 10_000;
  const stats: ReplayStats = { events: 0, judged: 0, skipped: 0, alerts: 0 };
  for await (const event of paced(events, options.speed ?? 'max')) {
    if (options.signal?.aborted) break;
    stats.events++;
    if (!options.allEvents && SKIPPED_BY_DEFAULT.has(event.type)) {
      stats.skipped++;
    } else {
      stats.judged++;
      for (const alert of judge(event)) {
        stats.alerts++;
        await options.onAlert(alert, event);
      }
    }
    if (options.onProgress && stats.events % every === 0) options.onProgress(stats.events);
  }
  options.onProgress?.(stats.events);
  return stats;
}
