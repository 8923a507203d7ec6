// The event table's consistency, and the event types no conformance capture holds: events encoded
// here in the v2 layout (format.ts) after a real capture's metadata, then read back.
import { describe, expect, test } from 'vitest';
import { EVENT_TABLE } from './event-table.js';
import { ScapReader, loadScapFile } from './reader.js';

const HEAD = loadScapFile('../shared/conformance/scap-libs/sample.scap');

/** The capture's blocks up to its first event block. */
function headBlocks(): Buffer {
  let at = 0;
  while (HEAD.readUInt32LE(at) !== 0x216) at += HEAD.readUInt32LE(at + 4);
  return HEAD.subarray(0, at);
}

type P = Buffer;
const i64 = (v: number): P => { const b = Buffer.alloc(8); b.writeBigInt64LE(BigInt(v)); return b; };
const u32 = (v: number): P => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return b; };
const u16 = (v: number): P => { const b = Buffer.alloc(2); b.writeUInt16LE(v); return b; };
const u8 = (v: number): P => Buffer.from([v]);
const str = (s: string): P => Buffer.from(`${s}\0`);
const tagged = (idx: number, v: P): P => Buffer.concat([u8(idx), v]);
const ipv4Tuple = (sip: number[], sport: number, dip: number[], dport: number): P =>
  Buffer.concat([u8(2), Buffer.from(sip), u16(sport), Buffer.from(dip), u16(dport)]);

/** A v2 event block: cpu:u16, then ts tid len type nparams lens[] params. */
function eventBlock(type: number, tid: number, ts: bigint, params: P[]): Buffer {
  const lens = Buffer.concat(params.map((p) => u16(p.length)));
  const body = Buffer.concat(params);
  const len = 26 + lens.length + body.length;
  const head = Buffer.alloc(26);
  head.writeBigUInt64LE(ts, 0);
  head.writeBigInt64LE(BigInt(tid), 8);
  head.writeUInt32LE(len, 16);
  head.writeUInt16LE(type, 20);
  head.writeUInt32LE(params.length, 22);
  const evt = Buffer.concat([u16(1), head, lens, body]);
  const pad = (4 - (evt.length % 4)) % 4;
  const total = 12 + evt.length + pad;
  return Buffer.concat([u32(0x216), u32(total), evt, Buffer.alloc(pad), u32(total)]);
}

describe('event table', () => {
  test('rows are consistent: one per id, exits start with their result', () => {
    const specs = EVENT_TABLE.filter((s) => s !== undefined);
    expect(specs.length).toBeGreaterThan(200);
    for (const s of specs) {
      expect(EVENT_TABLE[s.id]).toBe(s);
      if (s.dir === 'EXIT' && s.params.length > 0 && s.name !== 'syscall') {
        expect(['res', 'fd', 'uid', 'euid', 'gid', 'egid', 'res_or_fd'], `${s.id} ${s.name}`).toContain(s.params[0]!.name);
      }
      expect(new Set(s.params.map((p) => p.name)).size, `${s.id} ${s.name} has a repeated parameter name`).toBe(s.params.length);
    }
  });

  test('newer event versions decode with Linux values', () => {
    const ts = 1_700_000_000_000_000_000n;
    const capture = Buffer.concat([
      headBlocks(),
      // openat (PPME_SYSCALL_OPENAT_2_X): fd, dirfd, name, flags (PPM_O_RDONLY|PPM_O_CLOEXEC|PPM_O_F_CREATED), mode, dev, ino
      eventBlock(307, 4242, ts, [i64(3), i64(-100), str('/etc/shadow'), u32(1 | (1 << 12) | (1 << 14)), u32(0o640), u32(0x2d), i64(42)]),
      // openat2 exit: ..., resolve = PPM_RESOLVE_BENEATH | PPM_RESOLVE_NO_XDEV
      eventBlock(327, 4242, ts + 1n, [i64(4), i64(-100), str('x'), u32(2), u32(0), u32(1 | (1 << 4)), u32(0), i64(7)]),
      // ptrace enter: PPM_PTRACE_ATTACH, pid
      eventBlock(168, 4242, ts + 2n, [u16(11), i64(1234)]),
      // ptrace exit: res, addr (u64), data (signal), request PPM_PTRACE_POKEDATA, pid
      eventBlock(169, 4242, ts + 3n, [i64(0), tagged(0, i64(0x7fff0000)), tagged(1, u8(9)), u16(6), i64(1234)]),
      // execveat enter: dirfd, pathname, flags = PPM_EXVAT_AT_EMPTY_PATH
      eventBlock(330, 4242, ts + 4n, [i64(5), str(''), u32(1)]),
      // setns enter: fd, nstype = PPM_CL_CLONE_NEWNET
      eventBlock(240, 4242, ts + 5n, [i64(6), u32(1 << 4)]),
      // accept4 (PPME_SOCKET_ACCEPT4_6_X): fd, tuple, queuepct, queuelen, queuemax, flags
      eventBlock(389, 4242, ts + 6n, [i64(7), ipv4Tuple([10, 0, 0, 1], 40000, [10, 0, 0, 2], 443), u8(0), u32(0), u32(128), u32(0)]),
      // bpf (PPME_SYSCALL_BPF_2_X): fd, cmd BPF_PROG_LOAD
      eventBlock(369, 4242, ts + 7n, [i64(8), u32(5)]),
    ]);
    const r = new ScapReader('synthetic', capture);
    const recs = [...r];
    expect(r.stats.unknownEvents.size + r.stats.badEvents.size).toBe(0);
    expect(recs.map((x) => [x.type, x.dir, x.res, x.ts - ts])).toEqual([
      ['openat', 'EXIT', 3, 0n], ['openat2', 'EXIT', 4, 1n], ['ptrace', 'ENTER', null, 2n], ['ptrace', 'EXIT', 0, 3n],
      ['execveat', 'ENTER', null, 4n], ['setns', 'ENTER', null, 5n], ['accept4', 'EXIT', 7, 6n], ['bpf', 'EXIT', 8, 7n],
    ]);
    expect(recs[0]!.args).toEqual({ fd: 3, dirfd: -100, name: '/etc/shadow', flags: 0o2000000, mode: 0o640, dev: 0x2d, ino: 42, created: 1 });
    expect(recs[1]!.args['resolve']).toBe(0x08 | 0x01);
    expect(recs[2]!.args).toEqual({ request: 16, pid: 1234 });
    expect(recs[3]!.args).toEqual({ res: 0, addr: 0x7fff0000, data: 9, request: 5, pid: 1234 });
    expect(recs[4]!.args).toEqual({ dirfd: 5, pathname: '', flags: 0x1000 });
    expect(recs[5]!.args).toEqual({ fd: 6, nstype: 0x40000000 });
    expect(recs[6]!.args['tuple']).toEqual({
      family: 'inet', src: { family: 'inet', ip: '10.0.0.1', port: 40000 }, dst: { family: 'inet', ip: '10.0.0.2', port: 443 },
    });
    expect(recs[7]!.args).toEqual({ fd: 8, cmd: 5 });
  });
});
