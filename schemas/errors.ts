// The root of every Saker error class. Each layer keeps its classes in one module
// (rules/errors.ts, bus/errors.ts, sinks/errors.ts, this file for schemas); all share
// `retriable` (would trying again help?) and the standard `cause`.

export interface SakerErrorOptions {
  cause?: unknown;
  retriable?: boolean;
}

export class SakerError extends Error {
  readonly retriable: boolean;

  constructor(message: string, options: SakerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retriable = options.retriable ?? false;
  }
}

/** Bytes or JSON that cannot be decoded as the expected schema. Never retriable: the data is bad. */
export class DecodeError extends SakerError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retriable: false });
  }
}

/** A value that does not fit the schema it is encoded with (a bug in the producer). Not retriable. */
export class EncodeError extends SakerError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retriable: false });
  }
}

/** A writer schema that is invalid or cannot be read by the current reader schema. Not retriable. */
export class SchemaError extends SakerError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retriable: false });
  }
}
