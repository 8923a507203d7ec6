// Arguments of an event in the two forms of Event.args: `text` as Falco prints it (flags by
// name in libs' order, fds as `3(<f>/etc/passwd)`, errors as `-2(ENOENT)`, uids as user names,
// sockets as `127.0.0.1:40000->127.0.0.1:80`) and `raw` (every numeric argument as its number,
// so `evt.rawarg.X` and the flag tests need no parsing).
import type { EventArg, FileDescriptor } from '../../schemas/types.generated.js';
import type { RawArg, RawRecord } from '../raw-record.js';
import { addrText, isSockAddr, isSockTuple, tupleText } from '../state/sockets.js';
import { resultText } from './errno.js';
import {
  ACCESS_MODE, BPF_CMDS, CLONE_FLAGS, EXE_FLAGS, FCNTL_CMDS, FD_FLAGS, LINKAT_FLAGS, MEMFD_FLAGS, MMAP_FLAGS,
  MODE_FLAGS, MOUNT_FLAGS, NS_FLAGS, OPEN_FLAGS, PROT_FLAGS, PTRACE_REQUESTS, RENAME_FLAGS, SOCKET_FAMILIES, SOCK_FLAGS,
  UNLINKAT_FLAGS, flagsText, openFlagsText, type EnumTable, type FlagTable,
} from './flags.js';

/** What argument formatting needs from the state: descriptors by number, user and group names. */
export interface ArgContext {
  fd(num: number): FileDescriptor | null;
  user(uid: number): string | undefined;
  group(gid: number): string | undefined;
}

type NumberFormat = (type: string, n: number, ctx: ArgContext) => string;

const FD_ARGS = new Set(['fd', 'dirfd', 'olddirfd', 'newdirfd', 'oldfd', 'newfd', 'fd1', 'fd2', 'in_fd', 'out_fd', 'listen_fd']);
const UID_ARGS = new Set(['uid', 'euid', 'ruid', 'suid', 'loginuid']);
const GID_ARGS = new Set(['gid', 'egid', 'rgid', 'sgid']);
const CHMOD_TYPES = new Set(['chmod', 'fchmod', 'fchmodat']);
const OPEN_TYPES = new Set(['open', 'openat', 'openat2', 'creat']);
const CLONE_TYPES = new Set(['clone', 'clone3', 'fork', 'vfork']);
const FD_FLAG_TYPES = new Set(['dup3', 'pipe2', 'inotify_init1', 'eventfd2', 'epoll_create1', 'signalfd4', 'timerfd_create']);

const AT_FDCWD = -100;

function fdText(n: number, ctx: ArgContext): string {
  if (n === AT_FDCWD) return '-100(AT_FDCWD)';
  if (n < 0) return resultText(n);
  const fd = ctx.fd(n);
  return fd === null ? String(n) : `${n}(<${fd.typeChar}>${fd.name})`;
}

/** Flag texts repeat (a few distinct values per program): memoised, in a bounded map per table. */
const flagCaches = new Map<FlagTable, Map<number, string>>();
function cachedFlags(t: FlagTable, n: number, render: (n: number) => string): string {
  let cache = flagCaches.get(t);
  if (cache === undefined) flagCaches.set(t, (cache = new Map()));
  let text = cache.get(n);
  if (text === undefined) {
    text = render(n);
    if (cache.size >= 4096) cache.clear();
    cache.set(n, text);
  }
  return text;
}

function table(t: FlagTable): NumberFormat {
  return (_type, n) => cachedFlags(t, n, (v) => flagsText(t, v));
}

function enumText(t: EnumTable): NumberFormat {
  return (_type, n) => t.get(n) ?? String(n);
}

