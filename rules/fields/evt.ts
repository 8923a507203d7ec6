// evt.* fields: the event itself (type, direction, result, arguments, time).
import type { Event } from '../../schemas/types.generated.js';
import { errnoName } from '../../schemas/errno.js';
import { formatTime, rfc3339Nanos } from '../../schemas/time.js';
import { type FieldDef, type Reader, simple } from './types.js';

const OPEN_TYPES = new Set(['open', 'openat', 'openat2', 'open_by_handle_at', 'creat']);
const O_ACCMODE = 3;
const O_WRONLY = 1;
const O_RDWR = 2;
const O_CREAT = 0o100;

/** Open flags of an open-family event, from the raw form (Linux O_* bits) or the text form. */
function openFlags(e: Event): number | undefined {
  if (!OPEN_TYPES.has(e.type)) return undefined;
  for (const a of e.args) {
    if (a.name !== 'flags') continue;
    if (typeof a.raw === 'number') return a.raw;
    return flagsFromText(a.text);
  }
  return e.type === 'creat' ? O_CREAT | O_WRONLY : undefined;
}

function flagsFromText(text: string): number {
  let flags = 0;
  for (const f of text.split('|')) {
    if (f === 'O_WRONLY') flags |= O_WRONLY;
    else if (f === 'O_RDWR') flags |= O_RDWR;
    else if (f === 'O_CREAT') flags |= O_CREAT;
  }
  return flags;
}

function argByName(e: Event, name: string) {
  for (const a of e.args) if (a.name === name) return a;
  return undefined;
}

function bindArg(field: string, raw: boolean): (arg: string | undefined) => Reader {
  return (arg) => {
    if (arg === undefined || arg === '') throw new Error(`${field} needs an argument: a parameter name or index`);
    if (/^\d+$/.test(arg)) {
      const i = Number(arg);
      return (e) => {
        const a = e.args[i];
        if (!a) return undefined;
        return raw && a.raw !== null ? a.raw : a.text;
      };
    }
    return (e) => {
      const a = argByName(e, arg);
      if (!a) return undefined;
      return raw && a.raw !== null ? a.raw : a.text;
    };
  };
}

export const evtFields: FieldDef[] = [
  simple('evt.type', 'string', 'Event type: the syscall name (open, execve, connect...).', (e) => e.type),
  simple('evt.dir', 'string', "Direction: '>' for enter events, '<' for exit events.", (e) => (e.dir === 'ENTER' ? '>' : '<')),
  simple('evt.res', 'string', "Result: SUCCESS, or the errno name (ENOENT...) on failure.", (e) =>
    e.res === null ? undefined : e.res >= 0 ? 'SUCCESS' : errnoName(-e.res) ?? `E${-e.res}`),
  simple('evt.rawres', 'int', 'Raw return value of the syscall.', (e) => (e.res === null ? undefined : e.res)),
  simple('evt.failed', 'bool', 'True when the syscall returned an error.', (e) => (e.res === null ? undefined : e.res < 0)),
  simple('evt.num', 'uint', 'Per-host event sequence number.', (e) => e.seq),
  simple('evt.cpu', 'int', 'CPU the event was seen on.', (e) => e.cpu),
  simple('evt.source', 'string', 'Event source (syscall).', (e) => e.source),
  simple('evt.hostname', 'string', 'Name of the host the event happened on.', (e) => e.host.name),
  simple('evt.time', 'string', 'Event time of day, HH:MM:SS.nnnnnnnnn (UTC).', (e) => formatTime(e.ts, 'time')),
  simple('evt.time.iso8601', 'string', 'Event time, ISO 8601 with ns (UTC).', (e) => rfc3339Nanos(e.ts)),
  simple('evt.datetime', 'string', 'Event date and time, ISO 8601 (UTC).', (e) => rfc3339Nanos(e.ts)),
  simple('evt.rawtime', 'abstime', 'Event time, ns since the epoch.', (e) => e.ts),
  simple('evt.rawtime.s', 'uint', 'Seconds part of evt.rawtime.', (e) => Number(e.ts / 1_000_000_000n)),
  simple('evt.rawtime.ns', 'uint', 'Nanoseconds part of evt.rawtime.', (e) => Number(e.ts % 1_000_000_000n)),
  simple('evt.args', 'string', 'All arguments, as name=value pairs.', (e) => e.args.map((a) => `${a.name}=${a.text}`).join(' ')),
  simple('evt.is_open_read', 'bool', 'An open-family event that opened for reading.', (e) => {
    const f = openFlags(e);
    if (f === undefined) return false;
    const acc = f & O_ACCMODE;
    return acc === 0 || acc === O_RDWR;
  }),
  simple('evt.is_open_write', 'bool', 'An open-family event that opened for writing.', (e) => {
    const f = openFlags(e);
    if (f === undefined) return false;
    const acc = f & O_ACCMODE;
    return acc === O_WRONLY || acc === O_RDWR;
  }),
  simple('evt.is_open_exec', 'bool', 'An open-family event that created a file with an execute bit.', (e) => {
    const f = openFlags(e);
    if (f === undefined || (f & O_CREAT) === 0) return false;
    const mode = argByName(e, 'mode');
    const m = mode ? (typeof mode.raw === 'number' ? mode.raw : parseInt(mode.text, 8)) : 0;
    return (m & 0o111) !== 0;
  }),
  {
    name: 'evt.arg', type: 'string', arg: 'required', dottedArg: true,
    desc: 'An argument by name (evt.arg.flags, evt.arg[flags]) or index (evt.arg[0]), in text form.',
    bind: bindArg('evt.arg', false),
  },
  {
    name: 'evt.rawarg', type: 'string', arg: 'required', dottedArg: true,
    desc: 'An argument by name or index, in raw form (numbers for flags, modes, ids).',
    bind: bindArg('evt.rawarg', true),
  },
  simple('evt.buffer', 'bytes', 'Data buffer of I/O events.', (e) => argByName(e, 'data')?.text),
];
