// Produce requests encoded in one pass. kafkajs builds a request from nested encoders (record,
// record batch, partition, topic, request, size prefix), each starting small and doubling with a
// zero-filled Buffer.alloc and a copy: a 256 KiB packed record was allocated and copied about
// six times, and that was a third of the publisher's CPU (profile in bus/README.md). Here the
// whole request body is sized first, allocated once (not zeroed: every byte is written) and
// each record value is copied into it once. bus/kafka/client.ts puts these in place of kafkajs'
// modules; the mirrors on the other side are kafkajs src/protocol/requests/produce/v3/request.js
// (Produce v3..v7 share its body) and src/protocol/request.js (the request frame).
//
// Wire format (Kafka protocol; every integer big-endian, varint = zigzag LEB128):
//   request frame     int32 size, int16 api_key, int16 api_version, int32 correlation_id,
//                     string client_id, body
//   Produce v3+ body  nullable string transactional_id, int16 acks, int32 timeout_ms,
//                     int32 #topics, per topic: string name, int32 #partitions, per partition:
//                     int32 partition, int32 batch size, record batch
//   record batch v2   int64 base_offset (0), int32 length (bytes after this field),
//                     int32 partition_leader_epoch (0), int8 magic (2), uint32 crc (CRC-32C of
//                     every byte after it), int16 attributes (bit 4 = transactional),
//                     int32 last_offset_delta, int64 first_timestamp, int64 max_timestamp,
//                     int64 producer_id, int16 producer_epoch, int32 base_sequence,
//                     int32 #records, records
//   record            varint length (bytes after it), int8 attributes (0),
//                     varlong timestamp_delta, varint offset_delta, varint key length (-1 = null)
//                     + key, varint value length (-1 = null) + value, varint #headers, per
//                     header: varint name length + name, varint value length + value
// string = int16 length + UTF-8 (-1 = null).
//
// The one-pass path takes what the bus sends: uncompressed, no per-message timestamps (kafkajs
// then stamps the batch with Date.now()), keys and values that are Buffers, strings or null,
// header values that are Buffers or strings. Any other request (compressed, timestamps, header
// arrays or null header values, other value types) goes to kafkajs' own encoder unchanged, so
// every kafkajs producer in a process keeps kafkajs' behaviour, errors included.
import { crc32c } from './crc32c.js';
import { uvarintSize, writeUVarint } from './varint.js';

/** A message as kafkajs hands it to the request encoder. */
interface ProduceMessage {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, unknown>;
  timestamp?: unknown;
}

export interface ProduceRequestArgs {
  acks: number;
  timeout: number;
  transactionalId?: string | null;
  producerId?: { toString(): string } | number | string;
  producerEpoch?: number;
  compression?: number;
  topicData: Array<{ topic: string; partitions: Array<{ partition: number; firstSequence?: number; messages: ProduceMessage[] }> }>;
}

const TRANSACTIONAL = 0x10;
const RECORD_BATCH_MAGIC = 2;
/** Bytes of a record batch up to and including its record count. */
const BATCH_HEADER = 8 + 4 + 4 + 1 + 4 + 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;

/** Kafka's varints are zigzag-mapped signed 32-bit ints (-1, a null length, is 1). */
function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

function varintSize(n: number): number {
  return uvarintSize(zigzag(n));
}

function writeVarint(buf: Buffer, pos: number, n: number): number {
  return writeUVarint(buf, pos, zigzag(n));
}

/** Byte length of a key or value (-1 for null); undefined when not one-pass material. */
function bytesLength(v: unknown): number | undefined {
  if (v === null || v === undefined) return -1;
  if (Buffer.isBuffer(v)) return v.length;
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
  return undefined;
}

function writeBytes(buf: Buffer, pos: number, v: unknown, length: number): number {
  pos = writeVarint(buf, pos, length);
  if (length <= 0) return pos;
  if (typeof v === 'string') return pos + buf.write(v, pos, length, 'utf8');
  buf.set(v as Buffer, pos);
  return pos + length;
}

function stringSize(s: string | null | undefined): number {
  return 2 + (s == null ? 0 : Buffer.byteLength(s, 'utf8'));
}

function writeString(buf: Buffer, pos: number, s: string | null | undefined): number {
  if (s == null) return buf.writeInt16BE(-1, pos);
  const n = Buffer.byteLength(s, 'utf8');
  pos = buf.writeInt16BE(n, pos);
  return pos + buf.write(s, pos, n, 'utf8');
}

/**
 * Appends one record's lengths to `plan` (body, key, value, then name and value per header) and
 * returns the bytes the record takes; -1 when the message is not one-pass material.
 */
