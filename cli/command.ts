// The shape of a `saker` subcommand. cli/main.ts dispatches argv to one of these.
import type { Writable } from 'node:stream';

export interface CommandIo {
  stdout: Writable;
  stderr: Writable;
  stdin: NodeJS.ReadableStream;
}

export interface Command {
  /** `rules validate`, `eval`, `replay`... */
  name: string;
  summary: string;
  /** Returns the process exit code. */
  run(argv: string[], io: CommandIo): Promise<number>;
}
