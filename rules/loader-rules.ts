// Rule items: definition, old-style `append: true`, new-style `override:`, the bare
// `enabled:` toggle, and the shape of `exceptions`.
import { resolveField } from './fields/index.js';
import { type Item, type LoadContext, checkKeys, readExtension } from './loader.js';
import { type ExceptionDef, type ItemOrigin, type RuleDef, parsePriority } from './ruleset.js';

const RULE_KEYS = [
  'rule', 'condition', 'output', 'desc', 'priority', 'source', 'enabled', 'tags', 'exceptions', 'warn_evttypes',
  'skip-if-unknown-filter', 'capture', 'capture_duration', 'append', 'override',
];
const APPENDABLE = ['condition', 'output', 'desc', 'tags', 'exceptions'];
const REPLACEABLE = [...APPENDABLE, 'priority', 'enabled', 'capture', 'capture_duration', 'warn_evttypes', 'skip-if-unknown-filter'];
export const EXCEPTION_COMPARISONS = ['=', '!=', '<', '<=', '>', '>=', 'in', 'intersects', 'pmatch', 'contains', 'icontains',
  'startswith', 'endswith', 'glob', 'iglob', 'regex', 'bcontains', 'bstartswith', 'exists'];

const text = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));
const truthy = (v: unknown): boolean => v === true || v === 'true';

export function applyRuleItem(ctx: LoadContext, obj: Item, origin: ItemOrigin): void {
  checkKeys(ctx, obj, RULE_KEYS, origin);
  const ext = readExtension(ctx, obj, origin);
  if (!ext) return;
  const previous = ctx.source.rules.get(origin.itemName);
  if (ext.override) return overrideRule(ctx, obj, ext.override, previous, origin);
  if (ext.append) return appendRule(ctx, obj, previous, origin);

  const keys = Object.keys(obj).filter((k) => k !== 'rule');
  if (previous && keys.length > 0 && keys.every((k) => k === 'enabled')) {
    previous.enabled = truthy(obj.enabled);
    return;
  }
  for (const key of ['condition', 'output', 'desc', 'priority']) {
    if (!(key in obj)) {
      ctx.error('LOAD_ERR_YAML_VALIDATE', `Item has no mapping for key '${key}'`, origin);
      return;
    }
  }
  const priority = parsePriority(text(obj.priority));
  if (!priority) {
    ctx.error('LOAD_ERR_VALIDATE', `Invalid priority level: ${text(obj.priority)}`, origin);
    return;
  }
  const exceptions = readExceptions(ctx, obj.exceptions, origin, undefined);
  if (!exceptions) return;
  const rule: RuleDef = {
    name: origin.itemName,
    condition: [{ text: text(obj.condition), origin }],
    output: text(obj.output).trim(),
    desc: text(obj.desc),
    priority,
    source: obj.source === undefined ? 'syscall' : text(obj.source),
    enabled: obj.enabled === undefined ? true : truthy(obj.enabled),
    tags: Array.isArray(obj.tags) ? obj.tags.map(text) : [],
    exceptions,
    warnEvttypes: obj.warn_evttypes === undefined ? true : truthy(obj.warn_evttypes),
    skipIfUnknownFilter: truthy(obj['skip-if-unknown-filter']),
    capture: truthy(obj.capture),
    captureDuration: typeof obj.capture_duration === 'number' ? obj.capture_duration : undefined,
    visibility: ctx.nextVisibility(),
    origin,
  };
  // A redefinition replaces the rule but keeps its place in the rule order (Map.set on an
  // existing key keeps the key's position), as Falco does.
  ctx.source.rules.set(origin.itemName, rule);
}

function appendRule(ctx: LoadContext, obj: Item, previous: RuleDef | undefined, origin: ItemOrigin): void {
  if (!previous) {
    ctx.error('LOAD_ERR_VALIDATE', "Rule has 'append' key but no rule by that name already exists", origin);
    return;
  }
  if (!('condition' in obj) && !('exceptions' in obj)) {
    ctx.error('LOAD_ERR_VALIDATE', 'Appended rule must have exceptions or condition property', origin);
    return;
  }
  const exceptions = readExceptions(ctx, obj.exceptions, origin, previous);
  if (!exceptions) return;
  if ('condition' in obj) previous.condition.push({ text: text(obj.condition), origin });
  mergeExceptions(previous, exceptions);
}

function overrideRule(ctx: LoadContext, obj: Item, override: Item, previous: RuleDef | undefined, origin: ItemOrigin): void {
  if (!previous) {
    ctx.error('LOAD_ERR_VALIDATE', "An 'override' item requires a rule by that name to already exist", origin);
    return;
  }
  for (const key of Object.keys(obj)) {
    if (key === 'rule' || key === 'override') continue;
    if (!(key in override)) {
      ctx.error('LOAD_ERR_VALIDATE', `Key '${key}' has no override strategy in 'override'`, origin);
      return;
    }
  }
  for (const [key, strategy] of Object.entries(override)) {
    const allowed = strategy === 'append' ? APPENDABLE : strategy === 'replace' ? REPLACEABLE : [];
    if (!allowed.includes(key)) {
      ctx.error('LOAD_ERR_VALIDATE', `Key '${key}' cannot be overridden with '${text(strategy)}'`, origin);
      return;
    }
    if (!(key in obj)) {
      ctx.error('LOAD_ERR_VALIDATE', `An override of '${key}' requires the key '${key}' on the item`, origin);
      return;
    }
  }
  const exceptions = 'exceptions' in obj ? readExceptions(ctx, obj.exceptions, origin, override.exceptions === 'append' ? previous : undefined) : [];
  if (!exceptions) return;
  for (const [key, strategy] of Object.entries(override)) {
    const value = obj[key];
    const append = strategy === 'append';
    switch (key) {
      case 'condition':
        previous.condition = append ? [...previous.condition, { text: text(value), origin }] : [{ text: text(value), origin }];
        break;
      case 'output': previous.output = append ? `${previous.output} ${text(value).trim()}` : text(value).trim(); break;
      case 'desc': previous.desc = append ? `${previous.desc} ${text(value)}` : text(value); break;
      case 'tags': {
        const tags = Array.isArray(value) ? value.map(text) : [];
        previous.tags = append ? [...previous.tags, ...tags] : tags;
        break;
      }
      case 'exceptions':
        if (append) mergeExceptions(previous, exceptions);
        else previous.exceptions = exceptions;
        break;
      case 'priority': {
        const priority = parsePriority(text(value));
        if (!priority) ctx.error('LOAD_ERR_VALIDATE', `Invalid priority level: ${text(value)}`, origin);
        else previous.priority = priority;
        break;
      }
      case 'enabled': previous.enabled = truthy(value); break;
      case 'warn_evttypes': previous.warnEvttypes = truthy(value); break;
      case 'skip-if-unknown-filter': previous.skipIfUnknownFilter = truthy(value); break;
      case 'capture': previous.capture = truthy(value); break;
      case 'capture_duration': previous.captureDuration = typeof value === 'number' ? value : undefined; break;
    }
  }
}

