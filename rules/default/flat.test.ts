// The flat form (`saker eval`, users' own rule tests): an object keyed by field names, a field
// absent has no value. These are the smallest objects that fire the default rules, so they also
// document which fields each kind of rule reads (file rules need the open's direction, access
// mode, fd type and number; process rules the exec's direction and result).
import { expect, test } from 'vitest';
import { createEngine } from '../index.js';
import { defaultRuleFiles } from './index.js';

const engine = createEngine({ files: defaultRuleFiles(), match: 'all' });
const fired = (flat: Record<string, unknown>): string[] => engine.judgeFlat(flat).map((a) => a.rule);

const shadowRead = {
  'evt.type': 'openat', 'evt.dir': '<', 'evt.is_open_read': true, 'fd.typechar': 'f', 'fd.num': 3,
  'fd.name': '/etc/shadow', 'proc.name': 'cat', 'proc.aname[1]': 'bash', 'proc.aname[2]': 'sshd', 'container.id': 'host',
};

test.each<[string, Record<string, unknown>, string]>([
  ['cat reads /etc/shadow', shadowRead, 'Sensitive file read by an untrusted program'],
  ['shell below PHP-FPM', {
    'evt.type': 'execve', 'evt.dir': '<', 'evt.res': 'SUCCESS', 'proc.name': 'sh', 'proc.cmdline': 'sh -c id',
    'proc.aname[1]': 'php-fpm8.2', 'proc.aname[2]': 'systemd', 'container.id': 'host',
  }, 'Shell spawned by a program that must not spawn one'],
  ['bash connects out', {
    'evt.type': 'connect', 'evt.dir': '<', 'evt.rawres': 0, 'fd.typechar': '4', 'fd.name': '10.0.0.5:43210->203.0.113.7:4444',
    'proc.name': 'bash', 'container.id': 'host',
  }, 'System binary made or accepted a network connection'],
  ['privileged container starts', {
    'evt.type': 'execve', 'evt.dir': '<', 'evt.res': 'SUCCESS', 'proc.name': 'nginx', 'proc.vpid': 1,
    'container.id': '3f2a9c1b7d4e', 'container.privileged': true, 'container.image.repository': 'docker.io/library/nginx',
  }, 'Privileged container started'],
])('%s', (_label, flat, rule) => {
  expect(fired(flat)).toContain(rule);
});

test('an object with only the path and the program is not an open: nothing fires', () => {
  // The example of the brief: without evt.dir, the access mode and the fd, no file rule can tell
  // a read from a failed open or a write.
  expect(fired({ 'evt.type': 'openat', 'fd.name': '/etc/shadow', 'proc.name': 'cat', 'proc.aname[2]': 'sshd' })).toEqual([]);
});

test('a trusted reader in the flat form stays quiet', () => {
  expect(fired({ ...shadowRead, 'proc.name': 'sudo' })).toEqual([]);
});
