// The reader and decoder against Debian's sysdig, event by event, on every conformance capture.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { RawArg, RawRecord } from '../../raw-record.js';
import { openScapFile } from './reader.js';
import { linuxValueOfNames, splitInfo, sysdigAvailable, sysdigEvents, type OracleEvent } from './sysdig-oracle.js';

const ROOT = '../shared/conformance';
const DIRS = ['falco-0.10.0-tests/trace_files', 'falco-2023-tests/trace_files', 'scap-falco-psp', 'scap-libs'];
/** Newer than Debian's sysdig 0.29, which cannot open it; it is read, but not checked by the oracle. */
const NOT_IN_ORACLE = new Set(['curl_google_comments.scap']);
/**
 * Events sysdig reads and numbers but never prints. Container events at the head of a capture
 * are hidden too: libsinsp consumes them as state while opening the file.
 */
const HIDDEN_BY_SYSDIG = new Set(['procinfo', 'scapevent']);
/** Event types past sysdig 0.29's table (PPME id >= SYSDIG_EVENT_MAX): skipped, not numbered. */
const UNKNOWN_TO_SYSDIG = new Set(['useradded', 'groupadded']);
/** Arguments whose values are flag words: compared through the names sysdig prints. */
const FLAG_ARGS = new Set(['open.flags', 'socket.flags', 'clone.flags', 'mmap.prot', 'mmap.flags', 'access.mode', 'fcntl.cmd']);
/** Arguments whose sysdig rendering is not comparable (poll lists, dynamic sockopt values, dates). */
const NOT_COMPARED = new Set(['fds', 'val', 'exe_ino_ctime', 'exe_ino_mtime', 'flags@execve']);

/** Parameters sysdig 0.29 still called by an older name. */
const OLD_NAMES: Readonly<Record<string, string>> = { 'execve.vpgid': 'pgid' };

const captures = DIRS.flatMap((d) => readdirSync(join(ROOT, d)).filter((f) => f.endsWith('.scap')).map((f) => join(ROOT, d, f)));

function printable(b: Buffer | string): string {
  const bytes = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
  let s = '';
  for (const c of bytes) s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
  return s;
}

function sameText(ours: string, theirs: string): boolean {
  if (theirs.endsWith('...')) return ours.startsWith(theirs.slice(0, -3));
  return ours === theirs || theirs.startsWith(`${ours}(`);
}

