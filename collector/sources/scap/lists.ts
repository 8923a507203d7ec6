// Parsers of the metadata blocks at the head of a capture: machine info, process list (V1..V9),
// fd list (V1, V2), interface list (V1, V2), user/group list (V1, V2). Layouts: format.ts.
// Each parser reads one block body [start, end) and throws ScapFormatError on inconsistency.
import { ScapFormatError } from './errors.js';
import { openFlagsToLinux } from './flags.js';
import { ipv4, ipv6, readSigned, readStrings, readU64Big, readUnsigned, utf8 } from './params.js';

export interface ScapMachine {
  numCpus: number;
  memoryBytes: bigint;
  maxPid: bigint;
  hostname: string;
  /** ns since the epoch; 0 in captures older than the field. */
  bootTs: bigint;
  flags: bigint;
}

export interface ScapThread {
  tid: number;
  pid: number;
  ptid: number;
  sid: number | null;
  vpgid: number | null;
  comm: string;
  /** argv[0]. */
  exe: string;
  exepath: string;
  args: string[];
  cwd: string;
  fdlimit: number;
  flags: number;
  uid: number;
  gid: number;
  /** The environment, NUL-separated, as stored (a view of the capture); `threadEnv` splits it. */
  envBytes: Buffer;
  vtid: number | null;
  vpid: number | null;
  /** One `controller=path` entry per line (the NUL-separated list as one string: cheaper to read). */
  cgroups: string;
  root: string;
  tty: number;
  /** -1 when unset (0xffffffff in the file) or absent. */
  loginuid: number;
  capEffective: bigint;
  capPermitted: bigint;
  capInheritable: bigint;
  exeWritable: boolean;
  exeUpperLayer: boolean;
  exeLowerLayer: boolean;
  exeFromMemfd: boolean;
  pidnsInitStartTs: bigint;
}

export type ScapFdInfo =
  | { kind: 'ipv4' | 'ipv6'; sip: string; dip: string; sport: number; dport: number; l4proto: number }
  | { kind: 'ipv4server' | 'ipv6server'; ip: string; port: number; l4proto: number }
  | { kind: 'unix'; source: bigint; dest: bigint; path: string }
  | { kind: 'file'; name: string; /** Linux O_* flags. */ openFlags: number | null }
  | { kind: 'named'; name: string };

export interface ScapFd {
  tid: number;
  fd: number;
  /** A number below 2^53 (every inode in practice), else a bigint. */
  ino: number | bigint;
  /** scap_fd_type: 1 file, 2 directory, 3/4 ipv4/6 socket, 5/6 servers, 7 fifo, 8 unix, 9 event, ... */
  type: number;
  info: ScapFdInfo;
}

export interface ScapInterface {
  family: 'inet' | 'inet6';
  name: string;
  addr: string;
  netmask: string;
  bcast: string;
  linkspeed: bigint;
}

export interface ScapUser { uid: number; gid: number; name: string; home: string; shell: string }
export interface ScapGroup { gid: number; name: string }

const EMPTY = Buffer.alloc(0);

export function threadEnv(t: ScapThread): string[] {
  return readStrings(t.envBytes, 0, t.envBytes.length);
}

/** A bounds-checked little-endian reader over one block body. */
class Cursor {
  constructor(readonly file: string, readonly b: Buffer, public p: number, public end: number) {}

