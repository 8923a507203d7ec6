// Errors of the probe layer. ProbeUnavailableError: this machine cannot run the probe (addon not
// built, not root, no BTF, tracepoint missing); retrying will not help until it is fixed.
import { SakerError } from '../schemas/errors.js';

export class ProbeError extends SakerError {
  constructor(message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(message, options);
  }
}

/** The addon is not built, or the kernel refused to load/attach the program. */
export class ProbeUnavailableError extends ProbeError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retriable: false });
  }
}

/** Options that cannot work (unknown syscall, sizes out of range). */
export class ProbeOptionsError extends ProbeError {
  constructor(message: string) {
    super(message, { retriable: false });
  }
}

/** A packed record that does not match bpf/record.h (a bug, or a stale addon build). */
export class RecordLayoutError extends ProbeError {
  constructor(message: string) {
    super(message, { retriable: false });
  }
}
