// The decoder against records laid out by hand from bpf/record.h (what the kernel writes).
import { describe, expect, test } from 'vitest';
import { decodeBatch, ipv6, sockAddr } from './decode.js';
import { RecordLayoutError } from './errors.js';
import { BLOB, TAG } from './syscalls.js';

interface Blob { tag: number; kind: number; data: Buffer }

function record(o: { nr: number; res: number; args?: bigint[]; kind?: number; facts?: Buffer; blobs?: Blob[] }): Buffer {
  const parts: Buffer[] = [];
  const hdr = Buffer.alloc(80);
  hdr.writeBigUInt64LE(1_000n, 0);
  hdr.writeBigInt64LE(BigInt(o.res), 8);
  hdr.writeUInt32LE(4242, 16);
  hdr.writeUInt32LE(4240, 20);
  hdr.writeUInt16LE(o.nr, 26);
  hdr.writeUInt16LE(1, 28);
  hdr[30] = o.kind ?? 0;
  hdr[31] = o.facts ? 1 : 0;
  (o.args ?? []).forEach((a, i) => hdr.writeBigUInt64LE(BigInt.asUintN(64, a), 32 + 8 * i));
  parts.push(hdr);
  if (o.facts) parts.push(o.facts);
  for (const b of o.blobs ?? []) {
    const h = Buffer.alloc(4);
    h.writeUInt16LE(b.data.length, 0);
    h[2] = b.tag;
    h[3] = b.kind;
    parts.push(h, b.data);
  }
  const rec = Buffer.concat(parts);
  rec.writeUInt16LE(rec.length, 24);
  return Buffer.concat([rec, Buffer.alloc(((rec.length + 7) & ~7) - rec.length)]);
}

const str = (s: string): Buffer => Buffer.from(`${s}\0`);

function inet6(port: number, addr: number[]): Buffer {
  const b = Buffer.alloc(28);
  b.writeUInt16LE(10, 0);
  b.writeUInt16BE(port, 2);
  addr.forEach((w, i) => b.writeUInt16BE(w, 8 + 2 * i));
  return b;
}