  need(n: number, what: string): void {
    if (this.p + n > this.end) throw new ScapFormatError(this.file, this.p, `truncated ${what}: need ${n} bytes, ${this.end - this.p} left`);
  }
  u8(what: string): number { this.need(1, what); return this.b[this.p++]!; }
  u16(what: string): number { this.need(2, what); const v = this.b.readUInt16LE(this.p); this.p += 2; return v; }
  u32(what: string): number { this.need(4, what); const v = this.b.readUInt32LE(this.p); this.p += 4; return v; }
  u64(what: string): bigint { this.need(8, what); const v = readU64Big(this.b, this.p); this.p += 8; return v; }
  i64n(what: string): number {
    this.need(8, what);
    const v = readSigned(this.b, this.p, this.p + 8);
    this.p += 8;
    return typeof v === 'number' ? v : Number(v);
  }
  skip(n: number, what: string): void { this.need(n, what); this.p += n; }
  bytes(n: number, what: string): Buffer { this.need(n, what); const v = this.b.subarray(this.p, this.p + n); this.p += n; return v; }
  /** str16: u16 length + bytes; trailing NULs dropped. */
  str16(what: string): string {
    const n = this.u16(what);
    this.need(n, what);
    const s = this.p;
    let e = s + n;
    this.p = e;
    while (e > s && this.b[e - 1] === 0) e--;
    return e === s ? '' : utf8(this.b, s, e);
  }
  /** str16 holding a NUL-separated list. */
  list16(what: string): string[] {
    const n = this.u16(what);
    this.need(n, what);
    const out = readStrings(this.b, this.p, this.p + n);
    this.p += n;
    return out;
  }
  remaining(): number { return this.end - this.p; }
}

export function parseMachineInfo(file: string, b: Buffer, start: number, end: number): ScapMachine {
  const c = new Cursor(file, b, start, end);
  const numCpus = c.u32('machine info');
  const memoryBytes = c.u64('machine info');
  const maxPid = c.u64('machine info');
  const hostRaw = c.bytes(128, 'machine info hostname');
  const nul = hostRaw.indexOf(0);
  const hostname = hostRaw.toString('utf8', 0, nul < 0 ? 128 : nul);
  const bootTs = c.remaining() >= 8 ? c.u64('machine info') : 0n;
  const flags = c.remaining() >= 8 ? c.u64('machine info') : 0n;
  return { numCpus, memoryBytes, maxPid, hostname, bootTs, flags };
}

/** Process list of version `v` (1..9). */
export function parseProcessList(file: string, b: Buffer, start: number, end: number, v: number): ScapThread[] {
  const out: ScapThread[] = [];
  const c = new Cursor(file, b, start, end);
  const e = new Cursor(file, b, start, end);
  while (c.remaining() >= 4) {
    const entryStart = c.p;
    const subLen = v >= 9 ? c.u32('process entry length') : 0;
    if (v >= 9 && (subLen < 4 || entryStart + subLen > end)) throw new ScapFormatError(file, entryStart, `process entry length ${subLen} does not fit the block`);
    const entryEnd = v >= 9 ? entryStart + subLen : end;
    e.p = c.p;
    e.end = entryEnd;
    const t = parseThread(e, v, subLen, entryStart);
    out.push(t);
    c.p = v >= 9 ? entryEnd : e.p;
  }
  return out;
}

