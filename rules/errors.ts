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
  /** `rule 'Write below etc'`, `macro 'open_write'`, `list 'shell_binaries'`. */
  item?: string;
}

export function formatLocation(loc: SourceLocation): string {
  const where = loc.line > 0 ? `${loc.file}:${loc.line}:${loc.column}` : loc.file;
  return loc.item ? `${where}: ${loc.item}` : where;
}

/** A syntax error inside a condition string, positioned within that string. */
export class ConditionSyntaxError extends SakerError {
  constructor(readonly reason: string, readonly pos: Position, readonly text: string) {
    super(`${reason} at line ${pos.line} column ${pos.column}`);
  }
}

/** One problem in a rules file, with its location. */
export class RuleError extends SakerError {
  constructor(readonly reason: string, readonly location: SourceLocation, options: { cause?: unknown } = {}) {
    super(`${formatLocation(location)}: ${reason}`, options);
  }
}

/** A load that found errors. The running rules (if any) are left untouched by the caller. */
export class RuleLoadError extends SakerError {
  constructor(readonly errors: RuleError[]) {
    super(errors.length === 1 ? errors[0]!.message : `${errors.length} errors:\n${errors.map((e) => e.message).join('\n')}`);
  }
}

export interface RuleWarning {
  code: string;
  message: string;
  location: SourceLocation;
}
