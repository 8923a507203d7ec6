// The loader: rules files -> RuleSetSource. Reads files in order, validates every item's shape,
// and applies definitions, appends and overrides as Falco does (later items see earlier ones).
// It never throws on bad content: every problem becomes a RuleError or a RuleWarning, and the
// caller decides (a load with errors leaves the running rules in place).
import { readFileSync } from 'node:fs';
import { type ErrorCode, RuleError, type RuleWarning, type WarningCode } from './errors.js';
import { applyRuleItem } from './loader-rules.js';
import type { ItemOrigin, RuleSetSource } from './ruleset.js';
import { ENGINE_VERSION, compareVersions, parseEngineVersion } from './version.js';
import { type YamlFile, YamlSyntaxError, parseYamlFile } from './yaml-source.js';

export interface RulesText {
  /** Shown in errors. */
  name: string;
  text: string;
}

export interface LoadResult {
  source: RuleSetSource;
  errors: RuleError[];
  warnings: RuleWarning[];
}

export type Item = Record<string, unknown>;

/** Shared state of one load; item handlers report through it. */
export class LoadContext {
  readonly errors: RuleError[] = [];
  readonly warnings: RuleWarning[] = [];
  readonly source: RuleSetSource = {
    lists: new Map(), macros: new Map(), rules: new Map(), requiredEngineVersion: undefined, requiredPlugins: [],
  };
  private visibility = 0;

  nextVisibility(): number {
    return ++this.visibility;
  }

  error(code: ErrorCode, reason: string, origin: ItemOrigin): void {
    this.errors.push(new RuleError(code, reason, stripYaml(origin)));
  }

  warn(code: WarningCode, message: string, origin: ItemOrigin): void {
    this.warnings.push({ code, message, location: stripYaml(origin) });
  }
}

const stripYaml = (o: ItemOrigin) => ({ file: o.file, line: o.line, column: o.column, itemType: o.itemType, itemName: o.itemName });

export function readRulesFiles(paths: readonly string[]): RulesText[] {
  return paths.map((path) => ({ name: path, text: readFileSync(path, 'utf8') }));
}

/** Loads files in order into `ctx`: definitions, appends and overrides applied. */
export function loadRules(ctx: LoadContext, files: readonly RulesText[]): LoadResult {
  for (const file of files) loadFile(ctx, file);
  return { source: ctx.source, errors: ctx.errors, warnings: ctx.warnings };
}

const ITEM_KINDS = ['rule', 'macro', 'list', 'required_engine_version', 'required_plugin_versions'] as const;

function loadFile(ctx: LoadContext, file: RulesText): void {
  const fileOrigin: ItemOrigin = { file: file.name, line: 0, column: 0, itemType: 'rules content', itemName: '' };
  let yaml: YamlFile;
  try {
    yaml = parseYamlFile(file.name, file.text);
  } catch (err) {
    if (!(err instanceof YamlSyntaxError)) throw err;
    ctx.error('LOAD_ERR_YAML_PARSE', `yaml error at line ${err.position.line}, column ${err.position.column}: ${err.message}`,
      { ...fileOrigin, line: err.position.line, column: err.position.column });
    return;
  }
  for (const doc of yaml.documents) {
    if (doc === null || doc === undefined) continue;
    if (typeof doc === 'string') {
      ctx.error('LOAD_ERR_YAML_VALIDATE', 'Rules content is not yaml', { ...fileOrigin, line: 1, column: 1 });
      continue;
    }
    if (!Array.isArray(doc)) {
      ctx.error('LOAD_ERR_YAML_VALIDATE', 'Rules content is not yaml array of objects', { ...fileOrigin, line: 1, column: 1 });
      continue;
    }
    for (const item of doc as unknown[]) loadItem(ctx, yaml, item, fileOrigin);
  }
}

function loadItem(ctx: LoadContext, yaml: YamlFile, item: unknown, fileOrigin: ItemOrigin): void {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    ctx.error('LOAD_ERR_YAML_VALIDATE', 'Unexpected element type. Each element should be a yaml associative array.',
      { ...fileOrigin, itemType: 'rules content item' });
    return;
  }
  const obj = item as Item;
  const kind = ITEM_KINDS.find((k) => k in obj);
  const pos = yaml.positionOf(obj);
  const origin: ItemOrigin = {
    file: yaml.file, line: pos?.line ?? 0, column: pos?.column ?? 0,
    itemType: kind ?? 'rules content item', itemName: '', yaml, node: obj,
  };
  switch (kind) {
    case undefined:
      ctx.warn('LOAD_UNKNOWN_ITEM', `Unknown top level item: ${Object.keys(obj).join(', ')}`, origin);
      return;
    case 'required_engine_version':
      return requireEngineVersion(ctx, obj.required_engine_version, origin);
    case 'required_plugin_versions':
      return requirePlugins(ctx, obj.required_plugin_versions, origin);
    case 'list':
    case 'macro':
    case 'rule': {
      const name = obj[kind];
      if (name === null || name === undefined || name === '') {
        ctx.error('LOAD_ERR_YAML_VALIDATE', `Mapping for key '${kind}' is empty`, origin);
        return;
      }
      origin.itemName = String(name);
      if (kind === 'list') return applyList(ctx, obj, origin);
      if (kind === 'macro') return applyMacro(ctx, obj, origin);
      return applyRuleItem(ctx, obj, origin);
    }
  }
}

