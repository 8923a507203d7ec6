// Argument parsing shared by subcommands: node's parseArgs with clear errors, and the rule
// selection options every judging command takes (Falco's -t/-T/-D and priority threshold).
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { EngineOptions, MatchMode } from '../rules/index.js';
import { SakerError } from '../schemas/errors.js';
import { expandRuleFiles } from './paths.js';

export class UsageError extends SakerError {}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node's parseArgs (strict), with its errors as UsageError; the option types carry through. */
export function parse<const O extends Options>(argv: string[], options: O, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message, { cause: err });
  }
}

export const SELECTION_OPTIONS = {
  rules: { type: 'string', multiple: true },
  match: { type: 'string' },
  tag: { type: 'string', multiple: true },
  'skip-tag': { type: 'string', multiple: true },
  'disable-rule': { type: 'string', multiple: true },
  priority: { type: 'string' },
  json: { type: 'boolean' },
} as const;

type SelectionValues = {
  rules?: string[]; match?: string; tag?: string[]; 'skip-tag'?: string[]; 'disable-rule'?: string[]; priority?: string;
};

export function engineOptions(values: SelectionValues): EngineOptions {
  if (!values.rules?.length) throw new UsageError('--rules FILE is required (use --rules default for the default ruleset)');
  const match = values.match ?? 'first';
  if (match !== 'first' && match !== 'all') throw new UsageError(`--match must be first or all, not ${match}`);
  return {
    files: expandRuleFiles(values.rules),
    match: match as MatchMode,
    tags: values.tag,
    skipTags: values['skip-tag'],
    disabledRules: values['disable-rule'],
    minPriority: values.priority,
  };
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export function list(v: string | undefined): string[] | undefined {
  return v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean);
}

export function int(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer, got '${v}'`);
  return n;
}

export function logLevel(v: string | undefined, dflt: string): string {
  const level = v ?? dflt;
  if (!LOG_LEVELS.includes(level)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

export function readSecretFile(flag: string, path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--${flag} ${path}: ${(err as Error).message}`);
  }
}
