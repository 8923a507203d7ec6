// Readers for the encoded parameter values of scap events (the byte layouts are listed in
// event-table.ts). Each takes the buffer and the parameter's [start, end) and returns the RawArg.
// They sit on the replay hot path: no intermediate objects beyond the returned value.
import { endianness } from 'node:os';
import type { RawArg, SockAddr, SockTuple } from '../../raw-record.js';
import { pollFlagsToLinux } from './flags.js';

const TWO_32 = 4294967296;

/**
 * UTF-8 text of b[start, end). Buffer#utf8Slice is what Buffer#toString('utf8', ...) calls after
 * checking its arguments; calling it directly saves about half the cost of the many short strings
 * a capture holds (paths, names, argv).
 */
type Utf8Sliceable = Buffer & { utf8Slice?: (start: number, end: number) => string };
const DIRECT_UTF8 = typeof (Buffer.prototype as Utf8Sliceable).utf8Slice === 'function';
export function utf8(b: Buffer, start: number, end: number): string {
  return DIRECT_UTF8 ? (b as Utf8Sliceable).utf8Slice!(start, end) : b.toString('utf8', start, end);
}

const U64 = new BigUint64Array(1);
const U64_BYTES = new Uint8Array(U64.buffer);
const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/** A u64 as bigint with one allocation (Buffer#readBigUInt64LE builds it from two halves). */
export function readU64Big(b: Buffer, p: number): bigint {
  if (!LITTLE_ENDIAN_HOST) return b.readBigUInt64LE(p);
  const t = U64_BYTES;
  t[0] = b[p]!; t[1] = b[p + 1]!; t[2] = b[p + 2]!; t[3] = b[p + 3]!;
  t[4] = b[p + 4]!; t[5] = b[p + 5]!; t[6] = b[p + 6]!; t[7] = b[p + 7]!;
  return U64[0]!;
}

/** Little-endian unsigned integer of width end-start (1, 2, 4 or 8 bytes). */
export function readUnsigned(b: Buffer, p: number, end: number): number | bigint {
  switch (end - p) {
    case 8: {
      const lo = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
      const hi = b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24);
      const h = hi >>> 0;
      if (h < 0x200000) return h * TWO_32 + (lo >>> 0);
      return b.readBigUInt64LE(p);
    }
    case 4:
      return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
    case 2:
      return b[p]! | (b[p + 1]! << 8);
    case 1:
      return b[p]!;
    default:
      return end - p > 8 ? b.readBigUInt64LE(p) : 0;
  }
}

/** Little-endian signed integer of width end-start. */
export function readSigned(b: Buffer, p: number, end: number): number | bigint {
  switch (end - p) {
    case 8: {
      const lo = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
      const hi = b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24);
      if (hi >= -0x200000 && hi < 0x200000) return hi * TWO_32 + lo;
      return b.readBigInt64LE(p);
    }
    case 4:
      return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
    case 2:
      return ((b[p]! | (b[p + 1]! << 8)) << 16) >> 16;
    case 1:
      return (b[p]! << 24) >> 24;
    default:
      return end - p > 8 ? b.readBigInt64LE(p) : 0;
  }
}

/** A u64 that may hold a small number; bigint values collapse to a Number for flag words. */
export function readSmall(b: Buffer, p: number, end: number): number {
  const v = readUnsigned(b, p, end);
  return typeof v === 'number' ? v : Number(v & 0xffffffffn);
}

/** NUL-terminated (or length-bounded) UTF-8 text. */
export function readString(b: Buffer, p: number, end: number): string {
  let e = end;
  while (e > p && b[e - 1] === 0) e--;
  return e === p ? '' : utf8(b, p, e);
}

/** NUL-separated list (argv, environment, cgroups). A trailing NUL ends the last item. */
export function readStrings(b: Buffer, p: number, end: number): string[] {
  const out: string[] = [];
  let s = p;
  for (let i = p; i < end; i++) {
    if (b[i] === 0) {
      out.push(utf8(b, s, i));
      s = i + 1;
    }
  }
  if (s < end) out.push(utf8(b, s, end));
  return out;
}

