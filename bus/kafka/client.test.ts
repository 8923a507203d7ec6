import { createRequire } from 'node:module';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CompressionTypes } from './client.js';
import { dropAbortedRecords } from './read-committed.js';

const require = createRequire(import.meta.url);

describe('bus/kafka/client', () => {
  it("puts Saker's read-committed filter in place of kafkajs' own", () => {
    const filter = require('kafkajs/src/consumer/filterAbortedMessages.js') as typeof dropAbortedRecords;
    // The records of producer 1 from offset 0 are aborted although the broker lists producer 2's
    // abort (first offset 1) first: kafkajs' own filter keeps record 0.
    const rec = (offset: number, producerId: string, abort = false) => ({
      offset: String(offset),
      key: abort ? Buffer.from([0, 0, 0, 0]) : Buffer.from('k'),
      isControlRecord: abort,
      batchContext: { firstOffset: String(offset), lastOffsetDelta: 0, producerId, inTransaction: true, isControlBatch: abort },
    });
    const kept = filter({ messages: [rec(0, '1'), rec(1, '2'), rec(2, '2', true), rec(3, '1', true)], abortedTransactions: [{ producerId: '2', firstOffset: '1' }, { producerId: '1', firstOffset: '0' }] });
    expect(kept.filter((r) => !r.isControlRecord)).toEqual([]);
  });

  it("checksums record batches with Saker's CRC-32C", () => {
    const crc = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (b: Buffer) => number;
    expect(crc(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc).not.toBe(require('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js'));
  });

  it('compresses gzip at level 1, readable by any gzip reader', async () => {
    const { CompressionCodecs } = require('kafkajs') as { CompressionCodecs: Record<number, () => { compress(e: { buffer: Buffer }): Promise<Buffer>; decompress(b: Buffer): Promise<Buffer> }> };
    const codec = CompressionCodecs[CompressionTypes.GZIP]!();
    const data = Buffer.from('saker '.repeat(5000));
    const compressed = await codec.compress({ buffer: data });
    expect(compressed.equals(gzipSync(data, { level: 1 }))).toBe(true);
    expect(gunzipSync(compressed).equals(data)).toBe(true);
    expect((await codec.decompress(gzipSync(data, { level: 9 }))).equals(data)).toBe(true);
  });
});
