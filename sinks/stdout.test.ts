import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { exampleAlert } from '../schemas/examples.js';
import { SinkError } from './errors.js';
import { formatAlertJson, formatAlertText } from './format.js';
import { createStdoutSink } from './stdout.js';

const dir = mkdtempSync(join(tmpdir(), 'saker-stdout-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stdout sink', () => {
  it('writes one Falco text line per alert, in order', async () => {
    const path = join(dir, 'text.out');
    const stream = createWriteStream(path);
    const sink = createStdoutSink({ stream });
    const a = exampleAlert();
    const b = { ...exampleAlert(), rule: 'Second', priority: 'Critical' };
    await sink.send([a, b]);
    await sink.send([]);
    await sink.close();
    stream.end();
    await once(stream, 'finish');
    expect(readFileSync(path, 'utf8')).toBe(`${formatAlertText(a)}\n${formatAlertText(b)}\n`);
  });

  it('writes JSON lines with the chosen time format', async () => {
    const path = join(dir, 'json.out');
    const stream = createWriteStream(path);
    const sink = createStdoutSink({ stream, format: 'json', timeFormat: 'time' });
    await sink.send([exampleAlert()]);
    stream.end();
    await once(stream, 'finish');
    const line = readFileSync(path, 'utf8');
    expect(line).toBe(formatAlertJson(exampleAlert(), { timeFormat: 'time' }) + '\n');
    expect(JSON.parse(line).rule).toBe('Read sensitive file untrusted');
  });

  it('reports a reader that went away (EPIPE) as not retriable', async () => {
    // The reader closes its end of the pipe and keeps running.
    const child = spawn('sh', ['-c', 'exec 0<&-; sleep 2'], { stdio: ['pipe', 'ignore', 'ignore'] });
    await new Promise((r) => setTimeout(r, 200));
    const sink = createStdoutSink({ stream: child.stdin });
    const error = await sink.send([exampleAlert()]).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(SinkError);
    expect((error as SinkError).retriable).toBe(false);
    expect((error as Error).message).toMatch(/^stdout: write failed: .*EPIPE/);
    // Later sends fail at once with the same reason.
    await expect(sink.send([exampleAlert()])).rejects.toThrow(/EPIPE/);
    child.kill();
  });

  it('refuses to send after close', async () => {
    const stream = createWriteStream(join(dir, 'closed.out'));
    const sink = createStdoutSink({ stream });
    await sink.close();
    await expect(sink.send([exampleAlert()])).rejects.toThrow(/send after close/);
    stream.end();
    await once(stream, 'finish');
  });
});