function planRecord(m: ProduceMessage, offsetDelta: number, plan: number[]): number {
  if (m.timestamp !== undefined && m.timestamp !== null) return -1;
  const key = bytesLength(m.key);
  const value = bytesLength(m.value);
  if (key === undefined || value === undefined) return -1;
  const at = plan.length;
  plan.push(0, key, value);
  let body = 1 + 1 + varintSize(offsetDelta) + varintSize(key) + Math.max(key, 0) + varintSize(value) + Math.max(value, 0);
  const names = m.headers ? Object.keys(m.headers) : [];
  for (const name of names) {
    const v = m.headers![name];
    // kafkajs measures header values with Buffer.byteLength: anything else (null, arrays) is its path.
    if (!Buffer.isBuffer(v) && typeof v !== 'string') return -1;
    const n = Buffer.byteLength(name, 'utf8');
    const h = bytesLength(v)!;
    body += varintSize(n) + n + varintSize(h) + h;
    plan.push(n, h);
  }
  body += varintSize(names.length);
  plan[at] = body;
  return varintSize(body) + body;
}

/**
 * The Produce v3+ request body, or null when the request is not one this path takes (see the
 * top of the file): the caller then uses kafkajs' own encoder.
 */
export function encodeProduceBody(args: ProduceRequestArgs, now = Date.now()): Buffer | null {
  if ((args.compression ?? 0) !== 0) return null;
  const plan: number[] = [];
  let total = stringSize(args.transactionalId) + 2 + 4 + 4;
  for (const t of args.topicData) {
    total += stringSize(t.topic) + 4;
    for (const p of t.partitions) {
      total += 4 + 4 + BATCH_HEADER;
      for (let i = 0; i < p.messages.length; i++) {
        const bytes = planRecord(p.messages[i]!, i, plan);
        if (bytes < 0) return null;
        total += bytes;
      }
    }
  }

  const buf = Buffer.allocUnsafe(total);
  const producerId = BigInt.asIntN(64, BigInt(String(args.producerId ?? -1)));
  const attributes = args.transactionalId ? TRANSACTIONAL : 0;
  let next = 0; // cursor in plan
  let pos = writeString(buf, 0, args.transactionalId);
  pos = buf.writeInt16BE(args.acks, pos);
  pos = buf.writeInt32BE(args.timeout, pos);
  pos = buf.writeInt32BE(args.topicData.length, pos);
  for (const t of args.topicData) {
    pos = writeString(buf, pos, t.topic);
    pos = buf.writeInt32BE(t.partitions.length, pos);
    for (const p of t.partitions) {
      pos = buf.writeInt32BE(p.partition, pos);
      const sizeAt = pos;
      pos += 4;
      const batchStart = pos;
      pos = buf.writeBigInt64BE(0n, pos); // base offset: the broker assigns it
      const lengthAt = pos;
      pos += 4;
      pos = buf.writeInt32BE(0, pos); // partition leader epoch
      pos = buf.writeInt8(RECORD_BATCH_MAGIC, pos);
      const crcAt = pos;
      pos += 4;
      pos = buf.writeInt16BE(attributes, pos);
      pos = buf.writeInt32BE(p.messages.length - 1, pos);
      pos = buf.writeBigInt64BE(BigInt(now), pos); // first and max timestamp
      pos = buf.writeBigInt64BE(BigInt(now), pos);
      pos = buf.writeBigInt64BE(producerId, pos);
      pos = buf.writeInt16BE(args.producerEpoch ?? 0, pos);
      pos = buf.writeInt32BE(p.firstSequence ?? 0, pos);
      pos = buf.writeInt32BE(p.messages.length, pos);
      for (let i = 0; i < p.messages.length; i++) {
        const m = p.messages[i]!;
        pos = writeVarint(buf, pos, plan[next]!);
        buf[pos++] = 0; // record attributes
        buf[pos++] = 0; // timestamp delta: every record has the batch's time
        pos = writeVarint(buf, pos, i);
        pos = writeBytes(buf, pos, m.key, plan[next + 1]!);
        pos = writeBytes(buf, pos, m.value, plan[next + 2]!);
        next += 3;
        const names = m.headers ? Object.keys(m.headers) : [];
        pos = writeVarint(buf, pos, names.length);
        for (const name of names) {
          pos = writeVarint(buf, pos, plan[next]!);
          pos += buf.write(name, pos, plan[next]!, 'utf8');
          pos = writeBytes(buf, pos, m.headers![name], plan[next + 1]!);
          next += 2;
        }
      }
      buf.writeInt32BE(pos - batchStart, sizeAt);
      buf.writeInt32BE(pos - lengthAt - 4, lengthAt);
      buf.writeUInt32BE(crc32c(buf.subarray(crcAt + 4, pos)), crcAt);
    }
  }
  if (pos !== total) throw new Error(`produce request miscounted: wrote ${pos} of ${total} bytes`);
  return buf;
}

/** The request frame (size, api key and version, correlation id, client id) around a body. */
export function frameRequest(apiKey: number, apiVersion: number, correlationId: number, clientId: string | null, body: Buffer): Buffer {
  const size = 2 + 2 + 4 + stringSize(clientId) + body.length;
  const buf = Buffer.allocUnsafe(4 + size);
  let pos = buf.writeInt32BE(size, 0);
  pos = buf.writeInt16BE(apiKey, pos);
  pos = buf.writeInt16BE(apiVersion, pos);
  pos = buf.writeInt32BE(correlationId, pos);
  pos = writeString(buf, pos, clientId);
  buf.set(body, pos);
  return buf;
}
