// Rules that a running service reloads (on SIGHUP): the files are loaded and compiled again, and
// the new engine replaces the running one only if that succeeds. A rules file with errors, or
// one that cannot be read, leaves the running rules in place and says why, each error with its
// file, line and column. Event types are compared, so a live source can tell when new rules need
// syscalls it did not attach.
import type { Alert, Event } from '../schemas/types.generated.js';
import { createEngine, type Engine, type EngineOptions, type RuleCounts } from './engine.js';
import { RuleLoadError, RuleSelectionError, type RuleWarning } from './errors.js';

export type ReloadOutcome =
  | {
    ok: true;
    counts: RuleCounts;
    warnings: readonly RuleWarning[];
    /** Event types the new rules match that the previous ones did not ('all': no longer pinned). */
    newEventTypes: readonly string[] | 'all';
  }
  | { ok: false; errors: readonly string[] };

export class ReloadableEngine {
  private current: Engine;

  /** Loads the rules once; errors throw, as createEngine's do (a service must not start without rules). */
  constructor(private readonly options: EngineOptions) {
    this.current = createEngine(options);
  }

  /** The engine judging now. */
  get engine(): Engine {
    return this.current;
  }

  judge(event: Event): readonly Alert[] {
    return this.current.judge(event);
  }

  eventTypes(): ReadonlySet<string> | 'all' {
    return this.current.eventTypes();
  }

  /** Loads the files again; swaps engines only on success. Never throws for bad rules. */
  reload(): ReloadOutcome {
    let next: Engine;
    try {
      next = createEngine(this.options);
    } catch (err) {
      if (err instanceof RuleLoadError) return { ok: false, errors: err.errors.map((e) => e.message) };
      if (err instanceof RuleSelectionError) return { ok: false, errors: [err.message] };
      const e = err as NodeJS.ErrnoException;
      if (typeof e.code === 'string' && typeof e.path === 'string') return { ok: false, errors: [`${e.path}: cannot read: ${e.code}`] };
      throw err;
    }
    const before = this.current.eventTypes();
    const after = next.eventTypes();
    const newEventTypes = after === 'all' ? (before === 'all' ? [] : 'all') : [...after].filter((t) => before !== 'all' && !before.has(t)).sort();
    this.current = next;
    return { ok: true, counts: next.counts, warnings: next.warnings, newEventTypes };
  }
}
