// Stage `read` of the .scap source: frames the blocks of a capture (format.ts), parses the
// metadata blocks at its head (machine, processes, fds, interfaces, users), then hands out one
// RawRecord per decodable event, in file order. Unknown block types and event types are counted
// in `stats` and skipped, never fatal; a block whose framing is inconsistent ends the read with a
// ScapFormatError (nothing after it can be trusted). A capture is read through a window as the
// reader goes (byte-source.ts): memory stays bounded whatever the file's size; a gzipped one is
// decompressed to an unlinked temp file first.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { RawRecord } from '../../raw-record.js';
import { FileSource, MemorySource, type ByteSource } from './byte-source.js';
import { ScapFormatError, ScapReadError, cannotReadCapture, isGzipMagic } from './errors.js';
import { decodeEvent, type DecodeContext } from './events.js';
import {
  EVENT_BLOCKS, FDL_V1, FDL_V2, IL_V1, IL_V2, MI_BLOCK, PL_VERSIONS, SHB_BLOCK, SHB_MAGIC, SHB_MAJOR, UL_V1, UL_V2,
  isOneOf, type EventBlockKind,
} from './format.js';
import {
  parseFdList, parseInterfaceList, parseMachineInfo, parseProcessList, parseUserList,
  type ScapFd, type ScapGroup, type ScapInterface, type ScapMachine, type ScapThread, type ScapUser,
} from './lists.js';

export interface ScapStats {
  /** Event blocks read (decoded or not). */
  events: number;
  /** RawRecords produced. */
  records: number;
  /** Event blocks carrying a flags word (EVF blocks). */
  eventsWithFlags: number;
  /** Block type -> count, for blocks this reader does not know (skipped). */
  unknownBlocks: Map<number, number>;
  /** Metadata blocks met after the first event (skipped; the seed is taken from the head). */
  lateMetadataBlocks: number;
  /** PPME event type -> count, for events without a decoder (skipped). */
  unknownEvents: Map<number, number>;
  /** PPME event type -> count, for events whose parameter lengths do not add up (skipped). */
  badEvents: Map<number, number>;
}

export interface ScapHead {
  file: string;
  version: { major: number; minor: number };
  machine: ScapMachine | null;
  threads: ScapThread[];
  fds: ScapFd[];
  interfaces: ScapInterface[];
  users: ScapUser[];
  groups: ScapGroup[];
}

/**
 * The end-of-replay report of what was skipped: unknown block and event types, undecodable
 * events, late metadata blocks. Null when nothing was.
 */
