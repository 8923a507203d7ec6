// The rule engine: load + prepare + select + index, then judge events. Stateless per event: an
// Engine holds compiled rules and nothing else, so any evaluator worker can judge any event.
import { hostname } from 'node:os';
import type { Alert, Event } from '../schemas/types.generated.js';
import { type Predicate, compileCondition } from './compile.js';
import { RuleLoadError, RuleSelectionError, type RuleWarning } from './errors.js';
import { EVENT_TYPES } from './event-types.js';
import { type FlatEvent, eventAccess, flatAccess } from './event-access.js';
import type { EventTypeSet } from './evttypes.js';
import { LoadContext, type RulesText, readRulesFiles } from './loader.js';
import { loadRulesInto } from './load.js';
import { type RenderedOutput, compileOutput } from './output.js';
import type { PreparedRule } from './prepare.js';
import { type Priority, parsePriority, prioritySeverity } from './ruleset.js';

export type MatchMode = 'first' | 'all';

export interface EngineOptions {
  /** Rules files, loaded in order. */
  files?: readonly string[];
  /** Or rules given as text (tests, the API). Loaded after `files`. */
  texts?: readonly RulesText[];
  /** Falco's default is `first`: at most one alert per event, the first matching rule in file order. */
  match?: MatchMode;
  /** Only rules with at least one of these tags (Falco -t). */
  tags?: readonly string[];
  /** Drop rules with any of these tags (Falco -T). */
  skipTags?: readonly string[];
  /** Drop rules whose name matches one of these patterns (Falco -D: a regular expression, so a plain name or substring works). */
  disabledRules?: readonly string[];
  /** Drop rules less severe than this priority. */
  minPriority?: string;
}

interface Judge<T> {
  predicate: Predicate<T>;
  render: (e: T) => RenderedOutput;
  rule: PreparedRule;
}

interface Index<T> { byType: Map<string, Judge<T>[]>; fallback: Judge<T>[] }

const NO_ALERTS: readonly Alert[] = Object.freeze([]);

export interface RuleCounts { rules: number; macros: number; lists: number; enabled: number }

export class Engine {
  private readonly events: Index<Event>;
  private flat: Index<FlatEvent> | undefined;
  private readonly first: boolean;
  private readonly hostname = hostname();

  constructor(readonly rules: readonly PreparedRule[], readonly warnings: readonly RuleWarning[], readonly counts: RuleCounts, match: MatchMode) {
    this.first = match === 'first';
    this.events = buildIndex(rules, (r) => ({ predicate: r.predicate, render: compileOutput(r.output, eventAccess), rule: r }));
  }

  /** The event types the selected rules can match, or 'all' when some rule is not pinned. */
  eventTypes(): ReadonlySet<string> | 'all' {
    const types = new Set<string>();
    for (const r of this.rules) {
      if (r.eventTypes.except) return 'all';
      for (const t of r.eventTypes.types) types.add(t);
    }
    return types;
  }

  judge(event: Event): readonly Alert[] {
    const candidates = this.events.byType.get(event.type) ?? this.events.fallback;
    let alerts: Alert[] | undefined;
    for (const j of candidates) {
      if (!j.predicate(event)) continue;
      const out = j.render(event);
      (alerts ??= []).push(makeAlert(j.rule, out, event.ts, event.host.name, event.host.id, event.seq));
      if (this.first) break;
    }
    return alerts ?? NO_ALERTS;
  }

  /** Judges a flat object keyed by field names (`saker eval`, rule unit tests). */
  judgeFlat(event: FlatEvent): readonly Alert[] {
    this.flat ??= buildIndex(this.rules, (r) => ({
      predicate: compileCondition(r.condition, flatAccess), render: compileOutput(r.output, flatAccess), rule: r,
    }));
    const type = event['evt.type'];
    const candidates = (typeof type === 'string' ? this.flat.byType.get(type) : undefined) ?? this.flat.fallback;
    let alerts: Alert[] | undefined;
    for (const j of candidates) {
      if (!j.predicate(event)) continue;
      const ts = event['evt.rawtime'] !== undefined ? BigInt(String(event['evt.rawtime'])) : BigInt(Date.now()) * 1_000_000n;
      const host = typeof event['evt.hostname'] === 'string' ? event['evt.hostname'] : this.hostname;
      const seq = typeof event['evt.num'] === 'number' ? event['evt.num'] : 0;
      const hostId = typeof event['host.id'] === 'string' ? event['host.id'] : '';
      (alerts ??= []).push(makeAlert(j.rule, j.render(event), ts, host, hostId, seq));
      if (this.first) break;
    }
    return alerts ?? NO_ALERTS;
  }
}

