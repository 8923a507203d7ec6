// Stage 3 of the collector pipeline (encode): Event -> bytes, the same bytes as
// `eventCodec.encode` (schemas/codec.ts), written faster for the collector's events.
//
// Wire format (Avro single-object encoding, see schemas/codec.ts):
//   C3 01 | 8-byte little-endian CRC-64-AVRO fingerprint of event.avsc | Avro binary body
// Body: the Event's fields in schema order. long/int: zig-zag varint; string: varint byte length
// + UTF-8; boolean: one byte; enum: varint index; union: varint branch index + value; array: one
// block (varint count, items) then 0 when non-empty, just 0 when empty; record: fields in order.
//
// Why not avsc directly: most of an event (host, proc, ancestors, fd, container) repeats from
// one event of a thread to the next. The state engine hands those out as frozen objects; their
// encoded bytes are kept in a WeakMap and copied, so per event only the event's own fields and
// its args are encoded. Objects that are not frozen are encoded every time (they may change).
import type { Ancestor, Container, Event, EventArg, FileDescriptor, Host, Process } from '../../schemas/types.generated.js';
import { eventCodec } from '../../schemas/codec.js';
import { slotOf } from './fragment-slot.js';
import { argRaw, argText, type ArgContext } from '../enrich/arg-text.js';
import type { RawRecord } from '../raw-record.js';

const MAGIC_0 = 0xc3;
const MAGIC_1 = 0x01;
const HEADER = 10;
const SLAB = 256 * 1024;

export interface EventEncoder {
  encode(event: Event): Buffer;
  /**
   * Encodes `event` with the arguments of `rec` (formatted straight into the bytes, no EventArg
   * objects); `event.args` is ignored. `ctx` must describe the state `rec` was enriched in.
   */
  encodeRecord(event: Event, rec: RawRecord, ctx: ArgContext): Buffer;
  /** Cached fragments reused / encoded, for the benchmark's report. */
  stats(): { fragmentHits: number; fragmentMisses: number };
}

// One BigInt store, then integer arithmetic: cheaper than BigInt shifts and masks.
const big = new BigInt64Array(1);
const halves = new Uint32Array(big.buffer);

/**
 * Writes into a slab; each encoded event is a view of its slab (no copy). A new slab is taken
 * when one is full; old slabs live as long as the events that view them.
 */
class Writer {
  buf = Buffer.allocUnsafeSlow(SLAB);
  /** Start of the event being written. */
  start = 0;
  pos = 0;

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const used = this.pos - this.start;
    const next = Buffer.allocUnsafeSlow(Math.max(SLAB, (used + n) * 2));
    next.set(this.buf.subarray(this.start, this.pos), 0);
    this.buf = next;
    this.start = 0;
    this.pos = used;
  }

  long(n: number): void {
    this.ensure(10);
    const buf = this.buf;
    let pos = this.pos;
    if (n >= -0x40000000 && n < 0x40000000) {
      let z = n >= 0 ? n << 1 : (~n << 1) | 1;
      z >>>= 0;
      while (z > 0x7f) {
        buf[pos++] = (z & 0x7f) | 0x80;
        z >>>= 7;
      }
      buf[pos++] = z;
    } else {
      let z = n >= 0 ? n * 2 : -n * 2 - 1;
      while (z >= 128) {
        buf[pos++] = (z % 128) | 0x80;
        z = Math.floor(z / 128);
      }
      buf[pos++] = z;
    }
    this.pos = pos;
  }

  bigLong(v: bigint): void {
    big[0] = v;
    const lo = halves[0]!;
    const hi = halves[1]!;
    const sign = hi >> 31;
    // Zig-zag on the 64-bit pair: (v << 1) ^ (v >> 63).
    let zhi = (((hi << 1) | (lo >>> 31)) ^ sign) >>> 0;
    let zlo = ((lo << 1) ^ sign) >>> 0;
    this.ensure(10);
    const buf = this.buf;
    let pos = this.pos;
    while (zhi !== 0 || zlo > 0x7f) {
      buf[pos++] = (zlo & 0x7f) | 0x80;
      zlo = ((zlo >>> 7) | (zhi << 25)) >>> 0;
      zhi >>>= 7;
    }
    buf[pos++] = zlo;
    this.pos = pos;
  }

  string(s: string): void {
    const len = s.length;
    if (len < 8192) {
      // ASCII fast path: one byte per character, and the byte length known up front (one varint
      // byte below 64, two below 8192). A non-ASCII character falls through to the exact path.
      const head = len < 64 ? 1 : 2;
      this.ensure(head + len);
      const buf = this.buf;
      const start = this.pos + head;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[start + i] = c;
      }
      if (i === len) {
        const z = len << 1;
        if (head === 1) buf[this.pos] = z;
        else {
          buf[this.pos] = (z & 0x7f) | 0x80;
          buf[this.pos + 1] = z >>> 7;
        }
        this.pos = start + len;
        return;
      }
    }
    const bytes = Buffer.byteLength(s, 'utf8');
    this.long(bytes);
    this.ensure(bytes);
    this.buf.write(s, this.pos, 'utf8');
    this.pos += bytes;
  }

  optString(s: string | null): void {
    if (s === null) this.byte(0);
    else {
      this.byte(2);
      this.string(s);
    }
  }

  optLong(n: number | null): void {
    if (n === null) this.byte(0);
    else {
      this.byte(2);
      this.long(n);
    }
  }

  optBool(b: boolean | null): void {
    if (b === null) this.byte(0);
    else {
      this.ensure(2);
      this.buf[this.pos++] = 2;
      this.buf[this.pos++] = b ? 1 : 0;
    }
  }

  bool(b: boolean): void {
    this.byte(b ? 1 : 0);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  strings(list: readonly string[]): void {
    if (list.length > 0) {
      this.long(list.length);
      for (let i = 0; i < list.length; i++) this.string(list[i]!);
    }
    this.byte(0);
  }

  bytes(b: Buffer): void {
    const n = b.length;
    this.ensure(n);
    // TypedArray#set costs more than a loop for the short fragments (host, container).
    if (n < 64) {
      const buf = this.buf;
      let pos = this.pos;
      for (let i = 0; i < n; i++) buf[pos++] = b[i]!;
    } else {
      this.buf.set(b, this.pos);
    }
    this.pos += n;
  }
}

