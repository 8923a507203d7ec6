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

/** A link of an error chain: whatever was thrown or given as a cause (kafkajs, Node, ours). */
export interface ErrorLink {
  name?: unknown;
  type?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
}

/**
 * `err`, then its `cause`, then that one's, outermost first: at most `maxLinks`, and only while
 * they are objects. Libraries wrap the error worth reading (a fenced producer, a refused
 * certificate) a few levels down; this is the one walk down to it.
 */
export function* errorChain(err: unknown, maxLinks: number): Generator<ErrorLink> {
  let e = err;
  for (let n = 0; n < maxLinks && typeof e === 'object' && e !== null; n++) {
    yield e as ErrorLink;
    e = (e as ErrorLink).cause;
  }
}
