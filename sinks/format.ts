// How an alert is printed, in Falco's two forms. Shared by the sinks and the CLI
// (`saker eval` prints alerts with it).
//
// Text (one line):   <time>: <Priority> <output>
//   time is `2016-08-04T16:17:57.881781397+0000` (timeFormat 'iso8601', the default: Falco's
//   time_format_iso_8601) or `16:17:57.881781397` (timeFormat 'time', Falco's default). Saker
//   prints UTC in both; Falco's 'time' form uses the local zone.
// JSON (one line), as Falco's json_output prints it (nlohmann::json: keys sorted, tags sorted):
//   {"hostname":"web-01","output":"<the text line>","output_fields":{"evt.time.iso8601":"...",
//    "fd.name":"/etc/shadow",...},"priority":"Warning","rule":"...","source":"syscall",
//    "tags":["a","b"],"time":"2016-08-04T16:17:57.881781397Z"}
//   `output` is the full text line, time and priority included; `output_fields` has the time
//   field of that prefix (`evt.time.iso8601`, or `evt.time` as an integer of ns) plus the
//   alert's fields, null where a field had no value. As Falco, numeric fields (the registry's
//   int, uint, port, reltime, abstime types, and `len(...)`) print as JSON numbers and bool
//   fields as true/false; the alert keeps printed text, so a value that does not read as one
//   (an errno name in a numeric field) stays a string.
import type { Alert } from '../schemas/types.generated.js';
import { familyOf } from '../rules/operators.js';
import { parseOutput } from '../rules/output.js';
import { SinkConfigError } from './errors.js';
import { parsePriority, prioritySeverity } from '../schemas/priority.js';
import { formatTime, rfc3339Nanos, type TimeFormat } from '../schemas/time.js';

export type AlertFormat = 'text' | 'json';
export { formatTime, rfc3339Nanos, type TimeFormat } from '../schemas/time.js';

export interface FormatOptions {
  /** Time in the text line and `output` (default 'iso8601'). */
  timeFormat?: TimeFormat;
  /** JSON: include the `output` property (Falco's json_include_output_property, default true). */
  includeOutput?: boolean;
  /** JSON: include the `tags` property (Falco's json_include_tags_property, default true). */
  includeTags?: boolean;
}

export { PRIORITIES, type Priority } from '../schemas/priority.js';

/** Falco's spelling of a priority, from any case or `info`; undefined if it is not one. */
export const normalizePriority = parsePriority;

/** Syslog severity 0 (emergency) .. 7 (debug) of a priority; an unknown one counts as warning. */
export function syslogSeverity(priority: string): number {
  const p = normalizePriority(priority);
  return p === undefined ? 4 : prioritySeverity(p);
}

function priorityName(priority: string): string {
  return normalizePriority(priority) ?? priority;
}

/** Falco's text line: `<time>: <Priority> <output>` (no newline). */
export function formatAlertText(alert: Alert, options: FormatOptions = {}): string {
  return `${formatTime(alert.time, options.timeFormat)}: ${priorityName(alert.priority)} ${alert.output}`;
}

function sortedKeys(obj: Record<string, unknown>): string[] {
  // Code-unit order, like std::map<std::string> in nlohmann::json.
  return Object.keys(obj).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

type JsonKind = 'number' | 'bool' | 'string';
const kinds = new Map<string, JsonKind>();
const MAX_KINDS = 10_000;

/** How Falco types a field of `output_fields` in JSON, from the field registry (cached per key). */
function jsonKind(key: string): JsonKind {
  let kind = kinds.get(key);
  if (kind !== undefined) return kind;
  kind = 'string';
  try {
    const t = parseOutput(`%${key}`);
    const f = t.parts.length === 1 ? t.fields[0] : undefined;
    if (f?.transformer === 'len') kind = 'number';
    else if (f !== undefined && f.transformer === undefined) {
      const family = familyOf(f.field.def.type);
      if (family === 'number' || family === 'bool') kind = family;
    }
  } catch {
    // Not a field this registry knows (an alert from a newer evaluator): keep the text.
  }
  if (kinds.size >= MAX_KINDS) kinds.clear();
  kinds.set(key, kind);
  return kind;
}

function jsonValue(key: string, value: string | null): string {
  if (value === null) return 'null';
  const kind = jsonKind(key);
  if (kind === 'number' && /^-?(0|[1-9][0-9]*)$/.test(value)) return value;
  if (kind === 'bool' && (value === 'true' || value === 'false')) return value;
  return JSON.stringify(value);
}

/** Falco's JSON line (no newline). */
export function formatAlertJson(alert: Alert, options: FormatOptions = {}): string {
  const timeFormat = options.timeFormat ?? 'iso8601';
  // The time field of the output prefix; evt.time is a 64-bit integer, written as digits.
  const fields: Record<string, string> = {};
  if (timeFormat === 'iso8601') fields['evt.time.iso8601'] = JSON.stringify(formatTime(alert.time, 'iso8601'));
  else fields['evt.time'] = alert.time.toString();
  for (const [name, value] of Object.entries(alert.outputFields)) fields[name] = jsonValue(name, value);
  const outputFields = sortedKeys(fields).map((k) => `${JSON.stringify(k)}:${fields[k]}`).join(',');

  const parts: string[] = [`"hostname":${JSON.stringify(alert.hostname)}`];
  if (options.includeOutput !== false) parts.push(`"output":${JSON.stringify(formatAlertText(alert, { timeFormat }))}`);
  parts.push(
    `"output_fields":{${outputFields}}`,
    `"priority":${JSON.stringify(priorityName(alert.priority))}`,
    `"rule":${JSON.stringify(alert.rule)}`,
    `"source":${JSON.stringify(alert.source)}`,
  );
  if (options.includeTags !== false) parts.push(`"tags":${JSON.stringify([...new Set(alert.tags)].sort())}`);
  parts.push(`"time":${JSON.stringify(rfc3339Nanos(alert.time))}`);
  return `{${parts.join(',')}}`;
}

export interface AlertFormatterOptions extends FormatOptions {
  format: AlertFormat;
}

/** A line formatter chosen once (validated here, so a typo fails at startup). */
export function createAlertFormatter(options: AlertFormatterOptions): (alert: Alert) => string {
  const { format, timeFormat = 'iso8601' } = options;
  if (format !== 'text' && format !== 'json') throw new SinkConfigError(`format must be 'text' or 'json', got ${JSON.stringify(format)}`);
  if (timeFormat !== 'iso8601' && timeFormat !== 'time') {
    throw new SinkConfigError(`timeFormat must be 'iso8601' or 'time', got ${JSON.stringify(timeFormat)}`);
  }
  const opts: FormatOptions = { ...options, timeFormat };
  return format === 'text' ? (a) => formatAlertText(a, opts) : (a) => formatAlertJson(a, opts);
}