function parseThread(c: Cursor, v: number, subLen: number, entryStart: number): ScapThread {
  const w = 'process entry';
  const tid = c.i64n(w);
  const pid = c.i64n(w);
  const ptid = c.i64n(w);
  const sid = v >= 6 ? c.i64n(w) : null;
  const vpgid = v >= 8 ? c.i64n(w) : null;
  const comm = c.str16(w);
  const exe = c.str16(w);
  const exepath = v >= 7 ? c.str16(w) : '';
  const args = c.list16(w);
  const cwd = c.str16(w);
  const fdlimit = c.i64n(w);
  const flags = c.u32(w);
  const uid = c.u32(w);
  const gid = c.u32(w);
  if (v >= 2) {
    c.skip(28, w); // vmsize, vmrss, vmswap (kB, u32 each), major and minor page faults (u64 each)
  }
  // Split only on demand: no consumer on the replay path needs the environment of every thread.
  const envBytes = v >= 3 ? c.bytes(c.u16(w), w) : EMPTY;
  let vtid: number | null = null;
  let vpid: number | null = null;
  let cgroups = '';
  let root = '';
  if (v >= 4) {
    vtid = c.i64n(w);
    vpid = c.i64n(w);
    cgroups = c.str16(w).replaceAll('\0', '\n');
    if (v >= 5) root = c.str16(w);
  }
  const t: ScapThread = {
    tid, pid, ptid, sid, vpgid, comm, exe, exepath, args, cwd, fdlimit, flags, uid, gid, envBytes, vtid, vpid,
    cgroups, root, tty: 0, loginuid: -1, capEffective: 0n, capPermitted: 0n, capInheritable: 0n,
    exeWritable: false, exeUpperLayer: false, exeLowerLayer: false, exeFromMemfd: false, pidnsInitStartTs: 0n,
  };
  if (v < 9 || subLen === 0) return t;
  const used = (): number => c.p - entryStart;
  const fits = (n: number): boolean => used() + n <= subLen;
  // libs 0.10 inserted pidns_init_start_ts and tty before loginuid; older writers end with at
  // most the 29 bytes of loginuid + exe_writable + 3 capability words.
  if (subLen - used() > 29) {
    if (fits(8)) t.pidnsInitStartTs = c.u64(w);
    if (fits(4)) t.tty = c.u32(w);
  }
  if (fits(4)) { const l = c.u32(w); t.loginuid = l === 0xffffffff ? -1 : l; }
  if (fits(1)) t.exeWritable = c.u8(w) !== 0;
  if (fits(8)) t.capInheritable = c.u64(w);
  if (fits(8)) t.capPermitted = c.u64(w);
  if (fits(8)) t.capEffective = c.u64(w);
  if (fits(1)) t.exeUpperLayer = c.u8(w) !== 0;
  if (fits(8)) c.skip(8, w); // exe_ino
  if (fits(8)) c.skip(8, w); // exe_ino_ctime
  if (fits(8)) c.skip(8, w); // exe_ino_mtime
  if (fits(1)) t.exeFromMemfd = c.u8(w) !== 0;
  if (fits(1)) t.exeLowerLayer = c.u8(w) !== 0;
  return t;
}

const FD_NAMED = new Set([1, 2, 7, 9, 10, 11, 12, 13, 14, 15, 17, 18, 19, 20, 21]);

export function parseFdList(file: string, b: Buffer, start: number, end: number, v2: boolean): ScapFd[] {
  const out: ScapFd[] = [];
  const c = new Cursor(file, b, start, end);
  const tid = c.i64n('fd list tid');
  const e = new Cursor(file, b, start, end);
  while (c.remaining() >= 4) {
    const entryStart = c.p;
    const subLen = v2 ? c.u32('fd entry length') : 0;
    if (v2 && (subLen < 4 || entryStart + subLen > end)) throw new ScapFormatError(file, entryStart, `fd entry length ${subLen} does not fit the block`);
    e.p = c.p;
    e.end = v2 ? entryStart + subLen : end;
    const fd = e.i64n('fd entry');
    e.need(8, 'fd entry');
    const ino = readUnsigned(b, e.p, e.p + 8);
    e.p += 8;
    const type = e.u8('fd entry');
    let info: ScapFdInfo;
    switch (type) {
      case 3: case 4: {
        const n = type === 3 ? 4 : 16;
        const sipAt = e.p;
        e.bytes(n * 2, 'fd socket');
        const sport = e.u16('fd socket');
        const dport = e.u16('fd socket');
        const l4proto = e.u8('fd socket');
        const sip = type === 3 ? ipv4(b, sipAt) : ipv6(b, sipAt);
        const dip = type === 3 ? ipv4(b, sipAt + 4) : ipv6(b, sipAt + 16);
        info = { kind: type === 3 ? 'ipv4' : 'ipv6', sip, dip, sport, dport, l4proto };
        break;
      }
      case 5: case 6: {
        const at = e.p;
        e.bytes(type === 5 ? 4 : 16, 'fd server socket');
        const port = e.u16('fd server socket');
        const l4proto = e.u8('fd server socket');
        info = { kind: type === 5 ? 'ipv4server' : 'ipv6server', ip: type === 5 ? ipv4(b, at) : ipv6(b, at), port, l4proto };
        break;
      }
      case 8: {
        const source = e.u64('fd unix socket');
        const dest = e.u64('fd unix socket');
        info = { kind: 'unix', source, dest, path: e.str16('fd unix socket') };
        break;
      }
      case 16: {
        const flags = e.u32('fd file');
        info = { kind: 'file', name: e.str16('fd file'), openFlags: openFlagsToLinux(flags) };
        break;
      }
      default:
        if (!FD_NAMED.has(type)) {
          // A type newer than this reader: libscap keeps it as "unsupported"; so do we.
          info = { kind: 'named', name: `unknown-type:[${type}]` };
          if (!v2) throw new ScapFormatError(file, entryStart, `fd entry of unknown type ${type} in a v1 list cannot be skipped`);
        } else {
          info = type === 1 ? { kind: 'file', name: e.str16('fd name'), openFlags: null } : { kind: 'named', name: e.str16('fd name') };
        }
    }
    out.push({ tid, fd, ino, type, info });
    c.p = v2 ? entryStart + subLen : e.p;
  }
  return out;
}

