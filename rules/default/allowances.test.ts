// Every allowance of the detection spec: an event that the rule reports when the allowance is
// taken away (replaced by never_true in a user file loaded after the defaults) and does not
// report with the default rules.
import { describe, expect, test } from 'vitest';
import type { Event } from '../../schemas/types.generated.js';
import { createEngine } from '../index.js';
import { type Actor, connection, exec, openRead, openWrite, pathCall } from './event-builder.js';
import { defaultRuleFiles } from './index.js';

interface Allowance {
  /** What the spec allows, in its words. */
  what: string;
  rule: string;
  event: Event;
  /** Rules text that removes the allowance. */
  without: string;
}

const neverMacro = (name: string): string =>
  `- macro: ${name}\n  condition: (never_true)\n  override:\n    condition: replace\n`;

const fromShell: Partial<Actor> = { ancestors: ['bash', 'sshd', 'systemd'] };

const allowances: Allowance[] = [
  {
    what: 'alternatives (update-alternatives) may write symlinks below binary directories',
    rule: 'File renamed, removed or linked below a binary directory',
    event: pathCall({ cmd: 'update-alternatives --set editor /usr/bin/vim.basic', ...fromShell }, 'symlinkat',
      { target: '/etc/alternatives/editor', linkdirfd: 'AT_FDCWD', linkpath: '/usr/bin/editor.dpkg-tmp' }),
    without: neverMacro('alternatives_managing_links'),
  },
  {
    what: 'userhelper may read sensitive files',
    rule: 'Sensitive file read by an untrusted program',
    event: openRead({ cmd: 'userhelper -t -w system-config-users', ...fromShell }, '/etc/shadow'),
    without: neverMacro('userhelper_reading_sensitive_files'),
  },
  {
    what: 'userhelper may write below /etc',
    rule: 'File opened for writing below /etc',
    event: openWrite({ cmd: 'userhelper -t -w system-config-date', ...fromShell }, '/etc/security/console.apps/config-util'),
    without: neverMacro('userhelper_writing_etc'),
  },
  {
    what: 'package management programs running urlgrabber-ext-down may update pki files below /etc',
    rule: 'File opened for writing below /etc',
    event: openWrite({ cmd: 'urlgrabber-ext-down', ancestors: ['yum install htop', 'bash', 'sshd'] }, '/etc/pki/nssdb/cert9.db'),
    without: neverMacro('package_mgmt_running_urlgrabber_writing_pki'),
  },
  {
    what: 'an additional root directory for Jupyter notebooks is allowed',
    rule: 'File opened for writing below / or /root',
    event: openWrite({ cmd: 'jupyter-notebook --allow-root', ...fromShell }, '/root/.local/share/jupyter/runtime/kernel-1.json'),
    without: neverMacro('jupyter_writing_root_dirs'),
  },
  {
    what: 'brandbot may write /etc/os-release',
    rule: 'File opened for writing below /etc',
    event: openWrite({ cmd: 'brandbot /etc/os-release', ancestors: ['systemd'] }, '/etc/os-release'),
    without: neverMacro('brandbot_writing_os_release'),
  },
  ...['/etc/vx/volboot', '/etc/opt/VRTS/vras_env', '/etc/vom/vom.conf'].map((file): Allowance => ({
    what: `Veritas configuration directories below /etc are allowed (${file})`,
    rule: 'File opened for writing below /etc',
    event: openWrite({ cmd: 'vxconfigd -k', ancestors: ['systemd'] }, file),
    without: neverMacro('veritas_writing_config'),
  })),
  {
    what: 'AppDynamics (a Java program, recognised by its parent\'s command line) may spawn shells',
    rule: 'Shell spawned by a program that must not spawn one',
    event: exec({ cmd: 'sh -c cat /proc/meminfo', ancestors: ['java -jar -Dappdynamics.agent.uniqueHostId=web1 /opt/appdynamics/machineagent.jar', 'runsv appdynamics', 'runsvdir'] }),
    without: neverMacro('run_by_appdynamics'),
  },
  {
    what: 'Chef may write below binary directories',
    rule: 'File opened for writing below a binary directory',
    event: openWrite({ cmd: 'cp /var/chef/cache/tool /usr/bin/tool', ancestors: ['sh -c cp /var/chef/cache/tool /usr/bin/tool', 'chef-client', 'systemd'] }, '/usr/bin/tool'),
    without: neverMacro('run_by_chef'),
  },
  {
    what: 'Python running chef may write to the rpm database',
    rule: 'Rpm database opened for writing by a non-package program',
    event: openWrite({ cmd: 'python /opt/chef/embedded/apps/chef/lib/chef/provider/package/yum/yum-dump.py', ancestors: ['ruby /usr/bin/chef-client', 'systemd'] }, '/var/lib/rpm/__db.001'),
    without: neverMacro('python_running_chef'),
  },
  {
    what: 'chef-client counts as a package management binary',
    rule: 'Rpm database opened for writing by a non-package program',
    event: openWrite({ cmd: 'chef-client -z', ancestors: ['systemd'] }, '/var/lib/rpm/__db.001'),
    without: '- list: package_mgmt_binaries\n  items: [rpm, yum, dnf]\n  override:\n    items: replace\n',
  },
  {
    what: 'volume management programs (pvscan and friends) may write their directories below /etc',
    rule: 'File opened for writing below /etc',
    event: openWrite({ cmd: 'pvscan --cache --activate ay 8:17', ancestors: ['systemd'] }, '/etc/lvm/cache/.cache'),
    without: neverMacro('volume_mgmt_writing_conf'),
  },
  {
    what: 'OpenLDAP (run-openldap.sh) may write below /etc/openldap',
    rule: 'File opened for writing below /etc',
    event: openWrite({ cmd: 'cp /config/slapd.conf /etc/openldap/slapd.conf', ancestors: ['run-openldap.sh', 'tini'] }, '/etc/openldap/slapd.conf'),
    without: neverMacro('openldap_writing_conf'),
  },
  ...[['/etc/hosts', '/etc/sedK3x9Qa'], ['/etc/ssh/sshd_config', '/etc/ssh/sedpQ01zT']].map(([edited, temp]): Allowance => ({
    what: `sed may write its temporary files /etc/sedXXXXXX (sed -i ${edited})`,
    rule: 'File opened for writing below /etc',
    event: openWrite({ cmd: `sed -i s/^#Port/Port/ ${edited}`, ...fromShell }, temp!),
    without: neverMacro('sed_temporary_file'),
  })),
  {
    what: 'DataStax Search (dse) may write /root/tmp__',
    rule: 'File opened for writing below / or /root',
    event: openWrite({ cmd: 'dse cassandra -s', ancestors: ['systemd'] }, '/root/tmp__'),
    without: neverMacro('dse_writing_tmp'),
  },
  {
    what: 'MySQL programs (run-mysqld) may write /etc/my.cnf.d',
    rule: 'File opened for writing below /etc',
    event: openWrite({ cmd: 'run-mysqld', ancestors: ['container-entrypoint'] }, '/etc/my.cnf.d/server.cnf'),
    without: neverMacro('mysql_writing_conf'),
  },
  {
    what: 'Redis may write its configuration below /etc',
    rule: 'File opened for writing below /etc',
    event: openWrite({ cmd: 'redis-server 127.0.0.1:6379', user: 'redis', uid: 112, ancestors: ['systemd'] }, '/etc/redis/redis.conf'),
    without: neverMacro('redis_writing_conf'),
  },
  {
    what: 'id may open network connections (user look-ups over sun-rpc)',
    rule: 'System binary made or accepted a network connection',
    event: connection({ cmd: 'id alice', ...fromShell }, 'connect', '10.0.0.2', 111),
    without: neverMacro('id_looking_up_users'),
  },
  {
    what: 'ossec-syscheckd may read sensitive files',
    rule: 'Sensitive file read by an untrusted program',
    event: openRead({ cmd: 'ossec-syscheckd', ancestors: ['systemd'] }, '/etc/shadow'),
    without: neverMacro('hids_reading_sensitive_files'),
  },
  {
    what: 'mkinitramfs may write below /boot',
    rule: 'File opened for writing below a monitored directory',
    event: openWrite({ cmd: 'mkinitramfs -o /boot/initrd.img-6.1.0-18-amd64.new 6.1.0-18-amd64', ancestors: ['update-initramfs -u', 'bash', 'sshd'] }, '/boot/initrd.img-6.1.0-18-amd64.new'),
    without: neverMacro('mkinitramfs_writing_boot'),
  },
  // Allowances beyond the spec's list, from the same field experience.
  {
    what: 'Redis runs its pre-up/post-up scripts through a shell',
    rule: 'Shell spawned by a program that must not spawn one',
    event: exec({ cmd: 'sh -c /etc/redis/redis-server.post-up.d/00_example', ancestors: ['redis-hooks /etc/redis', 'redis-server', 'systemd'] }),
    without: neverMacro('redis_running_prepost_scripts'),
  },
  {
    what: 'PostgreSQL archives its WAL through wal-e',
    rule: 'Database spawned a process',
    event: exec({ cmd: 'sh -c envdir /etc/wal-e.d/env /usr/local/bin/wal-e wal-push pg_wal/0001', user: 'postgres', uid: 110, ancestors: ['postgres', 'systemd'] }),
    without: neverMacro('postgres_running_wal_e'),
  },
  {
    what: 'PHP mail() goes through sh -c sendmail',
    rule: 'Shell spawned by a program that must not spawn one',
    event: exec({ cmd: 'sh -c /usr/sbin/sendmail -t -i', user: 'www-data', uid: 33, ancestors: ['php-fpm8.2 pool www', 'php-fpm8.2 master process', 'systemd'] }),
    without: neverMacro('php_sending_mail'),
  },
];

