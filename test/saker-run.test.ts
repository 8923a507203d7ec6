// `saker run`, the single-host deployment, end to end on this machine: the built CLI as a child
// process (root: the probe), a real action, the alert on its stdout. Fails with the CLI's own
// message where BPF is unavailable; never skipped.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli', 'saker.js');

describe('saker run', () => {
  it('prints an alert for a sensitive file read on this host, then stops cleanly', async () => {
    const child = spawn(process.execPath, [CLI, 'run', '--rules', 'default', '--json', '--seconds', '10'], { cwd: ROOT });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    // Act once the probe is attached (the CLI says so on stderr).
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`saker run did not start within 60 s:\n${err}`)), 60_000);
      child.stderr.on('data', () => {
        if (err.includes('saker: watching')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', (code) => reject(new Error(`saker run exited early (${code}):\n${err}`)));
    });
    const reader = spawnSync('cat', ['/etc/shadow'], { stdio: 'ignore' });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, err).toBe(0);
    const alerts = out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { rule: string; output_fields: Record<string, unknown> });
    const mine = alerts.find((a) => String(a.output_fields['proc.pid']) === String(reader.pid));
    expect(mine, `no alert for cat (pid ${reader.pid}) among ${alerts.length}:\n${out}\n${err}`).toBeDefined();
    expect(mine!.output_fields['fd.name']).toBe('/etc/shadow');
    expect(err).toMatch(/saker: \d+ events judged, \d+ alerts, 0 records quarantined/);
  }, 120_000);
});
