// The sinks layer's public surface, and one factory the CLI can feed from its configuration.
import type { Logger } from 'pino';
import { SinkConfigError } from './errors.js';
import { openFileSink, type FileSinkOptions } from './file.js';
import type { Sink } from './sink.js';
import { createSlackSink, type SlackSinkOptions } from './slack.js';
import { createStdoutSink, type StdoutSinkOptions } from './stdout.js';
import { openSyslogSink, type SyslogSinkOptions } from './syslog.js';

export type { Sink } from './sink.js';
export { SinkError, SinkConfigError } from './errors.js';
export * from './format.js';
export { createStdoutSink, type StdoutSinkOptions } from './stdout.js';
export { openFileSink, type FileSink, type FileSinkOptions, type FsyncPolicy } from './file.js';
export { openSyslogSink, type SyslogSinkOptions, type SyslogTransport } from './syslog.js';
export { createSlackSink, slackPayload, type SlackSinkOptions } from './slack.js';
export { runSinks, type RunSinksOptions, type SinkRunner, type SinkStats } from './service.js';

/** A sink described by configuration (the `logger` comes from the caller, not the config). */
export type SinkSpec =
  | ({ type: 'stdout' } & Omit<StdoutSinkOptions, 'logger'>)
  | ({ type: 'file' } & Omit<FileSinkOptions, 'logger'>)
  | ({ type: 'syslog' } & Omit<SyslogSinkOptions, 'logger'>)
  | ({ type: 'slack' } & Omit<SlackSinkOptions, 'logger'>);

/** Creates (and for file/syslog, opens) the sink a spec describes. */
export async function openSink(spec: SinkSpec, logger?: Logger): Promise<Sink> {
  switch (spec.type) {
    case 'stdout':
      return createStdoutSink({ ...spec, logger });
    case 'file':
      return openFileSink({ ...spec, logger });
    case 'syslog':
      return openSyslogSink({ ...spec, logger });
    case 'slack':
      return createSlackSink({ ...spec, logger });
    default:
      throw new SinkConfigError(`unknown sink type ${JSON.stringify((spec as { type?: unknown }).type)} (stdout, file, syslog, slack)`);
  }
}