export function ipv4(b: Buffer, p: number): string {
  return `${b[p]}.${b[p + 1]}.${b[p + 2]}.${b[p + 3]}`;
}

/** RFC 5952 text: lower-case hex, longest run (>= 2) of zero groups shown as `::`. */
export function ipv6(b: Buffer, p: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[p + 2 * i]! << 8) | b[p + 2 * i + 1]!);
  // IPv4-mapped addresses keep the dotted tail, as inet_ntop prints them.
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${ipv4(b, p + 12)}`;
  }
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestAt < 0) return hex.join(':');
  return `${hex.slice(0, bestAt).join(':')}::${hex.slice(bestAt + bestLen).join(':')}`;
}

const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;

function port(b: Buffer, p: number): number {
  return b[p]! | (b[p + 1]! << 8);
}

/** sockaddr: family:u8, then ipv4 addr:4 port:u16 | ipv6 addr:16 port:u16 | unix path. */
export function readSockAddr(b: Buffer, p: number, end: number): SockAddr | null {
  if (end <= p) return null;
  const af = b[p]!;
  if (af === AF_INET && end - p >= 7) return { family: 'inet', ip: ipv4(b, p + 1), port: port(b, p + 5) };
  if (af === AF_INET6 && end - p >= 19) return { family: 'inet6', ip: ipv6(b, p + 1), port: port(b, p + 17) };
  if (af === AF_UNIX) return { family: 'unix', path: readString(b, p + 1, end) };
  return { family: 'other', af };
}

/**
 * socket tuple: family:u8, then ipv4 sip:4 sport:u16 dip:4 dport:u16 | ipv6 sip:16 sport dip:16
 * dport | unix src:u64 dst:u64 path. For unix sockets both ends get the path: the kernel
 * pointers the tuple carries identify sockets only inside the capture.
 */
export function readSockTuple(b: Buffer, p: number, end: number): SockTuple | SockAddr | null {
  if (end <= p) return null;
  const af = b[p]!;
  if (af === AF_INET && end - p >= 13) {
    return {
      family: 'inet',
      src: { family: 'inet', ip: ipv4(b, p + 1), port: port(b, p + 5) },
      dst: { family: 'inet', ip: ipv4(b, p + 7), port: port(b, p + 11) },
    };
  }
  if (af === AF_INET6 && end - p >= 37) {
    return {
      family: 'inet6',
      src: { family: 'inet6', ip: ipv6(b, p + 1), port: port(b, p + 17) },
      dst: { family: 'inet6', ip: ipv6(b, p + 19), port: port(b, p + 35) },
    };
  }
  if (af === AF_UNIX && end - p >= 17) {
    const path = readString(b, p + 17, end);
    return { family: 'unix', src: { family: 'unix', path }, dst: { family: 'unix', path } };
  }
  return { family: 'other', af };
}

/** fd list: count:u16, then (fd:i64 flags:u16) per entry -> "fd:flags" with Linux POLL* bits. */
export function readFdList(b: Buffer, p: number, end: number): string[] {
  if (end - p < 2) return [];
  const n = b[p]! | (b[p + 1]! << 8);
  const out: string[] = [];
  let q = p + 2;
  for (let i = 0; i < n && q + 10 <= end; i++, q += 10) {
    out.push(`${readSigned(b, q, q + 8)}:${pollFlagsToLinux(b[q + 8]! | (b[q + 9]! << 8))}`);
  }
  return out;
}

/** Dynamic value (sockopt val): index:u8 selects errno/u32/u64/timeval; unknown stays bytes. */
export function readDynamic(b: Buffer, p: number, end: number): RawArg {
  if (end <= p) return null;
  const idx = b[p]!;
  if (idx >= 1 && idx <= 4 && end - p > 1) return idx === 1 ? readSigned(b, p + 1, end) : readUnsigned(b, p + 1, end);
  return b.subarray(p + 1, end);
}

/** index:u8 + integer (ptrace addr/data, bpf res_or_fd): the integer, whatever the index says it is. */
export function readTagged(b: Buffer, p: number, end: number, signed: boolean): RawArg {
  if (end - p < 2) return null;
  return signed ? readSigned(b, p + 1, end) : readUnsigned(b, p + 1, end);
}