function makeAlert(rule: PreparedRule, out: RenderedOutput, ts: bigint, host: string, hostId: string, seq: number): Alert {
  return {
    rule: rule.def.name, priority: rule.def.priority, source: rule.def.source, time: ts, hostname: host,
    output: out.text, tags: rule.def.tags, outputFields: out.fields, eventHostId: hostId, eventSeq: seq,
  };
}

function buildIndex<T>(rules: readonly PreparedRule[], make: (r: PreparedRule) => Judge<T>): Index<T> {
  const judges = rules.map(make);
  const applies = (set: EventTypeSet, type: string): boolean => set.except !== set.types.has(type);
  const types = new Set(EVENT_TYPES);
  for (const r of rules) if (!r.eventTypes.except) for (const t of r.eventTypes.types) types.add(t);
  const byType = new Map<string, Judge<T>[]>();
  for (const type of types) byType.set(type, judges.filter((j) => applies(j.rule.eventTypes, type)));
  // Types no rule names (unknown to the table): only rules that match "all but ..." apply.
  const fallback = judges.filter((j) => j.rule.eventTypes.except);
  return { byType, fallback };
}

/** Rule selection, as Falco's -t / -T / -D / priority threshold. */
function select(rules: PreparedRule[], options: EngineOptions, minPriority: Priority | undefined): PreparedRule[] {
  const tags = new Set(options.tags ?? []);
  const skip = new Set(options.skipTags ?? []);
  const disabled = (options.disabledRules ?? []).map((p) => new RegExp(p));
  return rules.filter((r) => {
    const d = r.def;
    if (!d.enabled) return false;
    if (minPriority && prioritySeverity(d.priority) > prioritySeverity(minPriority)) return false;
    if (tags.size && !d.tags.some((t) => tags.has(t))) return false;
    if (d.tags.some((t) => skip.has(t))) return false;
    return !disabled.some((re) => re.test(d.name));
  });
}

function checkOptions(options: EngineOptions): Priority | undefined {
  if (options.tags?.length && (options.skipTags?.length || options.disabledRules?.length)) {
    throw new RuleSelectionError('You can not specify both disabled (-D/-T) and enabled (-t) rules');
  }
  if (options.match !== undefined && options.match !== 'first' && options.match !== 'all') {
    throw new RuleSelectionError(`match must be 'first' or 'all', not '${String(options.match)}'`);
  }
  for (const p of options.disabledRules ?? []) {
    try {
      new RegExp(p);
    } catch (err) {
      throw new RuleSelectionError(`disabled rule pattern '${p}' is not a valid regular expression`, { cause: err });
    }
  }
  if (options.minPriority === undefined) return undefined;
  const p = parsePriority(options.minPriority);
  if (!p) throw new RuleSelectionError(`unknown priority '${options.minPriority}': expected one of emergency, alert, critical, error, warning, notice, informational, debug`);
  return p;
}

/**
 * Loads, checks and compiles rules. Throws RuleSelectionError for bad options and RuleLoadError
 * (every error, with file, line and column) for bad rules; warnings are on the engine.
 */
export function createEngine(options: EngineOptions): Engine {
  const minPriority = checkOptions(options);
  const texts = [...readRulesFiles(options.files ?? []), ...(options.texts ?? [])];
  const { ctx, prepared } = loadRulesInto(new LoadContext(), texts);
  if (ctx.errors.length) throw new RuleLoadError(ctx.errors, ctx.warnings);
  const counts: RuleCounts = {
    rules: ctx.source.rules.size, macros: ctx.source.macros.size, lists: ctx.source.lists.size, enabled: 0,
  };
  const selected = select(prepared, options, minPriority);
  counts.enabled = selected.length;
  return new Engine(selected, ctx.warnings, counts, options.match ?? 'first');
}

