// Every error the rule language raises. Load-time problems are collected (not thrown one by one)
// so that a user sees them all; RuleLoadError carries the list. Warnings are a separate type:
// they never make a load fail.
import { SakerError } from '../schemas/errors.js';
import type { Position } from './ast.js';

/** Where in which file: the YAML location plus, for conditions, the position inside the text. */
export interface SourceLocation {
  file: string;
  /** 1-based; 0 when unknown. */
  line: number;
  /** 1-based; 0 when unknown. */
  column: number;
  /** Falco's item types: `rule`, `macro`, `list`, `exception`, `rules content`, `required_engine_version`... */
  itemType: string;
  /** The item's name; '' when it has none. */
  itemName: string;
}

export function formatLocation(loc: SourceLocation): string {
  const where = loc.line > 0 ? `${loc.file}:${loc.line}:${loc.column}` : loc.file;
  return loc.itemName ? `${where}: ${loc.itemType} '${loc.itemName}'` : `${where}: ${loc.itemType}`;
}

/** Falco's load result codes, so that Falco's own regression expectations can be checked. */
export type ErrorCode =
  | 'LOAD_ERR_FILE_READ'
  | 'LOAD_ERR_YAML_PARSE'
  | 'LOAD_ERR_YAML_VALIDATE'
  | 'LOAD_ERR_VALIDATE'
  | 'LOAD_ERR_COMPILE_CONDITION'
  | 'LOAD_ERR_COMPILE_OUTPUT';

export type WarningCode =
  | 'LOAD_NO_EVTTYPE'
  | 'LOAD_UNUSED_MACRO'
  | 'LOAD_UNUSED_LIST'
  | 'LOAD_UNKNOWN_KEY'
  | 'LOAD_UNKNOWN_ITEM'
  | 'LOAD_UNKNOWN_FIELD'
  | 'LOAD_UNKNOWN_SOURCE'
  | 'LOAD_DEPRECATED_ITEM'
  | 'LOAD_UNKNOWN_PLUGIN';

/** A syntax error inside a condition string, positioned within that string. */
export class ConditionSyntaxError extends SakerError {
  constructor(readonly reason: string, readonly pos: Position, readonly text: string) {
    super(`${reason} at line ${pos.line} column ${pos.column}`);
  }
}

/** One problem in a rules file, with its location. */
export class RuleError extends SakerError {
  constructor(
    readonly code: ErrorCode,
    readonly reason: string,
    readonly location: SourceLocation,
    options: { cause?: unknown } = {},
  ) {
    super(`${formatLocation(location)}: ${reason}`, options);
  }
}

/** A load that found errors. The running rules (if any) are left untouched by the caller. */
export class RuleLoadError extends SakerError {
  constructor(readonly errors: readonly RuleError[], readonly warnings: readonly RuleWarning[] = []) {
    super(errors.length === 1 ? errors[0]!.message : `${errors.length} errors:\n${errors.map((e) => e.message).join('\n')}`);
  }
}

export interface RuleWarning {
  code: WarningCode;
  message: string;
  location: SourceLocation;
}

export function formatWarning(w: RuleWarning): string {
  return `${formatLocation(w.location)}: warning: ${w.message}`;
}

/** Options that cannot be combined or name nothing (`--tag` with `--disable-rule`...). */
export class RuleSelectionError extends SakerError {}
