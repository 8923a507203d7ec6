// The stdout sink: Falco's stdout_output. One line per alert, text or JSON (sinks/format.ts).
// A batch is written with one write() call and send() resolves when the stream has flushed it,
// so a slow reader (a pipe to less) slows the pipeline instead of buffering
// without bound.
import type { Logger } from 'pino';
import type { Alert } from '../schemas/types.generated.js';
import { SinkConfigError, SinkError } from './errors.js';
import { createAlertFormatter, type AlertFormat, type FormatOptions } from './format.js';
import { describeError, sinkLogger, type Sink } from './sink.js';

export interface StdoutSinkOptions extends FormatOptions {
  /** 'text' (default) or 'json'. */
  format?: AlertFormat;
  /** Where to write (default process.stdout); process.stderr, or any writable stream. */
  stream?: NodeJS.WritableStream;
  logger?: Logger;
}

export function createStdoutSink(options: StdoutSinkOptions = {}): Sink {
  const format = createAlertFormatter({ ...options, format: options.format ?? 'text' });
  const stream = options.stream ?? process.stdout;
  if (typeof stream.write !== 'function') throw new SinkConfigError('stdout sink: stream must be a writable stream');
  const log = sinkLogger(options.logger, 'stdout');
  let closed = false;

  // Kept for the stream's life: an 'error' event without a listener would crash the process
  // (EPIPE when the reader of stdout exits). The first error also fails later sends at once.
  let streamError: Error | null = null;
  stream.on('error', (err: Error) => {
    if (streamError === null) log.error({ err: describeError(err) }, 'output stream failed');
    streamError ??= err;
  });

  // The callback fires once this chunk has left the stream's buffer: waiting for it is the
  // backpressure.
  const write = (text: string): Promise<void> =>
    new Promise((resolve, reject) => {
      if (streamError !== null) reject(streamError);
      else stream.write(text, (err) => (err ? reject(err) : resolve()));
    });

  return {
    name: 'stdout',
    async send(alerts: readonly Alert[]) {
      if (closed) throw new SinkError('stdout', 'send after close', { retriable: false });
      if (alerts.length === 0) return;
      let text = '';
      for (const alert of alerts) text += format(alert) + '\n';
      try {
        await write(text);
      } catch (err) {
        // EPIPE and friends: whoever read our output is gone; writing again will not help.
        throw new SinkError('stdout', `write failed: ${describeError(err)}`, { retriable: false, cause: err });
      }
    },
    async close() {
      closed = true;
    },
  };
}
