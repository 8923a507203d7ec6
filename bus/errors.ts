// Every error the bus raises. `retriable` says whether trying the same call again can help
// (a broker that is restarting, a rebalance) or not (bad configuration, a fenced producer).
import { SakerError } from '../schemas/errors.js';

/** A failure talking to the bus: broker unreachable, request timed out, transaction aborted. */
export class BusError extends SakerError {
  constructor(message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(message, { retriable: options.retriable ?? true, cause: options.cause });
  }
}

/** Options that cannot work: caught when a bus is created, before any connection. */
export class BusConfigError extends SakerError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retriable: false });
  }
}

/**
 * Another process took over this producer's transactional id (a newer owner of the partition).
 * This process is a zombie for that partition: its batch must be dropped, never committed.
 */
export class ProducerFencedError extends BusError {
  constructor(readonly transactionalId: string, options: { cause?: unknown } = {}) {
    super(`producer '${transactionalId}' was fenced by a newer owner of its partition`, { ...options, retriable: true });
  }
}

/**
 * The brokers refused this client's credentials (SASL) or its TLS handshake: trying again with the
 * same settings cannot help. The message names the user and mechanism, never the password.
 */
export class BusAuthenticationError extends BusError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retriable: false });
  }
}
