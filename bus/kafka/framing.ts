// Packing many bus messages into one Kafka record. kafkajs spends most of its time per record
// (record encoding, CRC32C in JS, buffers, GC), not per byte, so the bus sends each partition's
// share of a publish as a few large records instead of one record per ~600-byte event.
//
// Packed record, format v1:
//   Kafka record header  saker-pack = "1"    marks the record as packed (and the format version);
//                                            a record without it is one plain message (written
//                                            by a producer outside the bus), read as before.
//   Kafka record key     null                the record holds many keys; a "first key" would
//                                            mislead any tool that reads or re-partitions by key.
//                                            The partition is chosen per message key by the bus.
//   Kafka record value   varint count, then count times:
//                          varint key         0 = null key, else UTF-8 byte length + 1, then bytes
//                          varint headers     number of header pairs, then per pair:
//                                               varint length + UTF-8 name, varint length + UTF-8 value
//                          varint length      then the value bytes (Avro, untouched)
//   varint = unsigned LEB128, at most 5 bytes (< 2^31). The value must be consumed exactly.
// Every inner message gets the record's Kafka offset and timestamp, plus `index` (its position
// in the record), so (offset, index) names it uniquely; commits stay per Kafka record.
// A packed record that does not parse is delivered whole as one message with `malformed` set
// (see consumer.ts): the handler quarantines it instead of the worker crashing on it forever.
import type { KafkaMessage } from 'kafkajs';
import type { ConsumedMessage, OutgoingMessage } from '../bus.js';
import { BusError } from '../errors.js';
import { uvarintSize, writeUVarint } from './varint.js';

export const PACK_HEADER = 'saker-pack';
export const PACK_VERSION = '1';
/** Largest packed record the bus builds (a single bigger message gets a record of its own). */
export const MAX_PACK_BYTES = 256 * 1024;

/** A packed record that does not follow the format: not retriable, the bytes will not change. */
export class PackedRecordError extends BusError {
  constructor(message: string) {
    super(`corrupt packed record: ${message}`, { retriable: false });
  }
}

/** Bytes a message takes inside a packed record. */
export function packedSize(m: OutgoingMessage): number {
  const k = m.key === null ? 0 : Buffer.byteLength(m.key);
  let n = uvarintSize(m.key === null ? 0 : k + 1) + k + uvarintSize(m.value.length) + m.value.length + 1;
  if (m.headers) {
    let count = 0;
    for (const h in m.headers) {
      const a = Buffer.byteLength(h);
      const b = Buffer.byteLength(m.headers[h]!);
      n += uvarintSize(a) + a + uvarintSize(b) + b;
      count++;
    }
    n += uvarintSize(count) - 1;
  }
  return n;
}

/** One packed record value holding `messages` in order. */
export function pack(messages: readonly OutgoingMessage[]): Buffer {
  let total = uvarintSize(messages.length);
  const sizes = new Array<number>(messages.length);
  for (let i = 0; i < messages.length; i++) total += sizes[i] = packedSize(messages[i]!);
  const buf = Buffer.allocUnsafe(total);
  let pos = writeUVarint(buf, 0, messages.length);
  for (const m of messages) {
    if (m.key === null) {
      buf[pos++] = 0;
    } else {
      const k = Buffer.byteLength(m.key);
      pos = writeUVarint(buf, pos, k + 1);
      pos += buf.write(m.key, pos, 'utf8');
    }
    const names = m.headers ? Object.keys(m.headers) : [];
    pos = writeUVarint(buf, pos, names.length);
    for (const h of names) {
      const v = m.headers![h]!;
      pos = writeUVarint(buf, pos, Buffer.byteLength(h));
      pos += buf.write(h, pos, 'utf8');
      pos = writeUVarint(buf, pos, Buffer.byteLength(v));
      pos += buf.write(v, pos, 'utf8');
    }
    pos = writeUVarint(buf, pos, m.value.length);
    buf.set(m.value, pos);
    pos += m.value.length;
  }
  if (pos !== total) throw new BusError(`packing miscounted: wrote ${pos} of ${total} bytes`, { retriable: false });
  return buf;
}

