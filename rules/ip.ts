// IP addresses and networks for ipaddr/ipnet fields. Parsed once at compile time into numbers
// (IPv4: 32-bit, IPv6: bigint), so a per-event test is a parse of the event's address and a
// mask comparison.

export interface Network {
  v6: boolean;
  base: bigint;
  mask: bigint;
  /** IPv4 networks also as 32-bit numbers: the per-event test then needs no bigint. */
  base4: number;
  mask4: number;
}

export function parseIp(text: string): { v6: boolean; value: bigint } | undefined {
  if (text.includes(':')) {
    const v6 = parseIpv6(text);
    return v6 === undefined ? undefined : { v6: true, value: v6 };
  }
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    value = (value << 8n) | BigInt(p);
  }
  return { v6: false, value };
}

function parseIpv6(text: string): bigint | undefined {
  const zone = text.indexOf('%');
  const addr = (zone >= 0 ? text.slice(0, zone) : text).toLowerCase();
  const halves = addr.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  let head = groups(halves[0]!);
  let tail = halves.length === 2 ? groups(halves[1]!) : [];
  // An embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups.
  const expand = (gs: string[]): string[] | undefined => {
    const last = gs[gs.length - 1];
    if (last === undefined || !last.includes('.')) return gs;
    const v4 = parseIp(last);
    if (!v4 || v4.v6) return undefined;
    return [...gs.slice(0, -1), (v4.value >> 16n).toString(16), (v4.value & 0xffffn).toString(16)];
  };
  if (halves.length === 2) tail = expand(tail) ?? [];
  else head = expand(head) ?? [];
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  let value = 0n;
  for (const g of [...head, ...Array<string>(missing).fill('0'), ...tail]) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined;
    value = (value << 16n) | BigInt(parseInt(g, 16));
  }
  return value;
}

/** `10.0.0.0/8`, `fe80::/10`, or a single address (a /32 or /128 network). */
export function parseNetwork(text: string): Network | undefined {
  const slash = text.indexOf('/');
  const ip = parseIp(slash >= 0 ? text.slice(0, slash) : text);
  if (!ip) return undefined;
  const bits = ip.v6 ? 128 : 32;
  const prefix = slash >= 0 ? Number(text.slice(slash + 1)) : bits;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) return undefined;
  const all = (1n << BigInt(bits)) - 1n;
  const mask = all ^ ((1n << BigInt(bits - prefix)) - 1n);
  return { v6: ip.v6, base: ip.value & mask, mask, base4: Number(ip.value & mask) >>> 0, mask4: Number(mask) >>> 0 };
}

/** Dotted IPv4 -> 32-bit number without allocating; -1 when not an IPv4 address. */
function ipv4Number(s: string): number {
  let value = 0;
  let part = -1;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (part < 0 || ++dots > 3) return -1;
      value = value * 256 + part;
      part = -1;
    } else if (c >= 48 && c <= 57) {
      part = (part < 0 ? 0 : part * 10) + (c - 48);
      if (part > 255) return -1;
    } else return -1;
  }
  if (dots !== 3 || part < 0) return -1;
  return value * 256 + part;
}

export function inNetwork(address: string, net: Network): boolean {
  if (!net.v6) {
    const v4 = ipv4Number(address);
    if (v4 >= 0) return ((v4 & net.mask4) >>> 0) === net.base4;
  }
  const ip = parseIp(address);
  return ip !== undefined && ip.v6 === net.v6 && (ip.value & net.mask) === net.base;
}
