// Where the scap reader gets its bytes: the whole capture in memory (bytes a test built), or a
// window over an uncompressed file read as the reader goes, so a capture of any size replays in
// bounded memory (a window of WINDOW_BYTES, or one block if a block is larger). A gzipped capture
// is decompressed first by `gzip -dc` into a temp file that is unlinked as soon as it is open (the
// kernel frees it when the reader closes it, or when the process ends).
import { spawnSync } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScapReadError, cannotReadCapture } from './errors.js';

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

  /** A gzipped capture, decompressed into an unlinked temp file and read through the window. */
  static gunzipped(file: string, windowBytes?: number): FileSource {
    const dir = mkdtempSync(join(tmpdir(), 'saker-gunzip-'));
    const temp = join(dir, 'capture.scap');
    let fd: number;
    try {
      fd = openSync(temp, 'w+', 0o600);
    } finally {
      // Unlinked before anything can fail: nothing is left behind, whatever happens next.
      rmSync(dir, { recursive: true, force: true });
    }
    const gz = spawnSync('gzip', ['-dc', '--', file], { stdio: ['ignore', fd, 'pipe'], maxBuffer: 1 << 20 });
    // gzip's status 2 is a warning (trailing garbage ignored): the capture itself is complete.
    if (gz.error !== undefined || (gz.status !== 0 && gz.status !== 2)) {
      closeSync(fd);
      const why = gz.error !== undefined ? gz.error.message : gz.stderr.toString().trim().replace(/^gzip: /, '');
      throw new ScapReadError(file, `broken gzip stream: ${why}`, { cause: gz.error });
    }
    return new FileSource(file, fd, windowBytes);
  }

  static open(file: string, windowBytes?: number): FileSource {
    try {
      return new FileSource(file, openSync(file, 'r'), windowBytes);
    } catch (err) {
      throw cannotReadCapture(file, err);
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
