// Decoder for the probe's packed records: the TypeScript mirror of bpf/record.h (the one
// definition of the layout; change both together). A batch is records back to back, each at
// an 8-byte aligned offset:
//   saker_hdr (80):  u64 ts (CLOCK_BOOTTIME ns) | s64 res | u32 tid | u32 pid | u16 len | u16 nr |
//                    u16 cpu | u8 kind | u8 flags | u64 args[6]
//   saker_facts (64, if flags & FACTS): u32 ppid, vpid, uid, gid, loginuid, tty, exe_flags, euid |
//                    u64 cap_eff | u64 start_ts | char comm[16]
//   blobs until len: u16 len | u8 tag (arg index or TAG_*) | u8 kind (BLOB_*) | payload
//   (facts come with CGROUP and CWD blobs; exec records with EXEPATH and ARGV)
// Arguments are named after Falco's event table through probe/syscalls.ts.
import type { ProcessFacts, RawArg, RawRecord, SockAddr, SockTuple } from '../collector/raw-record.js';
import { RecordLayoutError } from './errors.js';
import { BLOB, BY_NR, TAG, type SyscallSpec } from './syscalls.js';

export const HDR_SIZE = 80;
export const FACTS_SIZE = 64;
const BLOB_HDR = 4;
const TUPLE_SIZE = 40;
const KIND_SYSCALL = 0;
const KIND_PROCEXIT = 1;
const F_FACTS = 0x01;
const EXE_UPPER_LAYER = 0x01;
const EXE_FROM_MEMFD = 0x02;
const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;
const MAX_TAG = 32;

// Blob positions of the record being decoded, by tag; `seen` stamps avoid clearing per record.
const blobStart = new Int32Array(MAX_TAG);
const blobLen = new Int32Array(MAX_TAG);
const blobKind = new Uint8Array(MAX_TAG);
const seen = new Uint32Array(MAX_TAG);
let stamp = 0;

function i64(buf: Buffer, o: number): number {
  return buf.readInt32LE(o + 4) * 4294967296 + buf.readUInt32LE(o);
}

function u64(buf: Buffer, o: number): number {
  return buf.readUInt32LE(o + 4) * 4294967296 + buf.readUInt32LE(o);
}

function cstr(buf: Buffer, start: number, len: number): string {
  let end = start;
  const max = start + len;
  while (end < max && buf[end] !== 0) end++;
  return buf.toString('utf8', start, end);
}

/** A STR blob: the kernel's length counts the terminating NUL. */
function blobStr(buf: Buffer, tag: number): string {
  const start = blobStart[tag]!;
  const len = blobLen[tag]!;
  return buf.toString('utf8', start, len > 0 && buf[start + len - 1] === 0 ? start + len - 1 : start + len);
}

function ipv4(buf: Buffer, o: number): string {
  return `${buf[o]}.${buf[o + 1]}.${buf[o + 2]}.${buf[o + 3]}`;
}

/** RFC 5952 text form (longest zero run compressed). */
export function ipv6(buf: Buffer, o: number): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(buf.readUInt16BE(o + 2 * i));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  if (bestStart < 0) return words.map((w) => w.toString(16)).join(':');
  const head = words.slice(0, bestStart).map((w) => w.toString(16)).join(':');
  const tail = words.slice(bestStart + bestLen).map((w) => w.toString(16)).join(':');
  return `${head}::${tail}`;
}

/** A raw struct sockaddr as the process passed it. */
export function sockAddr(buf: Buffer, start: number, len: number): SockAddr {
  const af = len >= 2 ? buf.readUInt16LE(start) : 0;
  if (af === AF_INET && len >= 8) return { family: 'inet', ip: ipv4(buf, start + 4), port: buf.readUInt16BE(start + 2) };
  if (af === AF_INET6 && len >= 24) return { family: 'inet6', ip: ipv6(buf, start + 8), port: buf.readUInt16BE(start + 2) };
  if (af === AF_UNIX) {
    if (len > 2 && buf[start + 2] === 0) return { family: 'unix', path: `@${cstr(buf, start + 3, len - 3)}` };
    return { family: 'unix', path: len > 2 ? cstr(buf, start + 2, len - 2) : '' };
  }
  return { family: 'other', af };
}