function writeHost(w: Writer, h: Host): void {
  w.string(h.id);
  w.string(h.name);
}

function writeProc(w: Writer, p: Process): void {
  w.long(p.tid); w.long(p.pid); w.long(p.ppid); w.long(p.vpid); w.optLong(p.sid);
  w.string(p.name); w.string(p.exe); w.string(p.exepath); w.strings(p.args); w.optString(p.cwd);
  w.long(p.tty); w.long(p.uid); w.long(p.gid); w.optString(p.user); w.optString(p.group);
  w.long(p.loginuid); w.optString(p.loginname); w.long(p.capEffective); w.bigLong(p.startTs);
  w.bool(p.isExeUpperLayer); w.bool(p.isExeFromMemfd); w.optString(p.sname);
}

function writeAncestors(w: Writer, list: readonly Ancestor[]): void {
  if (list.length > 0) {
    w.long(list.length);
    for (const a of list) {
      w.long(a.pid); w.string(a.name); w.string(a.exe); w.string(a.exepath); w.strings(a.args);
    }
  }
  w.byte(0);
}

function writeFd(w: Writer, f: FileDescriptor): void {
  w.long(f.num); w.string(f.typeChar); w.string(f.name); w.optString(f.nameRaw); w.optString(f.l4proto);
  w.optString(f.sockfamily); w.optString(f.cip); w.optLong(f.cport); w.optString(f.sip); w.optLong(f.sport);
  w.optBool(f.isServer); w.optBool(f.connected);
}

function writeContainer(w: Writer, c: Container): void {
  w.string(c.id); w.optString(c.name); w.optString(c.image); w.optBool(c.privileged);
  if (c.mounts.length > 0) {
    w.long(c.mounts.length);
    for (const m of c.mounts) {
      w.string(m.source); w.string(m.dest); w.string(m.mode); w.bool(m.rdwr); w.string(m.propagation);
    }
  }
  w.byte(0);
}

function writeArgs(w: Writer, args: readonly EventArg[]): void {
  if (args.length > 0) {
    w.long(args.length);
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      w.string(a.name);
      w.string(a.text);
      writeRaw(w, a.raw);
    }
  }
  w.byte(0);
}

function writeRaw(w: Writer, raw: number | string | null): void {
  if (raw === null) w.byte(0);
  else if (typeof raw === 'number') {
    w.byte(2);
    w.long(raw);
  } else {
    w.byte(4);
    w.string(raw);
  }
}

