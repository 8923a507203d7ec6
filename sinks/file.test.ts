import { mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isMainThread } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { exampleAlert } from '../schemas/examples.js';
import { SinkConfigError, SinkError } from './errors.js';
import { openFileSink } from './file.js';
import { formatAlertJson, formatAlertText } from './format.js';

const dir = mkdtempSync(join(tmpdir(), 'saker-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const alert = (rule: string) => ({ ...exampleAlert(), rule });

describe('file sink', () => {
  it('appends JSON lines to a file created 0600, keeping what was there', async () => {
    const path = join(dir, 'alerts.jsonl');
    const first = await openFileSink({ path, reopenOnSighup: false });
    await first.send([alert('one'), alert('two')]);
    await first.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const second = await openFileSink({ path, fsync: 'none', reopenOnSighup: false });
    await second.send([alert('three')]);
    await second.close();
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines).toEqual([formatAlertJson(alert('one')), formatAlertJson(alert('two')), formatAlertJson(alert('three')), '']);
    expect(lines.slice(0, 3).map((l) => JSON.parse(l).rule)).toEqual(['one', 'two', 'three']);
  });

  it('writes the text form on request', async () => {
    const path = join(dir, 'alerts.txt');
    const sink = await openFileSink({ path, format: 'text', timeFormat: 'time', mode: 0o640, reopenOnSighup: false });
    await sink.send([alert('t')]);
    await sink.close();
    expect(readFileSync(path, 'utf8')).toBe(formatAlertText(alert('t'), { timeFormat: 'time' }) + '\n');
    expect(statSync(path).mode & 0o777).toBe(0o640);
  });

  it('starts a new file after log rotation: reopen() and SIGHUP', async () => {
    const path = join(dir, 'rotated.jsonl');
    const sink = await openFileSink({ path });
    await sink.send([alert('before')]);
    renameSync(path, `${path}.1`); // what logrotate does
    await sink.send([alert('still old file')]); // the open descriptor follows the renamed file
    await sink.reopen();
    await sink.send([alert('after reopen')]);
    renameSync(path, `${path}.2`);
    // A real signal to this process: only safe where this code owns the process (vitest's
    // 'forks' pool, the default). In a worker thread the signal would hit the test runner.
    if (!isMainThread) throw new Error('the SIGHUP test needs vitest\'s forks pool (a process per test file), not threads');
    process.kill(process.pid, 'SIGHUP');
    for (let i = 0; i < 100; i++) {
      try {
        statSync(path);
        break;
      } catch {
        await sleep(20); // the handler reopens asynchronously
      }
    }
    await sink.send([alert('after SIGHUP')]);
    await sink.close();
    const rules = (p: string) => readFileSync(p, 'utf8').trim().split('\n').map((l) => JSON.parse(l).rule);
    expect(rules(`${path}.1`)).toEqual(['before', 'still old file']);
    expect(rules(`${path}.2`)).toEqual(['after reopen']);
    expect(rules(path)).toEqual(['after SIGHUP']);
    expect(process.listenerCount('SIGHUP')).toBe(0); // close() removed its handler
  });

  it('fails at startup for a path it cannot open, saying why', async () => {
    const missingDir = openFileSink({ path: join(dir, 'no-such-dir', 'a.jsonl'), reopenOnSighup: false });
    await expect(missingDir).rejects.toThrow(SinkError);
    await expect(missingDir).rejects.toThrow(/cannot open .*no-such-dir.*ENOENT/);
    const isDir = await openFileSink({ path: dir, reopenOnSighup: false }).catch((err: unknown) => err);
    expect(isDir).toBeInstanceOf(SinkError);
    expect((isDir as SinkError).retriable).toBe(false);
    expect((isDir as Error).message).toMatch(/EISDIR/);
  });

  it('reports a full disk as retriable (/dev/full answers every write with ENOSPC)', async () => {
    const sink = await openFileSink({ path: '/dev/full', reopenOnSighup: false });
    const error = await sink.send([alert('lost?')]).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(SinkError);
    expect((error as SinkError).retriable).toBe(true);
    expect((error as Error).message).toMatch(/cannot write to \/dev\/full: ENOSPC/);
    await sink.close();
  });

  it('validates its options', async () => {
    await expect(openFileSink({ path: '' })).rejects.toThrow(SinkConfigError);
    await expect(openFileSink({ path: join(dir, 'x'), fsync: 'always' as 'none' })).rejects.toThrow(/fsync must be/);
    await expect(openFileSink({ path: join(dir, 'x'), format: 'xml' as 'json' })).rejects.toThrow(/format must be/);
  });
});
