// Every error the collector raises. A bad record never stops the pipeline: it is counted and
// handed to the caller's quarantine hook as a RecordError; configuration problems are caught
// when a component is created.
import { SakerError } from '../schemas/errors.js';

/** Options that cannot work, found when a component is created. */
export class CollectorConfigError extends SakerError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retriable: false });
  }
}

/** A raw record the state engine or enrichment cannot use (wrong argument types, ...). */
export class RecordError extends SakerError {
  constructor(message: string, readonly recordType: string, options: { cause?: unknown } = {}) {
    super(`${recordType}: ${message}`, { ...options, retriable: false });
  }
}

/** A capture file that cannot be read or written (missing, truncated, not an event capture). */
export class CaptureError extends SakerError {
  constructor(message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(message, options);
  }
}

/** A source of raw records (probe, /proc snapshot) that failed or is not available here. */
export class SourceError extends SakerError {
  constructor(message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(message, options);
  }
}

/** A container runtime socket that did not answer, or answered something unusable. */
export class ContainerRuntimeError extends SakerError {
  constructor(message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(message, options);
  }
}
