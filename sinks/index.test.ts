import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exampleAlert } from '../schemas/examples.js';
import { formatAlertText, openSink, SinkConfigError, type SinkSpec } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'saker-opensink-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openSink', () => {
  it('builds each sink type from its spec', async () => {
    const stream = createWriteStream(join(dir, 'stdout.txt'));
    const specs: SinkSpec[] = [
      { type: 'stdout', stream },
      { type: 'file', path: join(dir, 'file.txt'), format: 'text', reopenOnSighup: false },
      { type: 'slack', webhookUrl: 'https://hooks.slack.com/services/T/B/x' },
    ];
    const sinks = await Promise.all(specs.map((s) => openSink(s)));
    expect(sinks.map((s) => s.name)).toEqual(['stdout', 'file', 'slack']);
    await sinks[0]!.send([exampleAlert()]);
    await sinks[1]!.send([exampleAlert()]);
    await Promise.all(sinks.map((s) => s.close()));
    stream.end();
    await once(stream, 'finish');
    expect(readFileSync(join(dir, 'stdout.txt'), 'utf8')).toBe(formatAlertText(exampleAlert()) + '\n');
    expect(readFileSync(join(dir, 'file.txt'), 'utf8')).toBe(formatAlertText(exampleAlert()) + '\n');
  });

  it('rejects an unknown type', async () => {
    await expect(openSink({ type: 'pager' } as unknown as SinkSpec)).rejects.toThrow(SinkConfigError);
  });
});