function tuple(buf: Buffer, o: number, peerIsSource: boolean, addr: SockAddr | null): SockTuple | null {
  const fam = buf.readUInt16LE(o);
  const sport = buf.readUInt16LE(o + 2);
  const dport = buf.readUInt16LE(o + 4);
  let local: SockAddr;
  let remote: SockAddr;
  if (fam === AF_INET) {
    local = { family: 'inet', ip: ipv4(buf, o + 8), port: sport };
    remote = { family: 'inet', ip: ipv4(buf, o + 24), port: dport };
  } else if (fam === AF_INET6) {
    local = { family: 'inet6', ip: ipv6(buf, o + 8), port: sport };
    remote = { family: 'inet6', ip: ipv6(buf, o + 24), port: dport };
  } else if (fam === AF_UNIX) {
    local = { family: 'unix', path: '' };
    remote = addr && addr.family === 'unix' ? addr : { family: 'unix', path: '' };
  } else {
    return null;
  }
  // An unconnected datagram socket has no peer; the address the call named is the peer.
  if (addr && remote.family !== 'unix' && remote.port === 0 && addr.family === remote.family) remote = addr;
  const family = local.family as SockTuple['family'];
  return peerIsSource ? { family, src: remote, dst: local } : { family, src: local, dst: remote };
}

function argv(buf: Buffer, start: number, len: number): string[] {
  const out: string[] = [];
  const end = start + len;
  let p = start;
  while (p < end) {
    let q = buf.indexOf(0, p);
    if (q < 0 || q > end) q = end;
    out.push(buf.toString('utf8', p, q));
    p = q + 1;
  }
  return out;
}

function blob(tag: number): boolean {
  return seen[tag] === stamp;
}

function facts(buf: Buffer, o: number, bootToEpochNs: bigint): ProcessFacts {
  const exeFlags = buf.readUInt32LE(o + 24);
  const f: ProcessFacts = {
    ppid: buf.readUInt32LE(o),
    vpid: buf.readUInt32LE(o + 4),
    uid: buf.readUInt32LE(o + 8),
    gid: buf.readUInt32LE(o + 12),
    loginuid: buf.readInt32LE(o + 16),
    tty: buf.readUInt32LE(o + 20),
    capEffective: u64(buf, o + 32),
    startTs: buf.readBigUInt64LE(o + 40) + bootToEpochNs,
    comm: cstr(buf, o + 48, 16),
    exeUpperLayer: (exeFlags & EXE_UPPER_LAYER) !== 0,
    exeFromMemfd: (exeFlags & EXE_FROM_MEMFD) !== 0,
  };
  if (blob(TAG.CGROUP)) f.cgroup = blobStr(buf, TAG.CGROUP);
  if (blob(TAG.CWD)) f.cwd = blobStr(buf, TAG.CWD);
  if (blob(TAG.EXEFILE)) f.exepath = blobStr(buf, TAG.EXEFILE);
  return f;
}

function syscallArgs(buf: Buffer, rec: number, spec: SyscallSpec, res: number): Record<string, RawArg> {
  const args: Record<string, RawArg> = {};
  const a = rec + 32;
  for (const arg of spec.args) {
    const o = a + 8 * arg.index;
    switch (arg.kind) {
      case 'fd': case 'i32': args[arg.name] = buf.readInt32LE(o); break;
      case 'u32': args[arg.name] = buf.readUInt32LE(o); break;
      case 'u64': args[arg.name] = u64(buf, o); break;
      case 'ptr':
        if (arg.name !== spec.filenameArg) args[arg.name] = buf.readBigUInt64LE(o);
        break;
      case 'str':
        args[arg.name] = blob(arg.index) ? blobStr(buf, arg.index) : null;
        break;
      case 'fdpair':
        args.fd1 = buf.readInt32LE(o);
        args.fd2 = buf.readInt32LE(o + 4);
        break;
      case 'sockaddr': case 'msghdr':
        args[arg.name] = blob(arg.index) ? sockAddr(buf, blobStart[arg.index], blobLen[arg.index]) : null;
        break;
    }
  }
  if (spec.resName) args[spec.resName] = res;
  if (spec.filenameArg) {
    args[spec.filenameArg] = blob(TAG.EXEPATH) ? blobStr(buf, TAG.EXEPATH) : null;
    if (blob(TAG.ARGV)) {
      const v = argv(buf, blobStart[TAG.ARGV], blobLen[TAG.ARGV]);
      args.exe = v[0] ?? '';
      args.args = v.slice(1);
    }
  }
  if (spec.tuple) {
    const addrArg = spec.args.find((x) => x.kind === 'sockaddr' || x.kind === 'msghdr');
    const addr = addrArg ? (args[addrArg.name] as SockAddr | null) : null;
    args.tuple = blob(TAG.TUPLE) ? tuple(buf, blobStart[TAG.TUPLE], spec.peerIsSource === true, addr) : null;
  }
  return args;
}

