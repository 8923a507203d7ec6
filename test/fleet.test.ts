// The fleet deployment end to end on real components: `saker collect` (this host, root, the
// real probe) publishes to a real Kafka broker, a `saker evaluator` worker judges with the
// default rules, `saker sinks` appends the alerts to a file. A real action on this host must
// come out as an alert line in that file.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, kafkaEndpoint, uniquePrefix } from './harness/kafka.js';

const CLI = join(ROOT, 'dist', 'cli', 'saker.js');
const children: Array<{ name: string; child: ChildProcess; err: string }> = [];
let brokers: string;

function start(name: string, args: string[]) {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT });
  const entry = { name, child, err: '' };
  child.stderr!.on('data', (d) => (entry.err += d));
  child.stdout!.on('data', () => undefined);
  children.push(entry);
  return entry;
}

const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', resolve));

async function until<T>(what: string, probe: () => T | undefined, timeoutMs: number, diagnostics: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${diagnostics()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  brokers = (await kafkaEndpoint()).brokers.join(',');
});
afterAll(async () => {
  for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
});

describe('fleet: collect -> Kafka -> evaluator -> Kafka -> sinks', () => {
  it('turns a sensitive file read on this host into an alert line in the sink file', async () => {
    const prefix = uniquePrefix('fleet');
    const dir = mkdtempSync(join(tmpdir(), 'saker-fleet-'));
    const out = join(dir, 'alerts.jsonl');
    const common = ['--brokers', brokers, '--topic-prefix', prefix, '--log-level', 'info'];
    const diagnostics = () => children.map((c) => `--- ${c.name} (exit ${c.child.exitCode})\n${c.err.slice(-3000)}`).join('\n');

    const evaluator = start('evaluator', ['evaluator', ...common, '--rules', 'default', '--metrics-port', '0', '--group', `${prefix}.eval`]);
    const sinks = start('sinks', ['sinks', ...common, '--file', out, '--group', `${prefix}.sinks`, '--metrics-port', '0']);
    await until('the evaluator and the sinks to join their groups', () =>
      (evaluator.err.includes('joined the consumer group') && sinks.err.includes('joined the consumer group')) || undefined, 90_000, diagnostics);
    const collector = start('collect', ['collect', ...common, '--rules', 'default', '--seconds', '15', '--metrics-port', '0']);
    await until('the collector to attach the probe', () => (collector.err.includes('"msg":"collecting"') ? true : undefined), 60_000, diagnostics);

    const reader = spawnSync('cat', ['/etc/shadow'], { stdio: 'ignore' });
    const alert = await until('the alert for cat in the sink file', () => {
      if (!existsSync(out)) return undefined;
      return readFileSync(out, 'utf8').split('\n').filter(Boolean)
        .map((l) => JSON.parse(l) as { rule: string; output_fields: Record<string, unknown> })
        .find((a) => String(a.output_fields['proc.pid']) === String(reader.pid));
    }, 90_000, diagnostics);
    expect(alert.output_fields['fd.name']).toBe('/etc/shadow');
    expect(alert.rule).toMatch(/[Ss]ensitive/);

    // The collector's status endpoint, while it runs: what it took in, published and lost.
    const statusPort = (service: { err: string }): number => Number(/"port":(\d+),"msg":"serving \/metrics and \/healthz"/.exec(service.err)?.[1]);
    const port = statusPort(collector);
    expect(port, diagnostics()).toBeGreaterThan(0);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1]);
    expect(value('saker_collector_up')).toBe(1);
    expect(value('saker_collector_records_total')).toBeGreaterThan(0);
    expect(value('saker_collector_published_total')).toBeGreaterThan(0);
    expect(value('saker_collector_kernel_delivered_total')).toBeGreaterThanOrEqual(value('saker_collector_records_total'));
    expect(value('saker_collector_kernel_dropped_total')).toBeGreaterThanOrEqual(0);
    expect(metrics).toMatch(/^saker_collector_state_entries\{table="processes"\} [1-9]\d*$/m);
    // The sinks' endpoint: the alert above was delivered to the file sink.
    const sinksMetrics = await (await fetch(`http://127.0.0.1:${statusPort(sinks)}/metrics`)).text();
    expect(sinksMetrics).toMatch(/^saker_sinks_delivered_total\{sink="[^"]+"\} [1-9]\d*$/m);
    expect(sinksMetrics).toMatch(/^saker_sinks_up 1$/m);

    expect(await exited(collector.child), diagnostics()).toBe(0);
    expect(collector.err).toMatch(/saker collect: \d+ events published, 0 records quarantined/);
    evaluator.child.kill('SIGTERM');
    sinks.child.kill('SIGTERM');
    expect(await exited(evaluator.child), diagnostics()).toBe(0);
    expect(await exited(sinks.child), diagnostics()).toBe(0);
  }, 240_000);
});