/** Splits one partition's messages (in order) into groups each packing to at most `maxBytes`. */
export function packGroups(messages: readonly OutgoingMessage[], maxBytes = MAX_PACK_BYTES): OutgoingMessage[][] {
  const groups: OutgoingMessage[][] = [];
  let current: OutgoingMessage[] = [];
  let bytes = 5;
  for (const m of messages) {
    const s = packedSize(m);
    if (current.length > 0 && bytes + s > maxBytes) {
      groups.push(current);
      current = [];
      bytes = 5;
    }
    current.push(m);
    bytes += s;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}

  varint(what: string): number {
    let n = 0;
    // A multiplier, not `2 ** shift`: exponentiation per byte showed in the evaluator's profile.
    for (let i = 0, scale = 1; i < 5; i++, scale *= 128) {
      if (this.pos >= this.buf.length) throw new PackedRecordError(`${what} runs past the end at byte ${this.pos}`);
      const b = this.buf[this.pos++]!;
      n += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (n > 0x7fffffff) throw new PackedRecordError(`${what} ${n} is out of range`);
        return n;
      }
    }
    throw new PackedRecordError(`${what} is a varint longer than 5 bytes at byte ${this.pos}`);
  }

  bytes(n: number, what: string): Buffer {
    if (n > this.buf.length - this.pos) throw new PackedRecordError(`${what} of ${n} bytes runs past the end (${this.buf.length - this.pos} left at byte ${this.pos})`);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  string(n: number, what: string): string {
    if (n > this.buf.length - this.pos) throw new PackedRecordError(`${what} of ${n} bytes runs past the end (${this.buf.length - this.pos} left at byte ${this.pos})`);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
}

/** Messages without headers share this one (frozen: a consumer cannot alter another's). */
const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/**
 * Calls `each` for every message of a packed record value, in order, and returns how many there
 * were; values are views into `buf` (not copies). Throws PackedRecordError on a malformed value,
 * possibly after some calls: callers keep nothing of a record that throws.
 */
function forEachPacked(buf: Buffer, each: (key: string | null, value: Buffer, headers: Record<string, string>, index: number) => void): number {
  const r = new Reader(buf);
  const count = r.varint('message count');
  // Each message takes at least 3 bytes: a count beyond that is corrupt, not a reason to allocate.
  if (count * 3 > buf.length) throw new PackedRecordError(`count ${count} cannot fit in ${buf.length} bytes`);
  for (let i = 0; i < count; i++) {
    const k = r.varint('key length');
    const key = k === 0 ? null : r.string(k - 1, 'key');
    const h = r.varint('header count');
    let headers = NO_HEADERS;
    if (h > 0) {
      headers = {};
      for (let j = 0; j < h; j++) {
        const name = r.string(r.varint('header name length'), 'header name');
        headers[name] = r.string(r.varint('header value length'), 'header value');
      }
    }
    each(key, r.bytes(r.varint('value length'), 'value'), headers, i);
  }
  if (r.pos !== buf.length) throw new PackedRecordError(`${buf.length - r.pos} bytes left after ${count} messages`);
  return count;
}

/** The messages in a packed record value. Values are views into `buf` (not copies). */
export function unpack(buf: Buffer): OutgoingMessage[] {
  const out: OutgoingMessage[] = [];
  forEachPacked(buf, (key, value, headers) => out.push({ key, value, headers }));
  return out;
}

function headerString(v: Buffer | string | (Buffer | string)[] | undefined): string | undefined {
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.map(String).join(',') : v.toString();
}

/**
 * The bus messages a fetched Kafka record carries: the unpacked messages of a packed record, the
 * record itself when it is plain, or the record whole with `malformed` set when it does not parse.
 * The one decoder of the format: the consumer loop, test readers and benchmarks all use it.
 */
export function recordMessages(topic: string, partition: number, m: KafkaMessage): ConsumedMessage[] {
  const timestamp = Number(m.timestamp);
  const value = m.value ?? Buffer.alloc(0);
  const packed = m.headers?.[PACK_HEADER];
  if (packed !== undefined && headerString(packed) === PACK_VERSION) {
    try {
      const out: ConsumedMessage[] = [];
      forEachPacked(value, (key, v, headers, index) => out.push({ topic, partition, offset: m.offset, index, timestamp, key, value: v, headers }));
      return out;
    } catch (err) {
      if (!(err instanceof PackedRecordError)) throw err;
      return [plain(topic, partition, m, timestamp, value, err.message)];
    }
  }
  if (packed !== undefined) {
    return [plain(topic, partition, m, timestamp, value, `packed record format '${headerString(packed)}' is not known (this build reads '${PACK_VERSION}')`)];
  }
  return [plain(topic, partition, m, timestamp, value)];
}

function plain(topic: string, partition: number, m: KafkaMessage, timestamp: number, value: Buffer, malformed?: string): ConsumedMessage {
  const headers: Record<string, string> = {};
  if (m.headers) {
    for (const [k, v] of Object.entries(m.headers)) {
      const s = headerString(v);
      if (s !== undefined) headers[k] = s;
    }
  }
  const c: ConsumedMessage = { topic, partition, offset: m.offset, timestamp, key: m.key === null ? null : m.key.toString(), value, headers };
  if (malformed !== undefined) c.malformed = malformed;
  return c;
}
