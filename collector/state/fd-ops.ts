// Record handlers that change fd tables: opens, sockets, dup, close, pipes and the other
// descriptor-creating calls. Each returns the descriptor the event acts on (`undefined` lets the
// engine look up the record's `fd` argument). Tables change on successful EXIT records only;
// arguments missing from an exit are taken from the thread's ENTER record (engine.arg).
import type { FileDescriptor } from '../../schemas/types.generated.js';
import type { RawRecord, SockAddr, SockTuple } from '../raw-record.js';
import type { Handler, StateEngine } from './engine.js';
import { numberArg } from './values.js';
import { resolvePath } from './paths.js';
import type { FdSeed } from './seeds.js';
import { addrText, domainTypeChar, familyTypeChar, isSockAddr, isSockTuple, l4protoOf, tupleText } from './sockets.js';
import type { ThreadEntry } from './types.js';

const O_DIRECTORY = 0o200000;
const O_CLOEXEC = 0o2000000;
const SOCK_CLOEXEC = 0o2000000;
const AT_FDCWD = -100;
const EINPROGRESS = -115;
const F_DUPFD = 0;
const F_DUPFD_CLOEXEC = 1030;

/** A frozen FileDescriptor from seed-like parts; socket names default to `cip:cport->sip:sport`. */
export function fdView(s: FdSeed): FileDescriptor {
  const isSocket = s.typeChar === '4' || s.typeChar === '6' || s.typeChar === 'u';
  let name = s.name;
  if (name === undefined) {
    name = isSocket && s.typeChar !== 'u' && (s.sip != null || s.cip != null)
      ? `${s.cip ?? '0.0.0.0'}:${s.cport ?? 0}->${s.sip ?? '0.0.0.0'}:${s.sport ?? 0}`
      : '';
  }
  return Object.freeze({
    num: s.num, typeChar: s.typeChar, name, nameRaw: s.nameRaw ?? null, l4proto: s.l4proto ?? null,
    sockfamily: s.typeChar === 'u' ? 'unix' : s.typeChar === '4' || s.typeChar === '6' ? 'ip' : null,
    cip: s.cip ?? null, cport: s.cport ?? null, sip: s.sip ?? null, sport: s.sport ?? null,
    isServer: s.isServer ?? null, connected: s.connected ?? null,
  });
}

function withNum(v: FileDescriptor, num: number): FileDescriptor {
  return Object.freeze({ ...v, num });
}

function succeeded(rec: RawRecord): boolean {
  return rec.dir === 'EXIT' && rec.res !== null && rec.res >= 0;
}

function str(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return null;
}

/** The directory an *at() call resolves against: the cwd for AT_FDCWD, else the dirfd's path. */
function baseDir(s: StateEngine, th: ThreadEntry, dirfd: number | null): string | null {
  if (dirfd === null || dirfd === AT_FDCWD) return th.proc.cwd;
  const e = s.fdEntry(th.proc, dirfd);
  return e === undefined ? null : e.view.name;
}

const open: Handler = (s, rec, th) => {
  if (rec.dir !== 'EXIT') return undefined;
  const raw = str(s.arg(rec, th, 'name')) ?? str(s.arg(rec, th, 'path')) ?? '';
  const flags = numberArg(s.arg(rec, th, 'flags')) ?? 0;
  const dirfd = numberArg(s.arg(rec, th, 'dirfd'));
  const name = resolvePath(baseDir(s, th, dirfd), raw);
  const typeChar = (flags & O_DIRECTORY) !== 0 ? 'd' : 'f';
  const res = rec.res ?? -1;
  if (res < 0) return fdView({ num: -1, typeChar, name, nameRaw: raw });
  const view = fdView({ num: res, typeChar, name, nameRaw: raw });
  s.putFd(th.proc, res, { view, cloexec: (flags & O_CLOEXEC) !== 0 });
  return view;
};

const socket: Handler = (s, rec, th) => {
  if (!succeeded(rec)) return undefined;
  const domain = numberArg(s.arg(rec, th, 'domain')) ?? 0;
  const type = numberArg(s.arg(rec, th, 'type')) ?? 0;
  const proto = numberArg(s.arg(rec, th, 'proto')) ?? 0;
  const view = fdView({ num: rec.res!, typeChar: domainTypeChar(domain), l4proto: l4protoOf(domain, type, proto) });
  s.putFd(th.proc, rec.res!, { view, cloexec: (type & SOCK_CLOEXEC) !== 0 });
  return view;
};

