// `saker capture` on the live machine (root), then `saker replay` of the file: the real action
// recorded is judged from the capture with the same alert as judging the events directly.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureCommand } from '../cli/commands/capture.js';
import { replayCommand } from '../cli/commands/replay.js';
import { openCaptureReader } from '../collector/capture/capture-file.js';
import { requireRoot, sleep } from '../probe/test-support.js';
import { createEngine } from '../rules/index.js';
import type { Event } from '../schemas/types.generated.js';
import { formatAlertText } from '../sinks/format.js';
import { memoryIo, type MemoryIo } from './harness/cli-io.js';

const ROOT = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'saker-cap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const io = (): MemoryIo => memoryIo();

const RULES = `
- rule: Hostname read by cat
  desc: test rule
  condition: evt.type in (open, openat) and proc.name = cat and fd.name = /etc/hostname and proc.pname = bash
  output: "hostname read (user=%user.name command=%proc.cmdline parent=%proc.pname file=%fd.name marker=%proc.aname[1])"
  priority: WARNING
`;

describe('saker capture then saker replay', () => {
  it('records a real action and replays it to the same alert', async () => {
    requireRoot();
    const file = join(dir, 'live.avro');
    const rules = join(dir, 'rules.yaml');
    writeFileSync(rules, RULES);
    const cap = io();
    // --seconds counts from the moment the probe is attached, which the info log announces.
    const capturing = captureCommand.run(['--out', file, '--seconds', '4', '--rules', rules, '--log-level', 'info'], cap.io);
    const deadline = Date.now() + 60_000;
    while (!cap.err().includes('probe attached')) {
      if (Date.now() > deadline) throw new Error(`the probe did not attach within 60 s: ${cap.err()}`);
      await sleep(50);
    }
    const marker = `saker-marker-${process.pid}`;
    await new Promise<void>((resolve, reject) => {
      const c = spawn('/bin/bash', ['-c', `cat /etc/hostname >/dev/null; : ${marker}`], { stdio: 'ignore' });
      c.on('error', reject);
      c.on('exit', () => resolve());
    });
    expect(await capturing).toBe(0);
    expect(cap.err()).toMatch(/\ncaptured \d+ events \(\d+ records, \d+ dropped in the kernel\) to /);
    expect(statSync(file).size).toBeGreaterThan(0);

    // Judging the captured events directly...
    const engine = createEngine({ files: [rules] });
    const direct: string[] = [];
    const events: Event[] = [];
    for await (const e of openCaptureReader(file)) {
      events.push(e);
      for (const a of engine.judge(e)) direct.push(formatAlertText(a));
    }
    expect(direct.length).toBeGreaterThanOrEqual(1);
    expect(direct.some((line) => line.includes(`command=cat /etc/hostname parent=bash file=/etc/hostname`))).toBe(true);

    // ...and through `saker replay` print the same alerts.
    const rep = io();
    expect(await replayCommand.run([file, '--rules', rules], rep.io)).toBe(0);
    expect(rep.out().trim().split('\n')).toEqual(direct);
    expect(rep.err()).toMatch(new RegExp(`^replayed ${events.length} events`));

    const json = io();
    expect(await replayCommand.run([file, '--rules', rules, '--json', '--all-events', '--speed', 'max'], json.io)).toBe(0);
    const parsed = json.out().trim().split('\n').map((l) => JSON.parse(l) as { rule: string; output_fields: Record<string, unknown> });
    expect(parsed[0]!.rule).toBe('Hostname read by cat');
    expect(parsed[0]!.output_fields['fd.name']).toBe('/etc/hostname');
  }, 120_000);

  it('replays a Falco .scap capture with Falco\'s selections (0.10 suite case multiple_rules_suppress_info)', async () => {
    const suite = join(ROOT, '../shared/conformance/falco-0.10.0-tests');
    const r = io();
    const code = await replayCommand.run([
      join(suite, 'trace_files/cat_write.scap'), '--rules', join(suite, 'rules/single_rule.yaml'), '--rules', join(suite, 'rules/double_rule.yaml'),
      '--priority', 'WARNING', '--all-events', '--json',
    ], r.io);
    expect(code).toBe(0);
    const counts: Record<string, number> = {};
    for (const line of r.out().trim().split('\n')) {
      const rule = (JSON.parse(line) as { rule: string }).rule;
      counts[rule] = (counts[rule] ?? 0) + 1;
    }
    expect(counts).toEqual({ open_from_cat: 8, exec_from_cat: 1 });
  });

  it('rejects bad usage clearly', async () => {
    const r = io();
    await expect(replayCommand.run([], r.io)).rejects.toThrow(/FILE to replay is required/);
    await expect(replayCommand.run([join(dir, 'x.avro'), '--speed', 'warp', '--rules', 'default'], r.io)).rejects.toThrow(/--speed must be real or max/);
    await expect(replayCommand.run(['x.avro', '--to-kafka'], r.io)).rejects.toThrow(/--brokers/);
    await expect(captureCommand.run(['--seconds', '1'], r.io)).rejects.toThrow(/--out FILE.avro is required/);
    await expect(captureCommand.run(['--out', 'x', '--seconds', '-1'], r.io)).rejects.toThrow(/--seconds/);
  });
});
