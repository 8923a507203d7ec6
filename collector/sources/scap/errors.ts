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
