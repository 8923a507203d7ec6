// docker-compose.yml and the Dockerfile cannot run here (no Docker engine), so this checks what
// can go stale without anyone noticing: every saker command in the compose file names a command
// and flags the built CLI accepts (its --help lists them), the Kafka image is the version the
// tests run, the user the services run as is the one the image makes, and the scripts the
// collector's entrypoint runs exist.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli', 'saker.js');

interface Service { image?: string; build?: string; user?: string; command?: string[]; entrypoint?: string[] }
const compose = yaml.load(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

/** The saker argv a service runs: its command (the image's entrypoint is saker), or the one its shell entrypoint execs. */
function sakerArgs(s: Service): string[] | null {
  if (s.command) return s.command;
  const script = s.entrypoint?.[0] === 'sh' ? s.entrypoint[2] ?? '' : '';
  const at = script.indexOf('dist/cli/saker.js ');
  return at < 0 ? null : script.slice(at + 'dist/cli/saker.js '.length).trim().split(/\s+/);
}

describe('docker-compose.yml and Dockerfile', () => {
  const built = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);

  it('has the collector, evaluator and sinks services, built from this Dockerfile', () => {
    expect(built.map(([name]) => name).sort()).toEqual(['collector', 'evaluator', 'sinks']);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "\/opt\/saker\/dist\/cli\/saker\.js"\]$/m);
  });

  it.each(built.map(([name, s]) => [name, s] as const))('%s runs a saker command whose flags the built CLI accepts', (name, service) => {
    const args = sakerArgs(service);
    expect(args, `${name}: no saker command found`).not.toBeNull();
    const [command, ...rest] = args!;
    const help = spawnSync(process.execPath, [CLI, command!, '--help'], { encoding: 'utf8' });
    expect(help.status, help.stderr).toBe(0);
    const flags = rest.filter((a) => a.startsWith('--'));
    expect(flags.length).toBeGreaterThan(0);
    for (const flag of flags) expect(help.stdout, `${name}: saker ${command} --help does not list ${flag}`).toContain(`${flag} `);
  });

  it('runs the unprivileged services as the user the image creates; only the collector is privileged', () => {
    const user = /useradd .*?(\w+)\s*$/m.exec(dockerfile)?.[1];
    expect(user).toBe('saker');
    for (const [name, s] of built) {
      const privileged = (s as { privileged?: boolean }).privileged === true;
      expect(privileged, name).toBe(name === 'collector');
      if (!privileged) expect(s.user, name).toBe(user);
    }
  });

  it("uses the Kafka version scripts/kafka runs, and scripts that exist", () => {
    const kafkaVersion = /version="\$\{KAFKA_VERSION:-([\d.]+)\}"/.exec(readFileSync(join(ROOT, 'scripts', 'kafka'), 'utf8'))?.[1];
    expect(compose.services.kafka!.image).toBe(`apache/kafka:${kafkaVersion}`);
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const entry = compose.services.collector!.entrypoint!.join(' ');
    for (const [, script] of entry.matchAll(/npm run ([\w:-]+)/g)) expect(scripts, script).toHaveProperty([script!]);
  });
});