/** Decodes `count` records of a batch; appends to `out` (and returns it). */
export function decodeBatch(buf: Buffer, count: number, bootToEpochNs: bigint, out: RawRecord[] = []): RawRecord[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let off = 0;
  for (let i = 0; i < count; i++) {
    if (off + HDR_SIZE > buf.length) throw new RecordLayoutError(`record ${i} at ${off} runs past the batch (${buf.length} bytes)`);
    const len = buf.readUInt16LE(off + 24);
    if (len < HDR_SIZE || off + len > buf.length) throw new RecordLayoutError(`record ${i} at ${off} has length ${len}`);
    out.push(decodeRecord(buf, off, len, bootToEpochNs, dv));
    off += (len + 7) & ~7;
  }
  return out;
}

/** One record at `off` (`len` bytes). */
export function decodeRecord(
  buf: Buffer, off: number, len: number, bootToEpochNs: bigint,
  dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength),
): RawRecord {
  const kind = buf[off + 30];
  const flags = buf[off + 31]!;
  // One BigInt for the read (DataView is an intrinsic; Buffer's reader builds it from halves).
  const ts = dv.getBigUint64(off, true) + bootToEpochNs;
  const tid = buf.readUInt32LE(off + 16);
  const pid = buf.readUInt32LE(off + 20);
  const cpu = buf.readUInt16LE(off + 28);
  if (kind === KIND_PROCEXIT) {
    const code = buf.readInt32LE(off + 32);
    return {
      type: 'procexit', dir: 'EXIT', ts, cpu, tid, pid, res: null,
      args: { status: code, ret: code >> 8, sig: code & 0x7f, core: (code & 0x80) !== 0 ? 1 : 0 },
    };
  }
  if (kind !== KIND_SYSCALL) throw new RecordLayoutError(`record at ${off} has unknown kind ${kind}`);
  const nr = buf.readUInt16LE(off + 26);
  const spec = BY_NR[nr];
  if (!spec) throw new RecordLayoutError(`record at ${off} has syscall ${nr}, not in probe/syscalls.ts`);

  stamp = (stamp + 1) >>> 0 || 1;
  const end = off + len;
  let p = off + HDR_SIZE + ((flags & F_FACTS) !== 0 ? FACTS_SIZE : 0);
  while (p + BLOB_HDR <= end) {
    const blen = buf.readUInt16LE(p);
    const tag = buf[p + 2];
    if (p + BLOB_HDR + blen > end || tag >= MAX_TAG) throw new RecordLayoutError(`record at ${off}: bad blob at ${p}`);
    const bkind = buf[p + 3];
    if (bkind === BLOB.TUPLE && blen !== TUPLE_SIZE) throw new RecordLayoutError(`record at ${off}: tuple of ${blen} bytes`);
    blobStart[tag] = p + BLOB_HDR;
    blobLen[tag] = blen;
    blobKind[tag] = bkind;
    seen[tag] = stamp;
    p += BLOB_HDR + blen;
  }
  const res = i64(buf, off + 8);
  const rec: RawRecord = { type: spec.name, dir: 'EXIT', ts, cpu, tid, pid, res, args: syscallArgs(buf, off, spec, res) };
  if ((flags & F_FACTS) !== 0) {
    rec.facts = facts(buf, off + HDR_SIZE, bootToEpochNs);
    if (spec.filenameArg) {
      const exe = rec.args[spec.filenameArg];
      // The kernel's exe_file path when the record has it (symlinks resolved); else the name exec'd.
      if (typeof exe === 'string') rec.facts.exepath ??= exe;
      if (Array.isArray(rec.args.args)) rec.facts.argv = [String(rec.args.exe ?? ''), ...rec.args.args];
    }
  }
  return rec;
}
