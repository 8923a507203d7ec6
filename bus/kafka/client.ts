// The one place Saker loads kafkajs. Everything else imports kafkajs' values from here (types
// may come from 'kafkajs' directly), so that every client, in services, tests and benchmarks:
//  - reads committed data correctly: kafkajs' own aborted-transaction filter lets aborted
//    records through (read-committed.ts says when and why), and this module replaces that one
//    internal module before kafkajs loads it;
//  - checksums record batches eight bytes at a time (crc32c.ts), ~3x kafkajs' own CRC-32C;
//  - encodes produce requests and request frames in one pass (produce-encoder.ts) instead of
//    kafkajs' chain of growing, zero-filled, copied buffers;
//  - compresses gzip at level 1: kafkajs' codec uses zlib's default (6), which cost the
//    publisher more than it saved; level 1 is ~2.5x faster here for ~20% larger batches, and
//    any Kafka client reads it (the wire codec is gzip either way).
import { createRequire, Module } from 'node:module';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type * as KafkaJs from 'kafkajs';
import { crc32c } from './crc32c.js';
import { dropAbortedRecords } from './read-committed.js';
import { encodeProduceBody, frameRequest, type ProduceRequestArgs } from './produce-encoder.js';

/** The kafkajs release whose internal module layout and contracts were checked. */
const CHECKED_KAFKAJS = '2.2.4';
const MARK = Symbol.for('saker.bus.kafka.replacedModule');

const require = createRequire(import.meta.url);

type KafkaEncoder = { buf: Buffer; offset: number; readonly buffer: Buffer };
// A leaf module: loading it before kafkajs changes nothing that the replacements below rely on.
const Encoder = require('kafkajs/src/protocol/encoder.js') as new (initialSize: number) => KafkaEncoder;
/** kafkajs' Encoder holding finished bytes (what its request frame and connection read). */
function encoderOf(bytes: Buffer): KafkaEncoder {
  const e = new Encoder(0);
  e.buf = bytes;
  e.offset = bytes.length;
  return e;
}

type ProduceRequest = { encode(): Promise<KafkaEncoder> } & Record<string, unknown>;
type RequestFrameArgs = { correlationId: number; clientId: string | null; request: { apiKey: number; apiVersion: number; encode(): Promise<KafkaEncoder> } };

/**
 * kafkajs' internal modules replaced, by path, with the module that loads them (its own require
 * of them then finds ours in the cache). Each keeps kafkajs' contract: the filter takes
 * { messages, abortedTransactions } and returns the messages kept; the CRC takes a Buffer and
 * returns an unsigned 32-bit number; the request frame takes { correlationId, clientId, request }
 * and resolves to an Encoder; Produce v3 (which v4..v7 extend) takes the request's arguments and
 * returns { apiKey, apiVersion, apiName, expectResponse, encode }. A replacement that falls back
 * to kafkajs' own module says `wrapsOriginal` and gets it as `original`.
 */
const REPLACEMENTS: ReadonlyArray<{ path: string; loadedBy: string; wrapsOriginal?: true; exports: (original: never) => (...args: never[]) => unknown }> = [
  { path: 'kafkajs/src/consumer/filterAbortedMessages.js', loadedBy: 'kafkajs/src/consumer/batch.js', exports: () => (args: Parameters<typeof dropAbortedRecords>[0]) => dropAbortedRecords(args) },
  { path: 'kafkajs/src/protocol/recordBatch/crc32C/index.js', loadedBy: 'kafkajs/src/protocol/recordBatch/v0/index.js', exports: () => (buf: Buffer) => crc32c(buf) },
  {
    path: 'kafkajs/src/protocol/request.js',
    loadedBy: 'kafkajs/src/network/connection.js',
    exports: () => async ({ correlationId, clientId, request }: RequestFrameArgs) =>
      encoderOf(frameRequest(request.apiKey, request.apiVersion, correlationId, clientId, (await request.encode()).buffer)),
  },
  {
    path: 'kafkajs/src/protocol/requests/produce/v3/request.js',
    loadedBy: 'kafkajs/src/protocol/requests/produce/v4/request.js',
    wrapsOriginal: true,
    exports: (original: (args: ProduceRequestArgs) => ProduceRequest) => (args: ProduceRequestArgs) => {
      const kafkajsRequest = original(args);
      return {
        ...kafkajsRequest,
        encode: async () => {
          const body = encodeProduceBody(args);
          return body ? encoderOf(body) : kafkajsRequest.encode();
        },
      };
    },
  },
];

function installReplacements(): void {
  const version = (require('kafkajs/package.json') as { version: string }).version;
  if (version !== CHECKED_KAFKAJS) {
    throw new Error(`bus/kafka/client.ts replaces internal modules of kafkajs ${CHECKED_KAFKAJS}; kafkajs ${version} is installed: check ${REPLACEMENTS.map((r) => r.path).join(', ')} and update CHECKED_KAFKAJS`);
  }
  for (const r of REPLACEMENTS) {
    const path = require.resolve(r.path);
    if ((require.cache[path]?.exports as Record<symbol, unknown> | undefined)?.[MARK]) continue; // installed by an earlier copy of this module
    if (require.cache[require.resolve(r.loadedBy)]) {
      throw new Error('kafkajs was loaded before bus/kafka/client.ts: import kafkajs values from bus/kafka/client.ts only');
    }
    // kafkajs' own module, loaded before ours takes its place (the modules it needs that are
    // replaced too come earlier in REPLACEMENTS, so it sees those).
    const original = (r.wrapsOriginal ? require(path) : undefined) as never;
    const mod = new Module(path);
    mod.filename = path;
    mod.exports = Object.assign(r.exports(original), { [MARK]: true });
    mod.loaded = true;
    require.cache[path] = mod;
  }
}

installReplacements();
const kafkajs = require('kafkajs') as typeof KafkaJs;

const GZIP_LEVEL = 1;
const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);
// The codec contract (kafkajs src/protocol/message/compression): compress gets the encoder of
// the batch's records, decompress the compressed bytes; both run zlib on libuv's thread pool.
kafkajs.CompressionCodecs[kafkajs.CompressionTypes.GZIP] = () => ({
  compress: (encoder: { buffer: Buffer }) => gzipAsync(encoder.buffer, { level: GZIP_LEVEL }),
  decompress: (data: Buffer) => gunzipAsync(data),
});

export const { Kafka, Partitioners, CompressionTypes, logLevel } = kafkajs;
export type Kafka = KafkaJs.Kafka;
export type CompressionTypes = KafkaJs.CompressionTypes;
export type logLevel = KafkaJs.logLevel;