function writeRecordArgs(w: Writer, rec: RawRecord, ctx: ArgContext): void {
  const args = rec.args;
  let n = 0;
  for (const _ in args) n++;
  if (n > 0) {
    w.long(n);
    for (const name in args) {
      const v = args[name]!;
      w.string(name);
      w.string(argText(rec.type, name, v, ctx));
      writeRaw(w, argRaw(v));
    }
  }
  w.byte(0);
}

export function createEventEncoder(): EventEncoder {
  const w = new Writer();
  const fingerprint = eventCodec.fingerprint;
  const cache = new WeakMap<object, Buffer>();
  let hits = 0;
  let misses = 0;

  /** Writes a sub-object, from its cached bytes when it has a slot or is frozen (immutable). */
  function fragment<T extends object>(value: T, write: (w: Writer, v: T) => void): void {
    const slot = slotOf(value);
    if (slot !== undefined) {
      if (slot.bytes !== null) {
        hits++;
        w.bytes(slot.bytes);
        return;
      }
      misses++;
      // Relative to the event's start: writing may move the event to a new slab.
      const rel = w.pos - w.start;
      write(w, value);
      slot.bytes = Buffer.from(w.buf.subarray(w.start + rel, w.pos));
      return;
    }
    if (!Object.isFrozen(value)) {
      write(w, value);
      return;
    }
    const bytes = cache.get(value);
    if (bytes !== undefined) {
      hits++;
      w.bytes(bytes);
      return;
    }
    misses++;
    const rel = w.pos - w.start;
    write(w, value);
    cache.set(value, Buffer.from(w.buf.subarray(w.start + rel, w.pos)));
  }

  /** Header and host: the same bytes for every event of one host. */
  let prefixHost: Host | null = null;
  let prefix: Buffer = Buffer.alloc(0);

  function immutable(v: object | null): boolean {
    return v === null || slotOf(v) !== undefined || Object.isFrozen(v);
  }

  /**
   * proc + ancestors: the same two objects for every event of a thread until it execs or an
   * ancestor changes, so their bytes are kept together on the proc view's slot and copied at
   * once. The descriptor changes from event to event and is written; the container is a fragment.
   */
  function tail(e: Event): void {
    const slot = slotOf(e.proc);
    if (slot !== undefined && slot.tail !== null && slot.tailAncestors === e.ancestors) {
      hits++;
      w.bytes(slot.tail);
    } else {
      const rel = w.pos - w.start;
      fragment(e.proc, writeProc);
      fragment(e.ancestors, writeAncestors);
      if (slot !== undefined && immutable(e.ancestors)) {
        slot.tail = Buffer.from(w.buf.subarray(w.start + rel, w.pos));
        slot.tailAncestors = e.ancestors;
      }
    }
    if (e.fd === null) w.byte(0);
    else {
      w.byte(2);
      // Descriptor views come and go with opens and accepts: cheaper to write than to cache.
      if (slotOf(e.fd) !== undefined) fragment(e.fd, writeFd);
      else writeFd(w, e.fd);
    }
    fragment(e.container, writeContainer);
  }

  function encode(e: Event, rec: RawRecord | null, ctx: ArgContext | null): Buffer {
    w.start = w.pos;
    if (e.host !== prefixHost) {
      w.ensure(HEADER);
      const h = w.pos;
      w.buf[h] = MAGIC_0;
      w.buf[h + 1] = MAGIC_1;
      w.buf.set(fingerprint, h + 2);
      w.pos = h + HEADER;
      writeHost(w, e.host);
      if (immutable(e.host)) {
        prefix = Buffer.from(w.buf.subarray(w.start, w.pos));
        prefixHost = e.host;
      }
    } else {
      w.bytes(prefix);
    }
    w.long(e.seq);
    w.bigLong(e.ts);
    w.string(e.source);
    w.string(e.type);
    w.byte(e.dir === 'ENTER' ? 0 : 2);
    w.long(e.cpu);
    w.optLong(e.res);
    if (rec === null) writeArgs(w, e.args);
    else writeRecordArgs(w, rec, ctx!);
    tail(e);
    return w.buf.subarray(w.start, w.pos);
  }

  return {
    encode: (e) => encode(e, null, null),
    encodeRecord: (e, rec, ctx) => encode(e, rec, ctx),
    stats: () => ({ fragmentHits: hits, fragmentMisses: misses }),
  };
}
