// Syslog message formats and TCP framing for the syslog sink.
//
// RFC 5424:  <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG
//   e.g.     <12>1 2023-11-14T22:13:20.123456Z web-01 saker 4711 alert - 2023-11-14T22:13:20.123456789+0000: Warning Sensitive file...
// RFC 3164:  <PRI>Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG
//   e.g.     <12>Nov 14 22:13:20 web-01 saker[4711]: 2023-11-14T22:13:20.123456789+0000: Warning Sensitive file...
// PRI = facility * 8 + severity; severity from the alert's priority (Emergency 0 .. Debug 7).
// TIMESTAMP is the event's time in UTC (RFC 5424 allows at most µs). HOSTNAME is the host the
// event happened on (alert.hostname), so a central syslog files alerts under the right host.
// MSG is the alert line as the stdout sink prints it (Falco's syslog_output does the same).
// Framing on stream transports (RFC 6587): octet counting (`LEN SP MSG`) for RFC 5424, a
// trailing LF for RFC 3164 (the traditional framing; LFs inside MSG become spaces there).
import type { Alert } from '../schemas/types.generated.js';
import { SinkConfigError } from './errors.js';
import { syslogSeverity } from './format.js';

export type SyslogProtocol = 'rfc5424' | 'rfc3164';

export const FACILITIES = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9, authpriv: 10, ftp: 11,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
} as const;
export type FacilityName = keyof typeof FACILITIES;

export function facilityNumber(facility: FacilityName | number): number {
  const n = typeof facility === 'number' ? facility : FACILITIES[facility];
  if (n === undefined || !Number.isInteger(n) || n < 0 || n > 23) {
    throw new SinkConfigError(`syslog sink: facility must be one of ${Object.keys(FACILITIES).join(', ')} or 0..23, got ${JSON.stringify(facility)}`);
  }
  return n;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** An RFC 5424 header field: printable US-ASCII without spaces, bounded, '-' when empty. */
function headerField(value: string, max: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return clean === '' ? '-' : clean;
}

function utcDate(ns: bigint): { date: Date; micros: string } {
  const ms = ns / 1_000_000n;
  const micros = ((((ns / 1000n) % 1_000_000n) + 1_000_000n) % 1_000_000n).toString().padStart(6, '0');
  return { date: new Date(Number(ms)), micros };
}

export interface SyslogHeader {
  protocol: SyslogProtocol;
  facility: number;
  appName: string;
  procId: string;
}

/** One syslog message (without framing). */
export function formatSyslogMessage(alert: Alert, line: string, h: SyslogHeader): string {
  const pri = `<${h.facility * 8 + syslogSeverity(alert.priority)}>`;
  const { date, micros } = utcDate(alert.time);
  if (h.protocol === 'rfc5424') {
    const timestamp = `${date.toISOString().slice(0, 19)}.${micros}Z`;
    return `${pri}1 ${timestamp} ${headerField(alert.hostname, 255)} ${headerField(h.appName, 48)} ${headerField(h.procId, 128)} alert - ${line}`;
  }
  const day = String(date.getUTCDate()).padStart(2, ' ');
  const time = date.toISOString().slice(11, 19);
  const tag = headerField(h.appName, 32);
  return `${pri}${MONTHS[date.getUTCMonth()]} ${day} ${time} ${headerField(alert.hostname, 255)} ${tag}[${h.procId}]: ${line.replace(/[\r\n]+/g, ' ')}`;
}

/**
 * Cuts a message to at most `maxBytes` of UTF-8 without splitting a character. Syslog servers
 * truncate or drop long messages anyway (rsyslog's default limit is 8 KiB), and a UDP datagram
 * cannot exceed 64 KiB: better a cut alert than one that can never be sent.
 */
export function truncateUtf8(message: string, maxBytes: number): string {
  if (Buffer.byteLength(message, 'utf8') <= maxBytes) return message;
  const bytes = Buffer.from(message, 'utf8');
  let end = maxBytes;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // back to a character boundary
  return bytes.subarray(0, end).toString('utf8');
}

/** A message framed for a stream transport. */
export function frameForStream(message: string, protocol: SyslogProtocol): string {
  return protocol === 'rfc5424' ? `${Buffer.byteLength(message, 'utf8')} ${message}` : `${message}\n`;
}
