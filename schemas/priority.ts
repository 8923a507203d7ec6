// Falco's priorities: part of the alert contract (alert.avsc's `priority` holds one of these
// spellings). Rules parse them, sinks map them to syslog severities.

/** Most severe first; the index is the syslog severity (RFC 5424). */
export const PRIORITIES = ['Emergency', 'Alert', 'Critical', 'Error', 'Warning', 'Notice', 'Informational', 'Debug'] as const;
export type Priority = (typeof PRIORITIES)[number];

const BY_NAME = new Map<string, Priority>([
  ...PRIORITIES.map((p) => [p.toLowerCase(), p] as [string, Priority]),
  ['info', 'Informational'],
]);

/** Falco's spelling of a priority, from any case or `info`; undefined if it is not one. */
export function parsePriority(name: string): Priority | undefined {
  return BY_NAME.get(name.trim().toLowerCase());
}

export const prioritySeverity = (p: Priority): number => PRIORITIES.indexOf(p);
