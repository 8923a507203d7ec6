// The one place Saker loads kafkajs. Everything else imports kafkajs' values from here (types
// may come from 'kafkajs' directly), so that every client, in services, tests and benchmarks:
//  - reads committed data correctly: kafkajs' own aborted-transaction filter lets aborted
//    records through (read-committed.ts says when and why), and this module replaces that one
//    internal module before kafkajs loads it;
//  - compresses gzip at level 1: kafkajs' codec uses zlib's default (6), which cost the
//    publisher more than it saved; level 1 is ~2.5x faster here for ~20% larger batches, and
//    any Kafka client reads it (the wire codec is gzip either way).
import { createRequire, Module } from 'node:module';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type * as KafkaJs from 'kafkajs';
import { dropAbortedRecords } from './read-committed.js';

/** The kafkajs release whose internal module layout and filter contract were checked. */
const CHECKED_KAFKAJS = '2.2.4';
const MARK = Symbol.for('saker.bus.kafka.readCommittedFilter');

const require = createRequire(import.meta.url);

function installReadCommittedFilter(): void {
  const version = (require('kafkajs/package.json') as { version: string }).version;
  if (version !== CHECKED_KAFKAJS) {
    throw new Error(`bus/kafka/client.ts replaces kafkajs ${CHECKED_KAFKAJS}'s read-committed filter; kafkajs ${version} is installed: check src/consumer/filterAbortedMessages.js and update CHECKED_KAFKAJS`);
  }
  const filterPath = require.resolve('kafkajs/src/consumer/filterAbortedMessages.js');
  const cached = require.cache[filterPath];
  if ((cached?.exports as Record<symbol, unknown> | undefined)?.[MARK]) return; // installed by an earlier copy of this module
  if (require.cache[require.resolve('kafkajs/src/consumer/batch.js')]) {
    throw new Error('kafkajs was loaded before bus/kafka/client.ts: import kafkajs values from bus/kafka/client.ts only');
  }
  const filter = Object.assign((args: Parameters<typeof dropAbortedRecords>[0]) => dropAbortedRecords(args), { [MARK]: true });
  const mod = new Module(filterPath);
  mod.filename = filterPath;
  mod.exports = filter;
  mod.loaded = true;
  require.cache[filterPath] = mod;
}

installReadCommittedFilter();
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
