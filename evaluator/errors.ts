// The evaluator's own errors: configuration it cannot run with. Bus and rule errors keep their
// own classes (bus/errors.ts, rules/errors.ts).
import { SakerError } from '../schemas/errors.js';

export class EvaluatorConfigError extends SakerError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retriable: false });
  }
}
