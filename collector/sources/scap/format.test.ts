// Block-format handling the conformance captures do not exercise on their own: event blocks with
// flags, large event blocks, unknown block and event types, plain (not gzipped) files, and bad
// input. Each case rewrites blocks of a real capture and compares with the untouched capture.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import type { RawRecord } from '../../raw-record.js';
import { ScapFormatError, ScapReadError } from './errors.js';
import { ScapReader, describeSkipped, loadScapFile, openScapFile } from './reader.js';

const ROOT = '../shared/conformance';
const V2 = join(ROOT, 'scap-libs/sample.scap'); // plain, v2 event blocks (0x216)
const V1 = join(ROOT, 'falco-0.10.0-tests/trace_files/cat_write.scap'); // gzip, v1 event blocks (0x204)
const tmp = mkdtempSync(join(tmpdir(), 'saker-scap-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Block { type: number; body: Buffer }

function blocks(data: Buffer): Block[] {
  const out: Block[] = [];
  for (let at = 0; at < data.length; ) {
    const total = data.readUInt32LE(at + 4);
    out.push({ type: data.readUInt32LE(at), body: data.subarray(at + 8, at + total - 4) });
    at += total;
  }
  return out;
}

function assemble(list: Block[]): Buffer {
  return Buffer.concat(list.map(({ type, body }) => {
    const pad = (4 - (body.length % 4)) % 4;
    const total = 12 + body.length + pad;
    const head = Buffer.alloc(8);
    head.writeUInt32LE(type, 0);
    head.writeUInt32LE(total, 4);
    const tail = Buffer.alloc(4 + pad);
    tail.writeUInt32LE(total, pad);
    return Buffer.concat([head, body, tail]);
  }));
}

/** An event block with the flags word inserted after the cpu id. */
function withFlags(b: Block, type: number, flags: number): Block {
  const f = Buffer.alloc(4);
  f.writeUInt32LE(flags, 0);
  return { type, body: Buffer.concat([b.body.subarray(0, 2), f, b.body.subarray(2)]) };
}

const read = (name: string, data: Buffer): { r: ScapReader; records: RawRecord[] } => {
  const r = new ScapReader(name, data);
  return { r, records: [...r] };
};

describe('scap block variants', () => {
  test('v2 events with flags (0x217) and large v2 blocks (0x221) decode like plain v2 blocks', () => {
    const data = loadScapFile(V2);
    const original = read('v2', data).records;
    const list = blocks(data).map((b) => (b.type === 0x216 ? withFlags(b, 0x217, 0x1) : b));
    const flagged = read('v2-flags', assemble(list));
    expect(flagged.records).toEqual(original);
    expect(flagged.r.stats.eventsWithFlags).toBe(original.length);
    const large = read('v2-large', assemble(blocks(data).map((b) => (b.type === 0x216 ? { ...b, type: 0x221 } : b))));
    expect(large.records).toEqual(original);
  });

  test('v1 events with flags (0x208) decode like plain v1 blocks', () => {
    const data = loadScapFile(V1);
    const original = read('v1', data).records;
    const flagged = read('v1-flags', assemble(blocks(data).map((b) => (b.type === 0x204 ? withFlags(b, 0x208, 0) : b))));
    expect(flagged.records).toEqual(original);
    expect(flagged.r.stats.eventsWithFlags).toBe(original.length);
  });

  test('unknown blocks between events and unknown event types are counted and skipped', () => {
    const data = loadScapFile(V2);
    const original = read('v2', data).records;
    const list = blocks(data);
    const firstEvent = list.findIndex((b) => b.type === 0x216);
    // A block type from the future, between two events; and one event retyped to an id Saker has no decoder for.
    list.splice(firstEvent + 1, 0, { type: 0x9999, body: Buffer.from('opaque future block') });
    const retyped = Buffer.from(list[firstEvent]!.body);
    retyped.writeUInt16LE(999, 2 + 20);
    list[firstEvent] = { type: 0x216, body: retyped };
    const { r, records } = read('mixed', assemble(list));
    expect(records).toEqual(original.slice(1));
    expect([...r.stats.unknownBlocks]).toEqual([[0x9999, 1]]);
    expect([...r.stats.unknownEvents]).toEqual([[999, 1]]);
    expect(r.stats.events).toBe(original.length);
    expect(describeSkipped(r.stats)).toBe('skipped 1 events of unknown types (PPME id 999 x1); 1 blocks of unknown types (0x9999 x1)');
    expect(describeSkipped(read('v2', data).r.stats)).toBeNull();
  });

  test('plain and gzip files of the same capture read the same', () => {
    const plain = join(tmp, 'cat_write.scap');
    writeFileSync(plain, loadScapFile(V1));
    const gz = join(tmp, 'sample.scap.gz');
    writeFileSync(gz, gzipSync(loadScapFile(V2)));
    const gunzipDirs = (): string[] => readdirSync(tmpdir()).filter((d) => d.startsWith('saker-gunzip-'));
    const before = gunzipDirs();
    expect([...openScapFile(plain)]).toEqual([...openScapFile(V1)]);
    expect([...openScapFile(gz)]).toEqual([...new ScapReader(V2, loadScapFile(V2))]);
    // The gunzipped copy is read through an unlinked temp file: nothing is left behind.
    expect(gunzipDirs()).toEqual(before);
  });
});

describe('scap bad input', () => {
  const data = loadScapFile(V2);

  test('a truncated capture stops with ScapFormatError at the broken block', () => {
    const cut = data.subarray(0, data.length - 100);
    const r = new ScapReader('cut', cut);
    expect(() => [...r]).toThrow(ScapFormatError);
    expect(() => [...new ScapReader('cut', cut)]).toThrow(/truncated/);
  });

  test('a block whose trailer disagrees with its header is rejected', () => {
    const bad = Buffer.from(data);
    const list = blocks(data);
    let at = 0;
    for (const b of list.slice(0, list.findIndex((x) => x.type === 0x216))) at += b.body.length + 12 + ((4 - (b.body.length % 4)) % 4);
    const total = bad.readUInt32LE(at + 4);
    bad.writeUInt32LE(total + 4, at + total - 4);
    expect(() => [...new ScapReader('trailer', bad)]).toThrow(/trailer/);
  });

  test('not a capture, a bad magic, a newer major version', () => {
    expect(() => new ScapReader('text', Buffer.from('hello world, this is not a capture file'))).toThrow(/no section header/);
    const magic = Buffer.from(data);
    magic.writeUInt32LE(0xdeadbeef, 8);
    expect(() => new ScapReader('magic', magic)).toThrow(/byte-order magic/);
    const major = Buffer.from(data);
    major.writeUInt16LE(2, 12);
    expect(() => new ScapReader('major', major)).toThrow(/newer than this reader/);
  });

  test('missing files and broken gzip streams are ScapReadError', () => {
    expect(() => openScapFile(join(tmp, 'nope.scap'))).toThrow(ScapReadError);
    const broken = join(tmp, 'broken.scap');
    writeFileSync(broken, gzipSync(data).subarray(0, 500));
    expect(() => openScapFile(broken)).toThrow(/broken gzip stream/);
  });

  test('an event whose parameter lengths overrun it is counted, not decoded', () => {
    const list = blocks(data);
    const i = list.findIndex((b) => b.type === 0x216 && b.body.readUInt32LE(2 + 22) > 0);
    const body = Buffer.from(list[i]!.body);
    body.writeUInt16LE(0xffff, 2 + 26); // first parameter length
    list[i] = { type: 0x216, body };
    const { r, records } = read('overrun', assemble(list));
    expect(records.length).toBe(r.stats.events - 1);
    expect([...r.stats.badEvents].reduce((n, [, c]) => n + c, 0)).toBe(1);
  });
});

// Process-list versions 1..8 and the pre-0.10 V9 layout are not in the conformance captures:
// re-encode a real capture's threads in each layout (format.ts) and read them back.
describe('scap process-list versions', () => {
  const data = loadScapFile(V2);
  const threads = new ScapReader('v2', data).head.threads;
  const str16 = (s: string): Buffer => {
    const b = Buffer.from(s, 'utf8');
    const n = Buffer.alloc(2);
    n.writeUInt16LE(b.length, 0);
    return Buffer.concat([n, b]);
  };
  const list16 = (l: string[]): Buffer => str16(l.map((x) => `${x}\0`).join(''));
  const num = (bits: 16 | 32 | 64, v: number | bigint): Buffer => {
    const b = Buffer.alloc(bits / 8);
    if (bits === 16) b.writeUInt16LE(Number(v), 0);
    else if (bits === 32) b.writeUInt32LE(Number(v) >>> 0, 0);
    else b.writeBigInt64LE(BigInt(v), 0);
    return b;
  };
  const PL_IDS = [0, 0x202, 0x207, 0x209, 0x210, 0x211, 0x212, 0x213, 0x214, 0x215];

  function entry(t: (typeof threads)[number], v: number, tail: 'none' | 'pre-0.10'): Buffer {
    const parts: Buffer[] = [num(64, t.tid), num(64, t.pid), num(64, t.ptid)];
    if (v >= 6) parts.push(num(64, t.sid ?? 0));
    if (v >= 8) parts.push(num(64, t.vpgid ?? 0));
    parts.push(str16(t.comm), str16(t.exe));
    if (v >= 7) parts.push(str16(t.exepath));
    parts.push(list16(t.args), str16(t.cwd), num(64, t.fdlimit), num(32, t.flags), num(32, t.uid), num(32, t.gid));
    if (v >= 2) parts.push(num(32, 1), num(32, 2), num(32, 3), num(64, 4), num(64, 5));
    if (v >= 3) parts.push(str16(t.envBytes.toString('utf8')));
    if (v >= 4) parts.push(num(64, t.vtid ?? 0), num(64, t.vpid ?? 0), str16(t.cgroups.replaceAll('\n', '\0')));
    if (v >= 5) parts.push(str16(t.root));
    if (tail === 'pre-0.10') parts.push(num(32, 1000), Buffer.from([1]), num(64, 0x11n), num(64, 0x22n), num(64, 0x33n));
    const body = Buffer.concat(parts);
    return v >= 9 ? Buffer.concat([num(32, body.length + 4), body]) : body;
  }

  test.each([1, 2, 3, 4, 5, 6, 7, 8, 9])('version %i reads back', (v) => {
    const list = blocks(data).map((b) => (b.type === 0x215
      ? { type: PL_IDS[v]!, body: Buffer.concat(threads.map((t) => entry(t, v, v === 9 ? 'pre-0.10' : 'none'))) }
      : b));
    const back = new ScapReader(`pl-v${v}`, assemble(list)).head.threads;
    expect(back.length).toBe(threads.length);
    back.forEach((t, i) => {
      const o = threads[i]!;
      expect([t.tid, t.pid, t.ptid, t.comm, t.exe, t.args, t.cwd, t.uid, t.gid]).toEqual([o.tid, o.pid, o.ptid, o.comm, o.exe, o.args, o.cwd, o.uid, o.gid]);
      expect(t.envBytes.toString('utf8').replace(/\0+$/, '')).toBe(v >= 3 ? o.envBytes.toString('utf8').replace(/\0+$/, '') : '');
      expect([t.vpid, t.cgroups]).toEqual(v >= 4 ? [o.vpid, o.cgroups] : [null, '']);
      expect(t.root).toBe(v >= 5 ? o.root : '');
      expect(t.sid).toBe(v >= 6 ? o.sid : null);
      expect(t.exepath).toBe(v >= 7 ? o.exepath : '');
      expect(t.vpgid).toBe(v >= 8 ? o.vpgid : null);
      if (v === 9) expect([t.loginuid, t.exeWritable, t.capInheritable, t.capPermitted, t.capEffective, t.tty]).toEqual([1000, true, 0x11n, 0x22n, 0x33n, 0]);
    });
  });
});
