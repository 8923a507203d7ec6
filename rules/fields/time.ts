// Time formatting for fields and outputs. Event times are exact ns (bigint); Date only carries ms,
// so the sub-second part is printed from the bigint itself.
const NS_PER_S = 1_000_000_000n;

function split(ts: bigint): { date: Date; nanos: string } {
  const seconds = ts / NS_PER_S;
  const nanos = (ts % NS_PER_S).toString().padStart(9, '0');
  return { date: new Date(Number(seconds) * 1000), nanos };
}

/** `HH:MM:SS.nnnnnnnnn` in UTC, as Falco prints evt.time. */
export function formatTimeOfDay(ts: bigint): string {
  const { date, nanos } = split(ts);
  return `${date.toISOString().slice(11, 19)}.${nanos}`;
}

/** `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`, as Falco's JSON `time`. */
export function formatIso8601(ts: bigint): string {
  const { date, nanos } = split(ts);
  return `${date.toISOString().slice(0, 19)}.${nanos}Z`;
}
