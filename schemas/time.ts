// Exact-ns event times (bigint) as text. Date carries only ms, so the sub-second part is printed
// from the bigint itself. Shared by the rules (evt.time fields) and the sinks (alert lines).

export type TimeFormat = 'iso8601' | 'time';

const NS_PER_S = 1_000_000_000n;

/** Seconds and the ns within them, for any ns timestamp (negative ones included). */
function split(ns: bigint): { seconds: number; nanos: string } {
  let seconds = ns / NS_PER_S;
  let rest = ns % NS_PER_S;
  if (rest < 0n) {
    rest += NS_PER_S;
    seconds -= 1n;
  }
  return { seconds: Number(seconds), nanos: rest.toString().padStart(9, '0') };
}

/** `YYYY-MM-DDTHH:MM:SS` in UTC. */
function isoSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19);
}

/** RFC 3339 with ns, UTC: `2024-01-01T00:00:00.123456789Z` (the JSON `time`). */
export function rfc3339Nanos(ns: bigint): string {
  const { seconds, nanos } = split(ns);
  return `${isoSeconds(seconds)}.${nanos}Z`;
}

/** `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+0000` ('iso8601') or `HH:MM:SS.nnnnnnnnn` ('time'), UTC. */
export function formatTime(ns: bigint, timeFormat: TimeFormat = 'iso8601'): string {
  const { seconds, nanos } = split(ns);
  const iso = isoSeconds(seconds);
  return timeFormat === 'iso8601' ? `${iso}.${nanos}+0000` : `${iso.slice(11)}.${nanos}`;
}
