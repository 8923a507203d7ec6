// Capture files: enriched events in an Avro object container file (the Avro specification's
// "Object Container Files"), readable by any Avro tool.
//
//   header: "Obj" 0x01 | map<bytes> metadata {avro.schema: the Event schema JSON (event.avsc,
//           logical types included), avro.codec: "deflate" | "null", saker.capture: "1"}
//           | 16-byte sync marker
//   blocks: long count | long byte size | count Avro-binary events (raw-deflated with "deflate")
//           | the sync marker
//
// avsc's BlockEncoder writes the blocks; the header is written here because avsc would print the
// schema from its parsed type, which drops `logicalType: timestamp-nanos` and with it the
// exactness of ns timestamps on reading. Reading parses the header's schema with Saker's
// bigint nanos type and resolves an older or newer writer schema to the current Event.
import { once } from 'node:events';
import { createReadStream, createWriteStream, statSync, type ReadStream, type WriteStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import avro from 'avsc';
import { parseAvroSchema } from '../../schemas/avro-types.js';
import { EVENT_SCHEMA } from '../../schemas/codec.js';
import type { Event } from '../../schemas/types.generated.js';
import { CaptureError } from '../errors.js';

export type CaptureCodec = 'deflate' | 'null';

const HEADER_TYPE = avro.Type.forSchema({
  type: 'record', name: 'org.apache.avro.file.Header',
  fields: [
    { name: 'magic', type: { type: 'fixed', name: 'Magic', size: 4 } },
    { name: 'meta', type: { type: 'map', values: 'bytes' } },
    { name: 'sync', type: { type: 'fixed', name: 'Sync', size: 16 } },
  ],
});

const EVENT_TYPE = parseAvroSchema(EVENT_SCHEMA);
const EVENT_SCHEMA_TEXT = JSON.stringify(EVENT_SCHEMA);

export interface CaptureWriterOptions {
  codec?: CaptureCodec;
  /** Uncompressed bytes per block (default 64 KiB). */
  blockSize?: number;
}

export interface CaptureWriter {
  readonly path: string;
  /** Resolves once the event is buffered (waits when the file cannot keep up). */
  write(event: Event): Promise<void>;
  /** Flushes and closes; returns the number of events written. */
  close(): Promise<number>;
}

export function createCaptureWriter(path: string, options: CaptureWriterOptions = {}): CaptureWriter {
  const codec = options.codec ?? 'deflate';
  if (codec !== 'deflate' && codec !== 'null') throw new CaptureError(`capture codec must be deflate or null, not ${String(codec)}`);
  const sync = randomBytes(16);
  const out: WriteStream = createWriteStream(path, { flags: 'w' });
  let failure: Error | null = null;
  out.on('error', (err) => {
    failure = new CaptureError(`cannot write capture ${path}: ${err.message}`, { cause: err });
  });
  out.write(HEADER_TYPE.toBuffer({
    magic: Buffer.from('Obj\x01', 'latin1'),
    meta: { 'avro.schema': Buffer.from(EVENT_SCHEMA_TEXT), 'avro.codec': Buffer.from(codec), 'saker.capture': Buffer.from('1') },
    sync,
  }));
  // avsc accepts a parsed Type where its typings say Schema.
  const encoder = new avro.streams.BlockEncoder(EVENT_TYPE as unknown as avro.Schema, {
    codec, syncMarker: sync, writeHeader: 'never', blockSize: options.blockSize ?? 65_536,
  });
  encoder.on('error', (err: Error) => {
    failure = new CaptureError(`cannot encode an event into ${path}: ${err.message}`, { cause: err });
  });
  encoder.pipe(out);
  let count = 0;
  return {
    path,
    async write(event) {
      if (failure) throw failure;
      count++;
      if (!encoder.write(event)) await once(encoder, 'drain');
    },
    async close() {
      encoder.end();
      if (!out.closed) await once(out, 'close');
      if (failure) throw failure;
      return count;
    },
  };
}

export interface CaptureReader extends AsyncIterable<Event> {
  /** Bytes of the file read so far, and its size: for a progress bar. */
  progress(): { bytesRead: number; total: number };
}

/** Opens a capture file for reading; fails early if it is missing. */
export function openCaptureReader(path: string): CaptureReader {
  let total: number;
  try {
    total = statSync(path).size;
  } catch (err) {
    throw new CaptureError(`cannot open capture ${path}: ${(err as Error).message}`, { cause: err });
  }
  let input: ReadStream | null = null;

  return {
    async *[Symbol.asyncIterator]() {
      input = createReadStream(path);
      // readerSchema: avsc resolves an older or newer writer schema to today's Event.
      const decoder = new avro.streams.BlockDecoder({
        parseHook: (schema: avro.Schema) => {
          const s = schema as { name?: unknown; namespace?: unknown };
          const name = typeof s.name === 'string' && typeof s.namespace === 'string' && !s.name.includes('.') ? `${s.namespace}.${s.name}` : s.name;
          if (name !== 'saker.Event') throw new CaptureError(`${path} holds ${String(name ?? 'unnamed')} records, not saker.Event: not a Saker capture`);
          return parseAvroSchema(schema);
        },
        readerSchema: EVENT_TYPE as unknown as object,
      });
      input.on('error', (err) => decoder.destroy(err));
      input.pipe(decoder);
      try {
        for await (const event of decoder as AsyncIterable<Event>) yield event;
      } catch (err) {
        if (err instanceof CaptureError) throw err;
        throw new CaptureError(`cannot read capture ${path}: ${(err as Error).message}`, { cause: err });
      } finally {
        input.destroy();
      }
    },
    progress: () => ({ bytesRead: input?.bytesRead ?? 0, total }),
  };
}
