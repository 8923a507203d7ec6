// What the loader produces and the compiler consumes: the definitions of one load, after every
// append and override has been applied, each remembering where it came from.
import type { Priority } from '../schemas/priority.js';
import type { SourceLocation } from './errors.js';
import type { YamlFile } from './yaml-source.js';

export { PRIORITIES, parsePriority, prioritySeverity, type Priority } from '../schemas/priority.js';

/** Where an item is, and the YAML it came from (to place positions inside its values). */
export interface ItemOrigin extends SourceLocation {
  yaml?: YamlFile;
  node?: object;
}

/** One piece of a condition; appends add pieces, each keeping its own origin for errors. */
export interface ConditionSegment {
  text: string;
  origin: ItemOrigin;
}

export interface ListDef {
  name: string;
  items: string[];
  /** Load order of the first definition. */
  index: number;
  /** Load order of the last (re)definition or append: a list's items may name lists whose index is lower. */
  visibility: number;
  origin: ItemOrigin;
}

export interface MacroDef {
  name: string;
  condition: ConditionSegment[];
  visibility: number;
  origin: ItemOrigin;
}

export interface ExceptionDef {
  name: string;
  /** A list of fields, or one field (then comps default to `in`). */
  fields: string[] | string;
  comps: string[] | string;
  /** Rows (fields list) or values (single field). */
  values: unknown[];
  origin: ItemOrigin;
}

export interface RuleDef {
  name: string;
  condition: ConditionSegment[];
  output: string;
  desc: string;
  priority: Priority;
  source: string;
  enabled: boolean;
  tags: string[];
  exceptions: ExceptionDef[];
  warnEvttypes: boolean;
  skipIfUnknownFilter: boolean;
  capture: boolean;
  captureDuration: number | undefined;
  visibility: number;
  origin: ItemOrigin;
}

export interface RuleSetSource {
  lists: Map<string, ListDef>;
  macros: Map<string, MacroDef>;
  /** In rule order (first definition), which decides `first` matching. */
  rules: Map<string, RuleDef>;
  requiredEngineVersion: string | undefined;
  requiredPlugins: Array<{ name: string; version: string }>;
}

export const conditionText = (segments: readonly ConditionSegment[]): string => segments.map((s) => s.text).join(' ');
