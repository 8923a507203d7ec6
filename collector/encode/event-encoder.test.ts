import { describe, expect, it } from 'vitest';
import { eventCodec } from '../../schemas/codec.js';
import { exampleEvent } from '../../schemas/examples.js';
import type { Event } from '../../schemas/types.generated.js';
import { createEventEncoder } from './event-encoder.js';
import { createPipeline } from '../pipeline.js';
import { generateWorkload, seedWorkload } from '../../bench/collector-workload.js';

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Buffer.isBuffer(v)) {
    for (const x of Object.values(v as object)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

function variants(): Event[] {
  const out: Event[] = [];
  out.push(exampleEvent());
  const e2 = exampleEvent();
  e2.res = null; e2.dir = 'ENTER'; e2.fd = null; e2.ancestors = []; e2.args = [];
  e2.proc.sid = null; e2.proc.cwd = null; e2.proc.user = null; e2.proc.sname = null; e2.proc.args = [];
  e2.container = { id: 'host', name: null, image: null, privileged: null, mounts: [] };
  out.push(e2);
  const e3 = exampleEvent();
  e3.ts = -1234567890123456789n; e3.seq = 2 ** 52; e3.res = -(2 ** 40); e3.cpu = 0;
  e3.proc.startTs = 0n; e3.proc.loginuid = -1; e3.proc.tid = -1073741825; e3.proc.pid = 1073741824;
  e3.proc.name = 'ünïcødé-名前'; e3.proc.exepath = `/very/long/${'x'.repeat(300)}/path`;
  e3.args = [
    { name: 'a', text: 'é'.repeat(21), raw: -1 },
    { name: 'b', text: 'x'.repeat(63), raw: 'big' },
    { name: 'c', text: '', raw: 2 ** 52 + 12345 },
    { name: 'd', text: 'q'.repeat(21), raw: -(2 ** 31) },
    { name: 'e', text: 'y'.repeat(9000), raw: null },
    { name: 'f', text: `${'z'.repeat(70)}ü${'z'.repeat(70)}`, raw: null },
    { name: 'g', text: 'w'.repeat(64), raw: null },
    { name: 'h', text: 'v'.repeat(8191), raw: null },
  ];
  e3.fd!.cport = 65535; e3.fd!.sport = 0; e3.fd!.isServer = true; e3.fd!.connected = false;
  out.push(e3);
  for (let i = 0; i < 40; i++) {
    const e = exampleEvent();
    e.ts = BigInt(Date.now()) * 1_000_000n + BigInt(i * 7919);
    e.seq = i * 104729;
    e.res = i % 3 === 0 ? null : (i - 20) * 1_000_003;
    e.proc.capEffective = 2 ** i;
    out.push(e);
  }
  return out;
}

describe('event encoder', () => {
  it('writes exactly the bytes of eventCodec.encode, frozen (cached) or not', () => {
    const enc = createEventEncoder();
    for (const e of variants()) {
      const expected = eventCodec.encode(e);
      expect(enc.encode(e).equals(expected)).toBe(true);
      const frozen = deepFreeze(structuredClone(e));
      expect(enc.encode(frozen).equals(expected)).toBe(true);
      // Second time from the fragment cache.
      expect(enc.encode(frozen).equals(expected)).toBe(true);
      expect(eventCodec.decode(enc.encode(frozen))).toEqual(e);
    }
    expect(enc.stats().fragmentHits).toBeGreaterThan(0);
  });

  it('stays exact when events cross slab boundaries, and earlier outputs stay intact', () => {
    const enc = createEventEncoder();
    const outputs: Array<[Buffer, Buffer]> = [];
    for (let i = 0; i < 3000; i++) {
      const e = exampleEvent();
      e.seq = i;
      e.proc.args = [`${'a'.repeat(i % 700)}`, 'b'.repeat((i * 37) % 5000)];
      e.ancestors[0]!.args = ['x'.repeat((i * 13) % 3000)];
      const frozen = deepFreeze(structuredClone(e));
      outputs.push([enc.encode(i % 2 === 0 ? frozen : e), eventCodec.encode(e)]);
    }
    for (const [got, want] of outputs) expect(got.equals(want)).toBe(true);
  });

  it('matches eventCodec on the events of a pipeline, whose parts it caches (fragments and tails)', () => {
    const p = createPipeline({ host: { id: 'f00d', name: 'enc' } });
    seedWorkload(p.state, 30);
    const enc = createEventEncoder();
    let n = 0;
    for (const r of generateWorkload({ servers: 30, records: 30_000, recordsPerChild: 25 })) {
      const e = p.enrich(r);
      const want = eventCodec.encode(e);
      expect(enc.encode(e).equals(want)).toBe(true);
      if (n++ % 7 === 0) expect(enc.encode(e).equals(want)).toBe(true);
    }
    expect(enc.stats().fragmentHits).toBeGreaterThan(n);
  });

  it('encodes the arguments straight from the record (pipeline.message) to the same bytes', () => {
    const a = createPipeline({ host: { id: 'f00d', name: 'enc' } });
    const b = createPipeline({ host: { id: 'f00d', name: 'enc' } });
    seedWorkload(a.state, 30);
    seedWorkload(b.state, 30);
    const extra = [
      { type: 'ptrace', dir: 'EXIT' as const, ts: 1n, cpu: 0, tid: 1000, pid: 1000, res: 0, args: { request: 16, pid: 1001, big: 1n << 60n, buf: Buffer.from('a\x00b'), none: null, list: ['x', 'y'] } },
    ];
    for (const r of [...generateWorkload({ servers: 30, records: 20_000, recordsPerChild: 25 }), ...extra]) {
      const m = a.message(r);
      const e = b.enrich(r);
      expect(m.value.equals(eventCodec.encode(e))).toBe(true);
      expect(m.key).toBe(`f00d:${e.proc.pid}`);
    }
  });
});
