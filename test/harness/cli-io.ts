// In-memory standard streams for running `saker` commands inside a test, and main() on them.
import { PassThrough } from 'node:stream';
import { main } from '../../cli/main.js';
import type { CommandIo } from '../../cli/command.js';

export interface MemoryIo {
  io: CommandIo;
  /** What was written to stdout / stderr so far. */
  out(): string;
  err(): string;
}

export function memoryIo(input = ''): MemoryIo {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  stdin.end(input);
  let o = '';
  let e = '';
  stdout.on('data', (d: Buffer) => { o += d.toString(); });
  stderr.on('data', (d: Buffer) => { e += d.toString(); });
  return { io: { stdout, stderr, stdin }, out: () => o, err: () => e };
}

/** Runs `saker argv...` through main() with `input` on stdin. */
export async function runSaker(argv: string[], input = ''): Promise<{ code: number; out: string; err: string }> {
  const m = memoryIo(input);
  const code = await main(argv, m.io);
  return { code, out: m.out(), err: m.err() };
}
