// Socket addresses and tuples as Falco prints them: `127.0.0.1:40000->127.0.0.1:80`, IPv6
// without brackets (`::1:40000->::1:80`), unix sockets by path.
import type { SockAddr, SockTuple } from '../raw-record.js';

export function addrText(a: SockAddr): string {
  switch (a.family) {
    case 'inet':
    case 'inet6':
      return `${a.ip}:${a.port}`;
    case 'unix':
      return a.path;
    case 'other':
      return '';
  }
}

export function tupleText(t: SockTuple): string {
  if (t.family === 'unix') {
    const path = t.dst.family === 'unix' && t.dst.path !== '' ? t.dst.path : t.src.family === 'unix' ? t.src.path : '';
    return path;
  }
  return `${addrText(t.src)}->${addrText(t.dst)}`;
}

export function isSockAddr(v: unknown): v is SockAddr {
  return typeof v === 'object' && v !== null && !Buffer.isBuffer(v) && !Array.isArray(v) && 'family' in v && !('src' in v);
}

export function isSockTuple(v: unknown): v is SockTuple {
  return typeof v === 'object' && v !== null && 'src' in v && 'dst' in v;
}

/** fd.typechar of a socket of this family. */
export function familyTypeChar(family: SockAddr['family'] | SockTuple['family']): string {
  return family === 'inet' ? '4' : family === 'inet6' ? '6' : family === 'unix' ? 'u' : 'o';
}

export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_NETLINK = 16;

export function domainTypeChar(domain: number): string {
  switch (domain) {
    case AF_UNIX: return 'u';
    case AF_INET: return '4';
    case AF_INET6: return '6';
    case AF_NETLINK: return 'n';
    default: return 'o';
  }
}

/** l4proto of a new socket from its type (low bits) and protocol. */
export function l4protoOf(domain: number, type: number, proto: number): string | null {
  if (domain !== AF_INET && domain !== AF_INET6) return null;
  if (proto === 1 || proto === 58) return 'icmp';
  switch (type & 0xf) {
    case 1: return 'tcp';
    case 2: return 'udp';
    case 3: return 'raw';
    default: return null;
  }
}
