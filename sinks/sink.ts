// The bus -> sinks contract (architecture.md): a sink delivers alerts somewhere and says, when
// it fails, whether trying again can help (SinkError.retriable).
import { pino, type Logger } from 'pino';
import type { Alert } from '../schemas/types.generated.js';

export interface Sink {
  /** Short name for logs, metrics and dead-letter headers: `stdout`, `file`, `syslog`, `slack`. */
  readonly name: string;
  /**
   * Delivers the alerts, in order. Resolves once they are handed over as far as the sink can
   * tell (written, fsynced per policy, accepted by the server); rejects with a SinkError.
   */
  send(alerts: readonly Alert[]): Promise<void>;
  /** Flushes what is pending and releases the sink's resources. Idempotent. */
  close(): Promise<void>;
}

/** The logger sinks use when the caller passes none: silent, so a library never prints on its own. */
export function sinkLogger(logger: Logger | undefined, name: string): Logger {
  return (logger ?? pino({ level: 'silent' })).child({ name: `sinks.${name}` });
}

/** A short description of an unknown thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
