// Evaluator workers as real child processes running the built CLI (dist/, from `npm run build`),
// exactly as an operator starts them: `saker evaluator --brokers ... --rules ...`. Used by the
// pipeline benchmark and the Kafka tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { projectRoot } from './pipeline-events.js';

const ROOT = projectRoot();

const SAKER = resolve(ROOT, 'dist/cli/saker.js');

/** argv that runs `saker evaluator` from the build. */
function entry(): string[] {
  if (!existsSync(SAKER)) throw new Error(`${SAKER} is missing: run \`npm run build\` first`);
  return [SAKER, 'evaluator'];
}

export interface Worker {
  name: string;
  proc: ChildProcess;
  metricsPort: number;
  exited: Promise<number | null>;
  stderr: () => string;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export async function startWorker(name: string, args: string[]): Promise<Worker> {
  const metricsPort = await freePort();
  const proc = spawn(process.execPath, [...entry(), ...args, '--metrics-port', String(metricsPort)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    if (err.length > 200_000) err = err.slice(-100_000);
  });
  proc.stdout!.resume();
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { name, proc, metricsPort, exited, stderr: () => err };
}

export async function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
}

/** Value of an unlabelled or labelled sample in Prometheus text, NaN when absent. */
export function metricValue(text: string, sample: string): number {
  const line = text.split('\n').find((l) => l.startsWith(sample + ' '));
  return line ? Number(line.slice(sample.length + 1)) : NaN;
}

export async function waitHealthy(w: Worker, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (w.proc.exitCode !== null) throw new Error(`worker ${w.name} exited with ${w.proc.exitCode}:\n${w.stderr().slice(-4000)}`);
    try {
      if ((await httpGet(w.metricsPort, '/healthz')).status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`worker ${w.name} not healthy after ${timeoutMs} ms:\n${w.stderr().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** SIGTERM and wait; returns the exit code. */
export async function stopWorker(w: Worker, timeoutMs = 60_000): Promise<number | null> {
  if (w.proc.exitCode !== null || w.proc.signalCode !== null) return w.proc.exitCode;
  w.proc.kill('SIGTERM');
  const t = setTimeout(() => w.proc.kill('SIGKILL'), timeoutMs);
  const code = await w.exited;
  clearTimeout(t);
  return code;
}