const flagsFormat: NumberFormat = (type, n) => {
  if (OPEN_TYPES.has(type)) return cachedFlags(OPEN_FLAGS, n, openFlagsText);
  if (CLONE_TYPES.has(type)) return cachedFlags(CLONE_FLAGS, n, (v) => flagsText(CLONE_FLAGS, v));
  if (FD_FLAG_TYPES.has(type)) return flagsText(FD_FLAGS, n);
  switch (type) {
    case 'execve': case 'execveat': return flagsText(EXE_FLAGS, n);
    case 'unlinkat': return flagsText(UNLINKAT_FLAGS, n);
    case 'linkat': return flagsText(LINKAT_FLAGS, n);
    case 'renameat2': return flagsText(RENAME_FLAGS, n);
    case 'memfd_create': return flagsText(MEMFD_FLAGS, n);
    case 'mmap': case 'mmap2': return flagsText(MMAP_FLAGS, n);
    case 'unshare': return flagsText(NS_FLAGS, n);
    case 'mount': return flagsText(MOUNT_FLAGS, n);
    case 'accept4': return flagsText(SOCK_FLAGS, n);
    default: return String(n);
  }
};

const modeFormat: NumberFormat = (type, n) => {
  if (CHMOD_TYPES.has(type)) return flagsText(MODE_FLAGS, n);
  if (type === 'access' || type === 'faccessat' || type === 'faccessat2') return n === 0 ? 'F_OK' : flagsText(ACCESS_MODE, n);
  return n === 0 ? '0' : `0${n.toString(8)}`;
};

const cmdFormat: NumberFormat = (type, n) => {
  if (type === 'bpf') return BPF_CMDS.get(n) ?? String(n);
  if (type === 'fcntl') return FCNTL_CMDS.get(n) ?? String(n);
  return String(n);
};

const BY_NAME = new Map<string, NumberFormat>([
  ['res', (_t, n) => resultText(n)],
  ['flags', flagsFormat],
  ['mode', modeFormat],
  ['prot', table(PROT_FLAGS)],
  ['request', enumText(PTRACE_REQUESTS)],
  ['domain', enumText(SOCKET_FAMILIES)],
  ['nstype', table(NS_FLAGS)],
  ['cmd', cmdFormat],
  ['dev', (_t, n) => n.toString(16)],
]);
for (const name of FD_ARGS) BY_NAME.set(name, (_t, n, ctx) => fdText(n, ctx));
for (const name of UID_ARGS) BY_NAME.set(name, (_t, n, ctx) => (n === -1 || n === 0xffffffff ? '-1' : ctx.user(n) ?? String(n)));
for (const name of GID_ARGS) BY_NAME.set(name, (_t, n, ctx) => (n === -1 || n === 0xffffffff ? '-1' : ctx.group(n) ?? String(n)));

/** Bytes as Falco prints buffers: printable ASCII kept, everything else as '.'. */
function bufferText(b: Buffer): string {
  let out = '';
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    out += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
  }
  return out;
}

function numberText(type: string, name: string, n: number, ctx: ArgContext): string {
  const f = BY_NAME.get(name);
  return f === undefined ? String(n) : f(type, n, ctx);
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The text form of one argument. */
export function argText(type: string, name: string, v: RawArg, ctx: ArgContext): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return numberText(type, name, v, ctx);
  if (typeof v === 'bigint') return v >= MIN_SAFE && v <= MAX_SAFE ? numberText(type, name, Number(v), ctx) : v.toString();
  if (v === null) return '<NA>';
  if (Array.isArray(v)) {
    // execve's args/env: Falco prints the NUL-separated buffer with NULs as '.'.
    let text = '';
    for (const s of v) text += `${s}.`;
    return text;
  }
  if (Buffer.isBuffer(v)) return bufferText(v);
  if (isSockTuple(v)) return tupleText(v);
  if (isSockAddr(v)) return addrText(v);
  return String(v);
}

/** The raw form: numbers (a bigint past 2^53 as its decimal text), null for everything else. */
export function argRaw(v: RawArg): number | string | null {
  if (typeof v === 'number') return Number.isInteger(v) ? v : null;
  if (typeof v === 'bigint') return v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v.toString();
  return null;
}

/** The record's arguments, in the record's order. */
export function formatArgs(rec: RawRecord, ctx: ArgContext): EventArg[] {
  const out: EventArg[] = [];
  const args = rec.args;
  for (const name in args) {
    const v = args[name]!;
    out.push({ name, text: argText(rec.type, name, v, ctx), raw: argRaw(v) });
  }
  return out;
}
