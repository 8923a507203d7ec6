// Errors of the sinks layer. `retriable` answers the one question the caller has: will sending
// the same alerts again later help (a server restarting, a rate limit, a full disk being
// cleaned) or not (a webhook that no longer exists, a request the server rejects)?
import { SakerError } from '../schemas/errors.js';

/** Delivering alerts failed. Messages never contain secrets (webhook URLs). */
export class SinkError extends SakerError {
  /** The sink that failed (`file`, `syslog`, `slack`...). */
  readonly sink: string;

  constructor(sink: string, message: string, options: { cause?: unknown; retriable: boolean }) {
    super(`${sink}: ${message}`, options);
    this.sink = sink;
  }
}

/** Options that cannot work, found when the sink is created. */
export class SinkConfigError extends SakerError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retriable: false });
  }
}
