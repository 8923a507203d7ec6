// `saker`: the command line. The only place that wires services together; each subcommand reads
// its configuration here, at the edge, and passes typed options down.
import { RuleLoadError, RuleSelectionError, formatWarning } from '../rules/index.js';
import { SakerError, errorChain } from '../schemas/errors.js';
import { UsageError } from './args.js';
import type { Command, CommandIo } from './command.js';
import { COMMANDS } from './commands/index.js';

function usage(): string {
  return ['usage: saker <command> [options]', '', 'commands:', ...COMMANDS.map((c) => `  ${c.summary}`), ''].join('\n');
}

function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  for (const command of COMMANDS) {
    const words = command.name.split(' ');
    if (words.every((w, i) => argv[i] === w)) return { command, rest: argv.slice(words.length) };
  }
  return undefined;
}

export async function main(argv: string[], io: CommandIo): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout.write(usage());
    return argv.length === 0 ? 2 : 0;
  }
  const found = findCommand(argv);
  if (!found) {
    io.stderr.write(`error: unknown command '${argv.join(' ')}'\n${usage()}`);
    return 2;
  }
  try {
    return await found.command.run(found.rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`error: ${err.message}\nusage: saker ${found.command.summary}\n`);
      return 2;
    }
    if (err instanceof RuleLoadError) {
      for (const w of err.warnings) io.stderr.write(`${formatWarning(w)} (${w.code})\n`);
      for (const e of err.errors) io.stderr.write(`error: ${e.message} (${e.code})\n`);
      return 1;
    }
    if (err instanceof RuleSelectionError) {
      io.stderr.write(`error: ${err.message}\n`);
      return 1;
    }
    // A known failure (probe, bus, capture, runtime...): its message and causes, no stack trace.
    // Anything else is a bug, and its stack trace is what a report needs.
    if (err instanceof SakerError) {
      io.stderr.write(`error: ${causeChain(err)}\n`);
      return 1;
    }
    throw err;
  }
}

/** An error's message followed by its causes' (those that add something), joined by ': '. */
function causeChain(err: Error): string {
  const parts: string[] = [];
  for (const e of errorChain(err, 5)) {
    if (!(e instanceof Error)) break;
    if (!parts.some((p) => p.includes(e.message))) parts.push(e.message);
  }
  return parts.join(': ');
}