function socketFromTuple(num: number, t: SockTuple, prior: FileDescriptor | undefined, server: boolean, connected: boolean): FileDescriptor {
  const ip = t.family !== 'unix';
  return fdView({
    num, typeChar: familyTypeChar(t.family), name: tupleText(t), l4proto: prior?.l4proto ?? (ip ? 'tcp' : null),
    cip: ip && t.src.family !== 'unix' && t.src.family !== 'other' ? t.src.ip : null,
    cport: ip && t.src.family !== 'unix' && t.src.family !== 'other' ? t.src.port : null,
    sip: ip && t.dst.family !== 'unix' && t.dst.family !== 'other' ? t.dst.ip : null,
    sport: ip && t.dst.family !== 'unix' && t.dst.family !== 'other' ? t.dst.port : null,
    isServer: server, connected,
  });
}

function socketToAddr(num: number, a: SockAddr, prior: FileDescriptor | undefined, server: boolean, connected: boolean): FileDescriptor {
  if (a.family === 'unix') return fdView({ num, typeChar: 'u', name: a.path, isServer: server, connected });
  if (a.family === 'other') return fdView({ num, typeChar: prior?.typeChar ?? 'o', name: '', isServer: server, connected });
  const zero = a.family === 'inet' ? '0.0.0.0' : '::';
  return server
    ? fdView({ num, typeChar: familyTypeChar(a.family), name: addrText(a), l4proto: prior?.l4proto ?? null, sip: a.ip, sport: a.port, isServer: true, connected })
    : fdView({ num, typeChar: familyTypeChar(a.family), name: `${zero}:0->${addrText(a)}`, l4proto: prior?.l4proto ?? null, sip: a.ip, sport: a.port, isServer: false, connected });
}

const connect: Handler = (s, rec, th) => {
  if (rec.dir !== 'EXIT') return undefined;
  const num = numberArg(s.arg(rec, th, 'fd'));
  if (num === null) return null;
  const prior = s.fdEntry(th.proc, num);
  const ok = rec.res !== null && (rec.res >= 0 || rec.res === EINPROGRESS);
  const t = s.arg(rec, th, 'tuple');
  const a = s.arg(rec, th, 'addr');
  let view: FileDescriptor | null = null;
  if (isSockTuple(t)) view = socketFromTuple(num, t, prior?.view, false, ok);
  else if (isSockAddr(a)) view = socketToAddr(num, a, prior?.view, false, ok);
  if (view === null) return prior?.view ?? null;
  // A failed connect leaves the socket as it was; the event still shows where it tried to go.
  if (ok) s.putFd(th.proc, num, { view, cloexec: prior?.cloexec ?? false });
  return view;
};

const accept: Handler = (s, rec, th) => {
  if (!succeeded(rec)) return undefined;
  const num = rec.res!;
  const t = s.arg(rec, th, 'tuple');
  const listening = numberArg(s.arg(rec, th, 'listen_fd'));
  const prior = listening === null ? undefined : s.fdEntry(th.proc, listening)?.view;
  const flags = numberArg(s.arg(rec, th, 'flags')) ?? 0;
  const view = isSockTuple(t)
    ? socketFromTuple(num, t, prior, true, true)
    : fdView({ num, typeChar: prior?.typeChar ?? 'o', l4proto: prior?.l4proto ?? null, isServer: true, connected: true });
  s.putFd(th.proc, num, { view, cloexec: (flags & SOCK_CLOEXEC) !== 0 });
  return view;
};

const bind: Handler = (s, rec, th) => {
  const num = numberArg(s.arg(rec, th, 'fd'));
  if (num === null) return null;
  const prior = s.fdEntry(th.proc, num);
  if (!succeeded(rec)) return prior?.view ?? null;
  const a = s.arg(rec, th, 'addr');
  if (!isSockAddr(a)) return prior?.view ?? null;
  const view = socketToAddr(num, a, prior?.view, true, false);
  s.putFd(th.proc, num, { view, cloexec: prior?.cloexec ?? false });
  return view;
};

const listen: Handler = (s, rec, th) => {
  const num = numberArg(s.arg(rec, th, 'fd'));
  if (num === null) return null;
  const prior = s.fdEntry(th.proc, num);
  if (prior === undefined || !succeeded(rec) || prior.view.isServer === true) return prior?.view ?? null;
  const view = Object.freeze({ ...prior.view, isServer: true });
  s.putFd(th.proc, num, { view, cloexec: prior.cloexec });
  return view;
};