const files = defaultRuleFiles();
const withDefaults = createEngine({ files, match: 'all' });
const fired = (engine: ReturnType<typeof createEngine>, e: Event): string[] => engine.judge(e).map((a) => a.rule);

describe.each(allowances)('$what', (a) => {
  test('the default rules do not report it', () => {
    expect(fired(withDefaults, a.event)).not.toContain(a.rule);
  });
  test(`without the allowance, "${a.rule}" reports it`, () => {
    const without = createEngine({ files, texts: [{ name: 'without-allowance.yaml', text: a.without }], match: 'all' });
    expect(fired(without, a.event)).toContain(a.rule);
  });
});

describe('alerts about shells name enough ancestors (up to the 7th)', () => {
  const ancestors = ['php-fpm8.2 pool www', 'php-fpm8.2 master', 'supervisord', 'containerd-shim', 'dockerd-like', 'init-helper', 'launcher7', 'systemd'];
  const alerts = withDefaults.judge(exec({ cmd: 'sh -c id', user: 'www-data', uid: 33, ancestors }));
  const shellAlerts = alerts.filter((a) => a.tags.includes('shell'));

  test('a shell alert is raised', () => {
    expect(shellAlerts.map((a) => a.rule)).toContain('Shell spawned by a program that must not spawn one');
  });
  test.each([2, 3, 4, 5, 6, 7])('ancestor %i is in the output and its fields', (n) => {
    for (const a of shellAlerts) {
      const name = ancestors[n - 1]!.split(' ')[0]!;
      expect(a.outputFields[`proc.aname[${n}]`]).toBe(name);
      expect(a.output).toContain(name);
    }
  });
  test('every shell rule prints ancestors up to the 7th', () => {
    const shellRules = withDefaults.rules.filter((r) => r.def.tags.includes('shell'));
    expect(shellRules.length).toBeGreaterThanOrEqual(3);
    for (const r of shellRules) expect(r.def.output, r.def.name).toContain('%proc.aname[7]');
  });
});
