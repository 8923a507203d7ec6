// Where the scap reader gets its bytes: the whole capture in memory (a gzipped capture, or bytes a
// test built), or a window over an uncompressed file read as the reader goes, so a capture of any
// size replays in bounded memory (a window of WINDOW_BYTES, or one block if a block is larger).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ScapReadError } from './errors.js';

/** Bytes the file window reads at a time. */
export const WINDOW_BYTES = 8 * 1024 * 1024;

export interface ByteView {
  buf: Buffer;
  /** Where the requested range starts in `buf`. */
  off: number;
}

export interface ByteSource {
  /** Length of the (decompressed) capture. */
  readonly length: number;
  /**
   * Bytes [at, at + len) (the caller keeps within `length`). The buffer is never reused or
   * written after it is handed out, so views into it (decoded arguments) stay valid.
   */
  view(at: number, len: number): ByteView;
  close(): void;
}

export class MemorySource implements ByteSource {
  readonly length: number;
  constructor(private readonly data: Buffer) {
    this.length = data.length;
  }
  view(at: number): ByteView {
    return { buf: this.data, off: at };
  }
  close(): void {}
}

export class FileSource implements ByteSource {
  readonly length: number;
  private fd: number | null;
  private buf: Buffer = Buffer.alloc(0);
  private base = 0;

  constructor(private readonly file: string, fd: number, private readonly windowBytes = WINDOW_BYTES) {
    if (!Number.isInteger(windowBytes) || windowBytes < 1) throw new RangeError(`windowBytes must be a positive integer, got ${windowBytes}`);
    this.fd = fd;
    this.length = fstatSync(fd).size;
  }

  static open(file: string, windowBytes?: number): FileSource {
    try {
      return new FileSource(file, openSync(file, 'r'), windowBytes);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new ScapReadError(file, `cannot read the capture (${code ?? 'error'})`, { cause: err, retriable: code === 'EMFILE' || code === 'EAGAIN' });
    }
  }

  view(at: number, len: number): ByteView {
    if (at >= this.base && at + len <= this.base + this.buf.length) return { buf: this.buf, off: at - this.base };
    if (this.fd === null) throw new ScapReadError(this.file, 'read after close');
    // A fresh buffer each time: records decoded from the last one may still point into it.
    const size = Math.min(Math.max(len, this.windowBytes), this.length - at);
    const buf = Buffer.allocUnsafe(size);
    for (let got = 0; got < size;) {
      let n: number;
      try {
        n = readSync(this.fd, buf, got, size - got, at + got);
      } catch (err) {
        throw new ScapReadError(this.file, `reading at byte ${at + got} failed (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
      }
      if (n === 0) throw new ScapReadError(this.file, `the file ended at byte ${at + got}, before its ${this.length} bytes (is it still being written?)`);
      got += n;
    }
    this.buf = buf;
    this.base = at;
    return { buf, off: 0 };
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.buf = Buffer.alloc(0);
  }
}
