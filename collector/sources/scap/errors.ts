// Errors of the .scap source. A capture that cannot be framed (bad magic, truncated block,
// inconsistent lengths) is a DecodeError: the bytes are bad, retrying cannot help. Unknown block
// and event types are not errors; they are counted in ScapStats and reported at the end.
import { DecodeError, SakerError } from '../../../schemas/errors.js';

/** The file's bytes do not follow the scap block format at `offset` (in the decompressed stream). */
export class ScapFormatError extends DecodeError {
  constructor(readonly file: string, readonly offset: number, readonly reason: string, options: { cause?: unknown } = {}) {
    super(`${file}: ${reason} (at byte ${offset})`, options);
  }

  /** The same error with its offset moved by `delta` (a parser saw a window of the file). */
  rebased(delta: number): ScapFormatError {
    return delta === 0 ? this : new ScapFormatError(this.file, this.offset + delta, this.reason, { cause: this.cause });
  }
}

/** The capture could not be opened or read at all (missing file, permission, broken gzip stream). */
export class ScapReadError extends SakerError {
  constructor(readonly file: string, reason: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(`${file}: ${reason}`, options);
  }
}

/** Opening or reading a capture file failed: too many open files may pass, the rest will not. */
export function cannotReadCapture(file: string, err: unknown): ScapReadError {
  const code = (err as NodeJS.ErrnoException).code;
  return new ScapReadError(file, `cannot read the capture (${code ?? 'error'})`, { cause: err, retriable: code === 'EMFILE' || code === 'EAGAIN' });
}

/** Whether bytes start with the gzip magic (1f 8b). */
export function isGzipMagic(b: Uint8Array, off = 0): boolean {
  return b.length - off >= 2 && b[off] === 0x1f && b[off + 1] === 0x8b;
}