function requireEngineVersion(ctx: LoadContext, value: unknown, origin: ItemOrigin): void {
  const version = parseEngineVersion(value);
  if (version === undefined) {
    ctx.error('LOAD_ERR_YAML_VALIDATE', "Can't decode YAML scalar value", origin);
    return;
  }
  if (compareVersions(version, ENGINE_VERSION) > 0) {
    ctx.error('LOAD_ERR_VALIDATE', `Rules require engine version ${version}, but engine version is ${ENGINE_VERSION}`, origin);
    return;
  }
  const previous = ctx.source.requiredEngineVersion;
  if (previous === undefined || compareVersions(version, previous) > 0) ctx.source.requiredEngineVersion = version;
}

function requirePlugins(ctx: LoadContext, value: unknown, origin: ItemOrigin): void {
  if (!Array.isArray(value)) {
    ctx.error('LOAD_ERR_YAML_VALIDATE', 'required_plugin_versions must be a list', origin);
    return;
  }
  for (const entry of value as Item[]) {
    const name = String(entry?.name ?? '');
    const version = String(entry?.version ?? '');
    ctx.source.requiredPlugins.push({ name, version });
    ctx.warn('LOAD_UNKNOWN_PLUGIN', `Plugin '${name}' (${version}) is required by the rules; Saker does not load plugins`, origin);
  }
}

/** Checks an item's keys against the allowed ones; unknown keys are warnings. */
export function checkKeys(ctx: LoadContext, obj: Item, allowed: readonly string[], origin: ItemOrigin): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) ctx.warn('LOAD_UNKNOWN_KEY', `Unknown key '${key}'`, origin);
  }
}

/** `append: true` or `override:` — the two ways of extending an earlier item. */
export function readExtension(ctx: LoadContext, obj: Item, origin: ItemOrigin): { append: boolean; override: Item | undefined } | undefined {
  const append = obj.append === true || obj.append === 'true';
  const override = obj.override;
  if (override !== undefined && (override === null || typeof override !== 'object' || Array.isArray(override))) {
    ctx.error('LOAD_ERR_YAML_VALIDATE', "Value of 'override' must be a map", origin);
    return undefined;
  }
  if (append && override !== undefined) {
    ctx.error('LOAD_ERR_VALIDATE', "Keys 'override' and 'append: true' cannot be used together", origin);
    return undefined;
  }
  return { append, override: override as Item | undefined };
}

const stringOf = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));

function applyList(ctx: LoadContext, obj: Item, origin: ItemOrigin): void {
  checkKeys(ctx, obj, ['list', 'items', 'append', 'override'], origin);
  const ext = readExtension(ctx, obj, origin);
  if (!ext) return;
  if (!('items' in obj)) {
    ctx.error('LOAD_ERR_YAML_VALIDATE', "Item has no mapping for key 'items'", origin);
    return;
  }
  const raw = obj.items ?? [];
  if (!Array.isArray(raw)) {
    ctx.error('LOAD_ERR_YAML_VALIDATE', "Value of 'items' must be a list", origin);
    return;
  }
  const items = raw.map(stringOf);
  const previous = ctx.source.lists.get(origin.itemName);
  const mode = ext.override ? ext.override.items : ext.append ? 'append' : undefined;
  if (ext.override && (mode !== 'append' && mode !== 'replace')) {
    ctx.error('LOAD_ERR_VALIDATE', "Key 'items' must have an override strategy of append or replace", origin);
    return;
  }
  if (mode !== undefined && !previous) {
    ctx.error('LOAD_ERR_VALIDATE', "List has 'append' key but no list by that name already exists", origin);
    return;
  }
  if (mode === 'append') previous!.items.push(...items);
  else if (mode === 'replace') previous!.items = items;
  const visibility = ctx.nextVisibility();
  if (previous) previous.visibility = visibility;
  if (mode === undefined) {
    ctx.source.lists.set(origin.itemName, { name: origin.itemName, items, index: previous?.index ?? visibility, visibility, origin });
  }
}

function applyMacro(ctx: LoadContext, obj: Item, origin: ItemOrigin): void {
  checkKeys(ctx, obj, ['macro', 'condition', 'append', 'override', 'source'], origin);
  const ext = readExtension(ctx, obj, origin);
  if (!ext) return;
  if (!('condition' in obj)) {
    ctx.error('LOAD_ERR_YAML_VALIDATE', "Item has no mapping for key 'condition'", origin);
    return;
  }
  const segment = { text: stringOf(obj.condition), origin };
  const previous = ctx.source.macros.get(origin.itemName);
  const mode = ext.override ? ext.override.condition : ext.append ? 'append' : undefined;
  if (ext.override && (mode !== 'append' && mode !== 'replace')) {
    ctx.error('LOAD_ERR_VALIDATE', "Key 'condition' must have an override strategy of append or replace", origin);
    return;
  }
  if (mode !== undefined && !previous) {
    ctx.error('LOAD_ERR_VALIDATE', "Macro has 'append' key but no macro by that name already exists", origin);
    return;
  }
  if (mode === 'append') previous!.condition.push(segment);
  else if (mode === 'replace') previous!.condition = [segment];
  else ctx.source.macros.set(origin.itemName, { name: origin.itemName, condition: [segment], visibility: ctx.nextVisibility(), origin });
}
