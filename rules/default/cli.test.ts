// `saker rules validate` on the default files, as a user runs it: exit 0 and no warning, both
// with the files named one by one (rules/default/*.yaml) and with `--rules default`.
import { expect, test } from 'vitest';
import { runSaker } from '../../test/harness/cli-io.js';
import { eventToJson } from '../../schemas/codec.js';
import { openRead } from './event-builder.js';
import { defaultRuleFiles } from './index.js';

const saker = runSaker;

test.each([
  ['rules/default/*.yaml', ['rules', 'validate', ...defaultRuleFiles()]],
  ['--rules default', ['rules', 'validate', 'default']],
])('saker rules validate %s: exit 0, no warning', async (_label, argv) => {
  const r = await saker(argv);
  expect(r.code, r.err).toBe(0);
  expect(r.err).toBe('');
  // The summary counts warnings; no other line may mention one.
  expect(r.out).toMatch(/\b0 warning/);
  expect(r.out.split('\n').filter((l) => /warn/i.test(l) && !/\b0 warning/.test(l))).toEqual([]);
});

test('saker eval --rules default judges events in the schema JSON form and the flat form', async () => {
  const shadow = eventToJson(openRead({ cmd: 'cat /etc/shadow', ancestors: ['bash', 'sshd'] }, '/etc/shadow'));
  const phpShell = {
    'evt.type': 'execve', 'evt.dir': '<', 'evt.res': 'SUCCESS', 'proc.name': 'sh', 'proc.cmdline': 'sh -c id',
    'proc.aname[1]': 'php-fpm8.2', 'proc.aname[2]': 'systemd', 'container.id': 'host',
  };
  const r = await saker(['eval', '--rules', 'default', '--events', '-', '--json'], `${JSON.stringify(shadow)}\n${JSON.stringify(phpShell)}\n`);
  expect(r.code, r.err).toBe(0);
  const alerts = r.out.trim().split('\n').map((l) => JSON.parse(l) as { rule: string; priority: string; output: string });
  expect(alerts.map((a) => a.rule)).toEqual(['Sensitive file read by an untrusted program', 'Shell spawned by a program that must not spawn one']);
  expect(alerts[0]!.output).toContain('file=/etc/shadow');
  expect(alerts[1]!.output).toContain('gparent=systemd');
});