function duplicate(s: StateEngine, th: ThreadEntry, oldfd: number | null, newfd: number, cloexec: boolean): FileDescriptor | null {
  const src = oldfd === null ? undefined : s.fdEntry(th.proc, oldfd);
  if (src === undefined) {
    // The original is unknown to us, and so is the copy: forget what newfd was.
    s.removeFd(th.proc, newfd);
    return null;
  }
  const view = withNum(src.view, newfd);
  s.putFd(th.proc, newfd, { view, cloexec });
  return view;
}

const dup: Handler = (s, rec, th) => {
  if (!succeeded(rec)) return undefined;
  const oldfd = numberArg(s.arg(rec, th, 'oldfd')) ?? numberArg(s.arg(rec, th, 'fd'));
  const flags = numberArg(s.arg(rec, th, 'flags')) ?? 0;
  return duplicate(s, th, oldfd, rec.res!, rec.type === 'dup3' && (flags & O_CLOEXEC) !== 0);
};

const fcntl: Handler = (s, rec, th) => {
  const cmd = numberArg(s.arg(rec, th, 'cmd'));
  if ((cmd !== F_DUPFD && cmd !== F_DUPFD_CLOEXEC) || !succeeded(rec)) return undefined;
  return duplicate(s, th, numberArg(s.arg(rec, th, 'fd')), rec.res!, cmd === F_DUPFD_CLOEXEC);
};

const close: Handler = (s, rec, th) => {
  const num = numberArg(s.arg(rec, th, 'fd'));
  if (num === null) return null;
  if (rec.dir === 'EXIT' && rec.res === 0) return s.removeFd(th.proc, num)?.view ?? null;
  return s.lookupFd(th, num);
};

function pair(typeChar: string): Handler {
  return (s, rec, th) => {
    if (!succeeded(rec)) return null;
    const flags = numberArg(s.arg(rec, th, 'flags')) ?? 0;
    const cloexec = (flags & O_CLOEXEC) !== 0;
    for (const key of ['fd1', 'fd2']) {
      const num = numberArg(s.arg(rec, th, key));
      if (num !== null) s.putFd(th.proc, num, { view: fdView({ num, typeChar }), cloexec });
    }
    return null;
  };
}

/** eventfd, signalfd, epoll, inotify, timerfd, bpf, memfd: the result is a new fd of one kind. */
function creator(typeChar: string, cloexecBit: number, name?: (s: StateEngine, rec: RawRecord, th: ThreadEntry) => string): Handler {
  return (s, rec, th) => {
    if (!succeeded(rec)) return undefined;
    const num = rec.res!;
    const flags = numberArg(s.arg(rec, th, 'flags')) ?? 0;
    const view = fdView({ num, typeChar, name: name === undefined ? '' : name(s, rec, th) });
    s.putFd(th.proc, num, { view, cloexec: cloexecBit !== 0 && (flags & cloexecBit) !== 0 });
    return view;
  };
}

const BPF_MAP_CREATE = 0;
const BPF_PROG_LOAD = 5;
const bpf: Handler = (s, rec, th) => {
  const cmd = numberArg(s.arg(rec, th, 'cmd'));
  if (cmd !== BPF_MAP_CREATE && cmd !== BPF_PROG_LOAD) return undefined;
  return creator('b', 0)(s, rec, th);
};

export const FD_HANDLERS: ReadonlyArray<[string, Handler]> = [
  ['open', open], ['openat', open], ['openat2', open], ['creat', open],
  ['socket', socket], ['connect', connect], ['accept', accept], ['accept4', accept],
  ['bind', bind], ['listen', listen],
  ['dup', dup], ['dup2', dup], ['dup3', dup], ['fcntl', fcntl], ['close', close],
  ['pipe', pair('p')], ['pipe2', pair('p')], ['socketpair', pair('u')],
  ['eventfd', creator('e', 0)], ['eventfd2', creator('e', O_CLOEXEC)],
  ['signalfd', creator('s', 0)], ['signalfd4', creator('s', O_CLOEXEC)],
  ['epoll_create', creator('l', 0)], ['epoll_create1', creator('l', O_CLOEXEC)],
  ['inotify_init', creator('i', 0)], ['inotify_init1', creator('i', O_CLOEXEC)],
  ['timerfd_create', creator('t', O_CLOEXEC)],
  ['memfd_create', creator('m', 1 /* MFD_CLOEXEC */, (s, rec, th) => `memfd:${str(s.arg(rec, th, 'name')) ?? ''}`)],
  ['bpf', bpf],
];