/** Appended exceptions with a known name add values; new ones are added whole. */
function mergeExceptions(rule: RuleDef, added: ExceptionDef[]): void {
  for (const ex of added) {
    const existing = rule.exceptions.find((e) => e.name === ex.name);
    if (existing) existing.values.push(...ex.values);
    else rule.exceptions.push(ex);
  }
}

/** Validates `exceptions`; `appendTo` is the rule being appended to (new exceptions then need fields). */
function readExceptions(ctx: LoadContext, raw: unknown, ruleOrigin: ItemOrigin, appendTo: RuleDef | undefined): ExceptionDef[] | undefined {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    ctx.error('LOAD_ERR_YAML_VALIDATE', "Value of 'exceptions' must be a list", ruleOrigin);
    return undefined;
  }
  const out: ExceptionDef[] = [];
  for (const item of raw as Item[]) {
    const pos = item && typeof item === 'object' ? ruleOrigin.yaml?.positionOf(item) : undefined;
    const origin: ItemOrigin = { ...ruleOrigin, itemType: 'exception', itemName: text(item?.name), line: pos?.line ?? ruleOrigin.line, column: pos?.column ?? ruleOrigin.column };
    if (!item || typeof item !== 'object' || !('name' in item)) {
      ctx.error('LOAD_ERR_YAML_VALIDATE', "Item has no mapping for key 'name'", origin);
      return undefined;
    }
    const known = appendTo?.exceptions.find((e) => e.name === origin.itemName);
    if (known) {
      const values = Array.isArray(item.values) ? [...item.values] : [];
      if (Array.isArray(known.fields) && values.some((row) => !Array.isArray(row) || row.length !== known.fields.length)) {
        ctx.error('LOAD_ERR_VALIDATE', 'Fields and values lists must have equal length', origin);
        return undefined;
      }
      out.push({ ...known, values, origin });
      continue;
    }
    if (!('fields' in item)) {
      if (appendTo) ctx.error('LOAD_ERR_VALIDATE', 'Rule exception must have fields property with a list of fields', origin);
      else ctx.error('LOAD_ERR_YAML_VALIDATE', "Item has no mapping for key 'fields'", origin);
      return undefined;
    }
    const ex = validateException(ctx, item, origin);
    if (!ex) return undefined;
    out.push(ex);
  }
  return out;
}

function validateException(ctx: LoadContext, item: Item, origin: ItemOrigin): ExceptionDef | undefined {
  const fields = Array.isArray(item.fields) ? item.fields.map(text) : text(item.fields);
  const single = !Array.isArray(fields);
  const comps: string[] | string = item.comps === undefined
    ? (single ? 'in' : fields.map(() => '='))
    : Array.isArray(item.comps) ? item.comps.map(text) : text(item.comps);
  const values = Array.isArray(item.values) ? [...item.values] : [];
  for (const f of single ? [fields] : fields) {
    let known = false;
    try {
      known = resolveField(f, undefined) !== undefined || /\[.*\]$/.test(f) && resolveField(f.replace(/\[.*$/, ''), f.replace(/^[^[]*\[|\]$/g, '')) !== undefined;
    } catch {
      known = false;
    }
    if (!known) {
      ctx.error('LOAD_ERR_VALIDATE', `'${f}' is not a supported filter field`, origin);
      return undefined;
    }
  }
  if (!single && (!Array.isArray(comps) || comps.length !== fields.length)) {
    ctx.error('LOAD_ERR_VALIDATE', 'Fields and comps lists must have equal length', origin);
    return undefined;
  }
  for (const c of Array.isArray(comps) ? comps : [comps]) {
    if (!EXCEPTION_COMPARISONS.includes(c)) {
      ctx.error('LOAD_ERR_VALIDATE', `'${c}' is not a supported comparison operator`, origin);
      return undefined;
    }
  }
  if (single && !['in', 'pmatch', 'intersects'].includes(comps as string)) {
    ctx.error('LOAD_ERR_VALIDATE', `'${String(comps)}' is not allowed for an exception with a single field: use in, pmatch or intersects`, origin);
    return undefined;
  }
  if (!single) {
    for (const row of values) {
      if (!Array.isArray(row) || row.length !== fields.length) {
        ctx.error('LOAD_ERR_VALIDATE', 'Fields and values lists must have equal length', origin);
        return undefined;
      }
    }
  }
  return { name: origin.itemName, fields, comps, values, origin };
}