describe('decodeBatch', () => {
  test('openat: Falco names, the returned fd, the path blob, ts on the epoch', () => {
    const buf = record({ nr: 257, res: 5, args: [-100n, 0n, 0o1101n, 0o644n], blobs: [{ tag: 1, kind: BLOB.STR, data: str('/tmp/x') }] });
    const [r] = decodeBatch(buf, 1, 1_700_000_000_000_000_000n);
    expect(r).toEqual({
      type: 'openat', dir: 'EXIT', ts: 1_700_000_000_000_001_000n, cpu: 1, tid: 4242, pid: 4240, res: 5,
      args: { dirfd: -100, name: '/tmp/x', flags: 0o1101, mode: 0o644, fd: 5 },
    });
  });

  test('connect over IPv6 with the kernel tuple; a failed read leaves the address null', () => {
    const tuple = Buffer.alloc(40);
    tuple.writeUInt16LE(10, 0);
    tuple.writeUInt16LE(40000, 2);
    tuple.writeUInt16LE(443, 4);
    tuple[8 + 15] = 1; // ::1
    tuple.writeUInt16BE(0x2001, 24); tuple.writeUInt16BE(0xdb8, 26); tuple[24 + 15] = 9;
    const ok = record({ nr: 42, res: 0, args: [3n], blobs: [
      { tag: 1, kind: BLOB.SOCKADDR, data: inet6(443, [0x2001, 0xdb8, 0, 0, 0, 0, 0, 9]) },
      { tag: TAG.TUPLE, kind: BLOB.TUPLE, data: tuple },
    ] });
    const failed = record({ nr: 42, res: -111, args: [4n] });
    const [a, b] = decodeBatch(Buffer.concat([ok, failed]), 2, 0n);
    expect(a!.args).toEqual({
      fd: 3,
      addr: { family: 'inet6', ip: '2001:db8::9', port: 443 },
      tuple: { family: 'inet6', src: { family: 'inet6', ip: '::1', port: 40000 }, dst: { family: 'inet6', ip: '2001:db8::9', port: 443 } },
    });
    expect(b).toMatchObject({ res: -111, args: { fd: 4, addr: null, tuple: null } });
  });

  test('execve with facts: filename, argv, comm, cgroup, flags', () => {
    const facts = Buffer.alloc(64);
    [1, 77, 1000, 1000, 0xffffffff, (4 << 8) | 1, 0x2, 1000].forEach((v, i) => facts.writeUInt32LE(v, 4 * i));
    facts.writeBigUInt64LE(0x1ffffffffffn, 32);
    facts.writeBigUInt64LE(500n, 40);
    facts.write('bash', 48);
    const buf = record({ nr: 59, res: 0, facts, blobs: [
      { tag: TAG.CGROUP, kind: BLOB.STR, data: str('/system.slice/docker-abc.scope') },
      { tag: TAG.CWD, kind: BLOB.STR, data: str('/home/u') },
      { tag: TAG.EXEPATH, kind: BLOB.STR, data: str('/bin/bash') },
      { tag: TAG.ARGV, kind: BLOB.ARGV, data: Buffer.from('bash\0-c\0id\0') },
    ] });
    const [r] = decodeBatch(buf, 1, 10n);
    expect(r!.args).toEqual({ filename: '/bin/bash', exe: 'bash', args: ['-c', 'id'] });
    expect(r!.facts).toEqual({
      ppid: 1, vpid: 77, uid: 1000, gid: 1000, loginuid: -1, tty: (4 << 8) | 1, capEffective: 0x1ffffffffff,
      startTs: 510n, comm: 'bash', exeUpperLayer: false, exeFromMemfd: true,
      cgroup: '/system.slice/docker-abc.scope', cwd: '/home/u', exepath: '/bin/bash', argv: ['bash', '-c', 'id'],
    });
  });

  test("execve: the kernel's exe_file path wins over the name exec'd", () => {
    const buf = record({ nr: 59, res: 0, facts: Buffer.alloc(64), blobs: [
      { tag: TAG.EXEPATH, kind: BLOB.STR, data: str('/bin/sh') },
      { tag: TAG.EXEFILE, kind: BLOB.STR, data: str('/usr/bin/dash') },
      { tag: TAG.ARGV, kind: BLOB.ARGV, data: Buffer.from('sh\0') },
    ] });
    const [r] = decodeBatch(buf, 1, 0n);
    expect(r!.args.filename).toBe('/bin/sh');
    expect(r!.facts!.exepath).toBe('/usr/bin/dash');
  });

  test('pipe2: the fd pair the kernel read into the argument', () => {
    const [r] = decodeBatch(record({ nr: 293, res: 0, args: [(8n << 32n) | 7n, 0o2000000n] }), 1, 0n);
    expect(r!.args).toEqual({ fd1: 7, fd2: 8, flags: 0o2000000 });
  });

  test('procexit: status split the way Falco does', () => {
    const [r] = decodeBatch(record({ nr: 0, res: 0, kind: 1, args: [(3n << 8n) | 0x80n | 9n] }), 1, 0n);
    expect(r).toMatchObject({ type: 'procexit', res: null, args: { status: (3 << 8) | 0x89, ret: 3, sig: 9, core: 1 } });
  });

  test('records that do not match the layout are refused with the offset', () => {
    const good = record({ nr: 3, res: 0, args: [7n] });
    const short = Buffer.from(good);
    short.writeUInt16LE(40, 24);
    expect(() => decodeBatch(short, 1, 0n)).toThrow(RecordLayoutError);
    expect(() => decodeBatch(good, 2, 0n)).toThrow(/record 1 at 80 runs past the batch/);
    expect(() => decodeBatch(record({ nr: 499, res: 0 }), 1, 0n)).toThrow(/syscall 499/);
    const overrun = record({ nr: 87, res: 0, blobs: [{ tag: 0, kind: BLOB.STR, data: str('/x') }] });
    overrun.writeUInt16LE(200, 80);
    expect(() => decodeBatch(overrun, 1, 0n)).toThrow(/bad blob/);
  });
});

describe('addresses', () => {
  test('IPv6 text form compresses the longest zero run', () => {
    const b = Buffer.alloc(16);
    expect(ipv6(b, 0)).toBe('::');
    b[15] = 1;
    expect(ipv6(b, 0)).toBe('::1');
    [0xfe80, 0, 0, 1, 0, 0, 0, 3].forEach((w, i) => b.writeUInt16BE(w, 2 * i));
    expect(ipv6(b, 0)).toBe('fe80:0:0:1::3');
  });

  test('sockaddr: inet, unix path, abstract unix, unknown family', () => {
    const in4 = Buffer.from([2, 0, 0x1f, 0x90, 10, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(sockAddr(in4, 0, in4.length)).toEqual({ family: 'inet', ip: '10.0.0.7', port: 8080 });
    const un = Buffer.concat([Buffer.from([1, 0]), str('/run/docker.sock')]);
    expect(sockAddr(un, 0, un.length)).toEqual({ family: 'unix', path: '/run/docker.sock' });
    const abs = Buffer.concat([Buffer.from([1, 0, 0]), Buffer.from('dbus')]);
    expect(sockAddr(abs, 0, abs.length)).toEqual({ family: 'unix', path: '@dbus' });
    expect(sockAddr(Buffer.from([16, 0, 1, 2]), 0, 4)).toEqual({ family: 'other', af: 16 });
  });
});
