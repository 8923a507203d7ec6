// The rule language's public API. Services import from here only.
export { createEngine, Engine, type EngineOptions, type MatchMode, type RuleCounts } from './engine.js';
export type { FlatEvent } from './event-access.js';
export {
  RuleError, RuleLoadError, RuleSelectionError, ConditionSyntaxError, formatLocation, formatWarning,
  type RuleWarning, type SourceLocation,
} from './errors.js';
export { FIELDS, fieldsAsJson, fieldsAsMarkdown, fieldsAsText, resolveField } from './fields/index.js';
export { LoadContext, readRulesFiles, type RulesText } from './loader.js';
export { loadRulesInto } from './load.js';
export { PRIORITIES, parsePriority, type Priority } from './ruleset.js';
export { ReloadableEngine, type ReloadOutcome } from './reloadable.js';