export function parseInterfaceList(file: string, b: Buffer, start: number, end: number, v2: boolean): ScapInterface[] {
  const out: ScapInterface[] = [];
  const c = new Cursor(file, b, start, end);
  while (c.remaining() >= 4) {
    const entryStart = c.p;
    const entryLen = v2 ? c.u32('interface entry length') : 0;
    const type = c.u16('interface entry');
    const nameLen = c.u16('interface entry');
    const v6 = type === 2 || type === 4;
    if (type < 1 || type > 4) throw new ScapFormatError(file, entryStart, `unknown interface type ${type}`);
    const n = v6 ? 16 : 4;
    const at = c.p;
    c.bytes(n * 3, 'interface addresses');
    const linkspeed = type <= 2 ? c.u64('interface linkspeed') : 0n;
    const name = c.bytes(nameLen, 'interface name').toString('utf8').replace(/\0+$/, '');
    const addr = (o: number): string => (v6 ? ipv6(b, at + o * 16) : ipv4(b, at + o * 4));
    out.push({ family: v6 ? 'inet6' : 'inet', name, addr: addr(0), netmask: addr(1), bcast: addr(2), linkspeed });
    if (v2) {
      if (entryStart + 4 + entryLen > end) throw new ScapFormatError(file, entryStart, `interface entry length ${entryLen} does not fit the block`);
      c.p = entryStart + 4 + entryLen;
    }
  }
  return out;
}

export function parseUserList(file: string, b: Buffer, start: number, end: number, v2: boolean): { users: ScapUser[]; groups: ScapGroup[] } {
  const users: ScapUser[] = [];
  const groups: ScapGroup[] = [];
  const c = new Cursor(file, b, start, end);
  while (c.remaining() >= 4) {
    const entryStart = c.p;
    const subLen = v2 ? c.u32('user entry length') : 0;
    if (v2 && (subLen < 4 || entryStart + subLen > end)) throw new ScapFormatError(file, entryStart, `user entry length ${subLen} does not fit the block`);
    const type = c.u8('user entry');
    if (type === 0) {
      const uid = c.u32('user entry');
      const gid = c.u32('user entry');
      users.push({ uid, gid, name: c.str16('user name'), home: c.str16('user home'), shell: c.str16('user shell') });
    } else {
      const gid = c.u32('group entry');
      groups.push({ gid, name: c.str16('group name') });
    }
    if (v2) c.p = entryStart + subLen;
  }
  return { users, groups };
}