function leadingNumber(s: string): bigint | null {
  if (/^0[0-7]+$/.test(s)) return BigInt(`0o${s.slice(1)}`);
  const dec = /^(-?\d+)(\(|$)/.exec(s);
  if (dec) return BigInt(dec[1]!);
  return null;
}

/** Compares one argument; returns the kind compared, or null when skipped, throws on mismatch. */
function compareArg(rec: RawRecord, name: string, ours: RawArg | undefined, theirs: string, where: string): string | null {
  if (NOT_COMPARED.has(name) || NOT_COMPARED.has(`${name}@${rec.type}`)) return null;
  const fail = (): never => {
    throw new Error(`${where}: ${rec.type} ${name}: ours ${String(ours)} (${JSON.stringify(ours, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}) vs sysdig '${theirs}'`);
  };
  if (FLAG_ARGS.has(`${rec.type}.${name}`)) {
    const v = linuxValueOfNames(theirs);
    if (v === null) return null;
    if (ours !== v) fail();
    return 'flags';
  }
  if (ours === null || ours === undefined) {
    if (theirs !== 'NULL' && theirs !== '' && theirs !== '<NA>') fail();
    return 'null';
  }
  if (typeof ours === 'number' || typeof ours === 'bigint') {
    const n = leadingNumber(theirs);
    const hex = /^[0-9A-F]+$/.test(theirs) ? BigInt(`0x${theirs}`) : null;
    if (n !== BigInt(ours) && hex !== BigInt(ours)) fail();
    return 'number';
  }
  if (typeof ours === 'string') {
    if (!sameText(printable(ours.replace(/\n$/, '')), theirs.trimEnd())) fail();
    return 'string';
  }
  if (Buffer.isBuffer(ours)) {
    const mine = printable(ours);
    if (!mine.startsWith(theirs)) fail();
    return 'bytes';
  }
  if (Array.isArray(ours)) {
    if (!sameText(printable(ours.map((s) => `${s}\0`).join('')), theirs)) fail();
    return 'list';
  }
  if ('src' in ours) {
    if (ours.family === 'unix') {
      if (theirs.slice(theirs.indexOf(' ') + 1) !== ('path' in ours.src ? ours.src.path : '')) fail();
    } else {
      const ep = (a: typeof ours.src): string => ('ip' in a ? `${a.ip}:${a.port}` : '');
      if (`${ep(ours.src)}->${ep(ours.dst)}` !== theirs) fail();
    }
    return 'tuple';
  }
  const text = ours.family === 'unix' ? ours.path : ours.family === 'other' ? '' : `${ours.ip}:${ours.port}`;
  if (text !== theirs) fail();
  return 'sockaddr';
}

describe('scap reader', () => {
  test.each(captures)('%s reads completely, every block and event type known', (file) => {
    const r = openScapFile(file);
    const records = [...r];
    expect(r.stats.unknownBlocks.size).toBe(0);
    expect([...r.stats.unknownEvents]).toEqual([]);
    expect([...r.stats.badEvents]).toEqual([]);
    expect(records.length).toBe(r.stats.events);
    expect(records.length).toBeGreaterThan(0);
    expect(r.head.threads.length).toBeGreaterThan(0);
    expect(r.head.fds.length).toBeGreaterThan(0);
    expect(r.head.users.some((u) => u.uid === 0 && u.name === 'root')).toBe(true);
    expect(r.head.machine?.numCpus).toBeGreaterThan(0);
    // Every thread's fd list entry names a thread of the process list.
    const tids = new Set(r.head.threads.map((t) => t.tid));
    expect(r.head.fds.every((f) => tids.has(f.tid))).toBe(true);
  });

  const oracleMissing = sysdigAvailable();
  const compared = new Map<string, number>();

  test.each(captures.filter((f) => !NOT_IN_ORACLE.has(f.split('/').pop()!)))('%s matches sysdig event by event', (file) => {
    expect(oracleMissing, oracleMissing ?? '').toBeNull();
    const records = [...openScapFile(file)].filter((r) => !UNKNOWN_TO_SYSDIG.has(r.type));
    const oracle: OracleEvent[] = sysdigEvents(file);
    const firstOther = records.findIndex((r) => r.type !== 'container');
    const shown = records.filter((r, i) => !HIDDEN_BY_SYSDIG.has(r.type) && i >= firstOther);
    expect(oracle.length).toBe(shown.length);
    for (const ev of oracle) {
      const rec = records[ev.num - 1];
      const where = `${file} #${ev.num}`;
      expect(rec, where).toBeDefined();
      expect({ ts: rec!.ts, cpu: rec!.cpu, tid: rec!.tid, type: rec!.type, dir: rec!.dir }, where).toEqual({
        ts: ev.ts, cpu: ev.cpu, tid: ev.tid, type: ev.type, dir: ev.dir === '>' ? 'ENTER' : 'EXIT',
      });
      const names = Object.keys(rec!.args).filter((k) => k !== 'created' && !(k === 'ID' || k === 'nativeID'));
      const printed = names.map((n) => OLD_NAMES[`${rec!.type}.${n}`] ?? n);
      const values = splitInfo(ev.info, printed);
      for (const [shownName, text] of values) {
        const name = names[printed.indexOf(shownName)]!;
        const kind = compareArg(rec!, name, rec!.args[name], text, where);
        if (kind !== null) compared.set(kind, (compared.get(kind) ?? 0) + 1);
      }
      // sysdig prints every parameter it decoded: we must not have fewer.
      if (ev.info.trim() !== '') expect(values.size, `${where} ${ev.info}`).toBeGreaterThan(0);
    }
  });

  test('the oracle compared every kind of value', () => {
    expect(oracleMissing, oracleMissing ?? '').toBeNull();
    console.log('values compared with sysdig:', JSON.stringify([...compared]));
    for (const kind of ['flags', 'number', 'string', 'bytes', 'list', 'tuple', 'sockaddr', 'null']) {
      expect(compared.get(kind) ?? 0, kind).toBeGreaterThan(0);
    }
  });
});