export function describeSkipped(stats: ScapStats): string | null {
  const parts: string[] = [];
  const list = (m: Map<number, number>, hex: boolean): string =>
    [...m].sort((a, b) => b[1] - a[1]).map(([id, n]) => `${hex ? `0x${id.toString(16)}` : id} x${n}`).join(', ');
  const total = (m: Map<number, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
  if (stats.unknownEvents.size) parts.push(`${total(stats.unknownEvents)} events of unknown types (PPME id ${list(stats.unknownEvents, false)})`);
  if (stats.badEvents.size) parts.push(`${total(stats.badEvents)} events whose lengths do not add up (PPME id ${list(stats.badEvents, false)})`);
  if (stats.unknownBlocks.size) parts.push(`${total(stats.unknownBlocks)} blocks of unknown types (${list(stats.unknownBlocks, true)})`);
  if (stats.lateMetadataBlocks) parts.push(`${stats.lateMetadataBlocks} metadata blocks after the first event`);
  return parts.length ? `skipped ${parts.join('; ')}` : null;
}

/** Reads a capture file into memory, gunzipping it when it starts with the gzip magic. */
export function loadScapFile(file: string): Buffer {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (err) {
    throw cannotReadCapture(file, err);
  }
  if (isGzipMagic(raw)) {
    try {
      return gunzipSync(raw);
    } catch (err) {
      throw new ScapReadError(file, `broken gzip stream: ${(err as Error).message}`, { cause: err });
    }
  }
  return raw;
}

export interface OpenScapOptions {
  /** Bytes an uncompressed capture is read in (default WINDOW_BYTES, 8 MiB; a larger block is read whole). */
  windowBytes?: number;
}

/** Opens a capture and reads it through a window; a gzipped one is decompressed to a temp file first. */
export function openScapFile(file: string, options: OpenScapOptions = {}): ScapReader {
  const plain = FileSource.open(file, options.windowBytes);
  // The first window read serves the section header next, unless the file turns out gzipped.
  const head = plain.view(0, Math.min(2, plain.length));
  if (!isGzipMagic(head.buf, head.off)) return new ScapReader(file, plain);
  plain.close();
  return new ScapReader(file, FileSource.gunzipped(file, options.windowBytes));
}

export class ScapReader implements Iterable<RawRecord> {
  readonly head: ScapHead;
  readonly stats: ScapStats = {
    events: 0, records: 0, eventsWithFlags: 0, unknownBlocks: new Map(), lateMetadataBlocks: 0,
    unknownEvents: new Map(), badEvents: new Map(),
  };
  private pos: number;
  private readonly ctx: DecodeContext;
  private readonly src: ByteSource;

  /** `data`: the decompressed capture, or a source of its bytes; `file` names it in errors. */
  constructor(readonly file: string, data: Buffer | ByteSource) {
    this.src = Buffer.isBuffer(data) ? new MemorySource(data) : data;
    this.head = { file, version: { major: 0, minor: 0 }, machine: null, threads: [], fds: [], interfaces: [], users: [], groups: [] };
    try {
      this.pos = this.readSectionHeader();
      this.readMetadata();
    } catch (err) {
      this.src.close();
      throw err;
    }
    const tgid = new Map<number, number>();
    for (const t of this.head.threads) tgid.set(t.tid, t.pid);
    this.ctx = { tgid, skippedType: 0, skipReason: null };
  }

  /** The next record, or null at the end of the capture (the file is closed then). */
  next(): RawRecord | null {
    for (;;) {
      if (this.pos >= this.src.length) {
        this.src.close();
        return null;
      }
      const at = this.pos;
      const total = this.frame(at);
      const type = this.blockType;
      this.pos = at + total;
      const kind = EVENT_BLOCKS.get(type);
      if (kind === undefined) {
        this.otherBlock(type);
        continue;
      }
      const rec = this.event(at, total, kind);
      if (rec !== null) return rec;
    }
  }

  /** Releases the file before the end (the end of the records releases it too). */
  close(): void {
    this.src.close();
  }

  *[Symbol.iterator](): Iterator<RawRecord> {
    for (let r = this.next(); r !== null; r = this.next()) yield r;
  }

  /** Type of the block `frame` validated last, and where its bytes are. */
  private blockType = 0;
  private block: Buffer = Buffer.alloc(0);
  private blockOff = 0;

  /**
   * Validates the block at `at`; returns its total length. Its type goes to `blockType`, its bytes
   * to `block` from `blockOff` (positions below are relative to those; errors say file offsets).
   */
  private frame(at: number): number {
    const length = this.src.length;
    if (at + 12 > length) throw new ScapFormatError(this.file, at, `truncated block header (${length - at} bytes left)`);
    const head = this.src.view(at, 12);
    const type = u32(head.buf, head.off);
    const total = u32(head.buf, head.off + 4);
    if (total < 12) throw new ScapFormatError(this.file, at, `block 0x${type.toString(16)} has invalid length ${total}`);
    if (at + total > length) throw new ScapFormatError(this.file, at, `block 0x${type.toString(16)} of ${total} bytes is truncated (${length - at} left)`);
    const { buf, off } = this.src.view(at, total);
    const trailer = u32(buf, off + total - 4);
    if (trailer !== total) throw new ScapFormatError(this.file, at, `block 0x${type.toString(16)}: header length ${total}, trailer ${trailer}`);
    this.blockType = type;
    this.block = buf;
    this.blockOff = off;
    return total;
  }

  private event(at: number, total: number, kind: EventBlockKind): RawRecord | null {
    const b = this.block;
    const start = this.blockOff;
    this.stats.events++;
    const cpu = b[start + 8]! | (b[start + 9]! << 8);
    let p = start + 10;
    if (kind.hasFlags) {
      p += 4;
      this.stats.eventsWithFlags++;
    }
    const avail = start + total - 4 - p;
    const header = kind.version === 2 ? 26 : 22;
    if (avail < header) throw new ScapFormatError(this.file, at, `event block too short for an event header (${avail} bytes)`);
    const rec = decodeEvent(b, p, avail, kind.version, cpu, this.ctx);
    if (rec === null) {
      const m = this.ctx.skipReason === 'unknown-type' ? this.stats.unknownEvents : this.stats.badEvents;
      m.set(this.ctx.skippedType, (m.get(this.ctx.skippedType) ?? 0) + 1);
      return null;
    }
    this.stats.records++;
    return rec;
  }

  private otherBlock(type: number): void {
    if (isMetadata(type)) {
      this.stats.lateMetadataBlocks++;
      return;
    }
    if (type === SHB_BLOCK) throw new ScapFormatError(this.file, this.pos, 'a second section header: concatenated captures are not supported');
    this.stats.unknownBlocks.set(type, (this.stats.unknownBlocks.get(type) ?? 0) + 1);
  }

  private readSectionHeader(): number {
    if (this.src.length < 28) throw new ScapFormatError(this.file, 0, 'not a scap capture (no section header block)');
    const first = this.src.view(0, 28);
    if (first.buf.readUInt32LE(first.off) !== SHB_BLOCK) throw new ScapFormatError(this.file, 0, 'not a scap capture (no section header block)');
    const total = this.frame(0);
    if (total < 28) throw new ScapFormatError(this.file, 0, `section header of ${total} bytes is too short`);
    const b = this.block;
    const o = this.blockOff;
    const magic = b.readUInt32LE(o + 8);
    if (magic === 0x4d3c2b1a) throw new ScapFormatError(this.file, 8, 'big-endian captures are not supported');
    if (magic !== SHB_MAGIC) throw new ScapFormatError(this.file, 8, `bad byte-order magic 0x${magic.toString(16)}`);
    const major = b.readUInt16LE(o + 12);
    const minor = b.readUInt16LE(o + 14);
    if (major > SHB_MAJOR) throw new ScapFormatError(this.file, 12, `capture format ${major}.${minor} is newer than this reader (${SHB_MAJOR}.x)`);
    this.head.version = { major, minor };
    return total;
  }

  /** Parses the metadata blocks up to the first event block. */
  private readMetadata(): void {
    while (this.pos < this.src.length) {
      const at = this.pos;
      const total = this.frame(at);
      if (EVENT_BLOCKS.has(this.blockType)) return;
      try {
        this.metadataBlock(this.blockType, this.block, this.blockOff + 8, this.blockOff + total - 4);
      } catch (err) {
        // The parsers count in the window's buffer: report file offsets.
        throw err instanceof ScapFormatError ? err.rebased(at - this.blockOff) : err;
      }
      this.pos = at + total;
    }
  }

  /** One metadata block's body [s, e) of `b` into the head. */
  private metadataBlock(type: number, b: Buffer, s: number, e: number): void {
    const h = this.head;
    const plv = PL_VERSIONS.get(type);
    if (plv !== undefined) h.threads.push(...parseProcessList(this.file, b, s, e, plv));
    else if (isOneOf(type, MI_BLOCK)) h.machine = parseMachineInfo(this.file, b, s, e);
    else if (isOneOf(type, FDL_V1) || type === FDL_V2) h.fds.push(...parseFdList(this.file, b, s, e, type === FDL_V2));
    else if (isOneOf(type, IL_V1) || type === IL_V2) h.interfaces = parseInterfaceList(this.file, b, s, e, type === IL_V2);
    else if (isOneOf(type, UL_V1) || type === UL_V2) {
      const ul = parseUserList(this.file, b, s, e, type === UL_V2);
      h.users = ul.users;
      h.groups = ul.groups;
    } else this.otherBlock(type);
  }
}

function u32(b: Buffer, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}

function isMetadata(type: number): boolean {
  return PL_VERSIONS.has(type) || isOneOf(type, MI_BLOCK) || isOneOf(type, FDL_V1) || type === FDL_V2 ||
    isOneOf(type, IL_V1) || type === IL_V2 || isOneOf(type, UL_V1) || type === UL_V2;
}
