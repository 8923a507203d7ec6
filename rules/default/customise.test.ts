// Users customise the default rules from their own file loaded after them, without copying
// rules: append an exception, override a condition, disable a rule, disable by tag, turn on an
// opt-in check. Each recipe of README.md is exercised here exactly as documented.
import { describe, expect, test } from 'vitest';
import type { Event } from '../../schemas/types.generated.js';
import { type EngineOptions, createEngine } from '../index.js';
import { exec, openWrite } from './event-builder.js';
import { defaultRuleFiles } from './index.js';

const files = defaultRuleFiles();
const engineWith = (userRules: string, options: Omit<EngineOptions, 'files' | 'texts'> = {}) =>
  createEngine({ files, texts: [{ name: 'site-rules.yaml', text: userRules }], match: 'all', ...options });
const fired = (engine: ReturnType<typeof createEngine>, e: Event): string[] => engine.judge(e).map((a) => a.rule);

const WRITE_ETC = 'File opened for writing below /etc';
const confdWrite = openWrite({ cmd: 'confd -onetime -backend env', ancestors: ['systemd'] }, '/etc/myapp/app.conf');
const confdElsewhere = openWrite({ cmd: 'confd -onetime -backend env', ancestors: ['systemd'] }, '/etc/cron.d/job');
const motdWrite = openWrite({ cmd: 'motd-gen', ancestors: ['systemd'] }, '/etc/motd');
const tomcatShell = exec({ cmd: 'sh -c id', ancestors: ['java -Dcatalina.base=/opt/tomcat org.apache.catalina.startup.Bootstrap start', 'systemd'] });

test('the defaults report the events used below', () => {
  const defaults = createEngine({ files, match: 'all' });
  expect(fired(defaults, confdWrite)).toContain(WRITE_ETC);
  expect(fired(defaults, confdElsewhere)).toContain(WRITE_ETC);
  expect(fired(defaults, motdWrite)).toContain(WRITE_ETC);
});

describe('append an exception', () => {
  test('override style', () => {
    const engine = engineWith(`
- rule: File opened for writing below /etc
  exceptions:
    - name: confd_renders_app_config
      fields: [proc.name, fd.name]
      comps: [=, startswith]
      values:
        - [confd, /etc/myapp/]
  override:
    exceptions: append
`);
    expect(engine.warnings).toEqual([]);
    expect(fired(engine, confdWrite)).not.toContain(WRITE_ETC);
    expect(fired(engine, confdElsewhere)).toContain(WRITE_ETC);
  });

  test('append style', () => {
    const engine = engineWith(`
- rule: File opened for writing below /etc
  exceptions:
    - name: confd_renders_app_config
      fields: [proc.name, fd.directory]
      values:
        - [confd, /etc/myapp]
  append: true
`);
    expect(fired(engine, confdWrite)).not.toContain(WRITE_ETC);
    expect(fired(engine, confdElsewhere)).toContain(WRITE_ETC);
  });
});

describe('override a condition', () => {
  test('append to a rule condition', () => {
    const engine = engineWith(`
- rule: File opened for writing below /etc
  condition: and not fd.name = /etc/motd
  override:
    condition: append
`);
    expect(fired(engine, motdWrite)).not.toContain(WRITE_ETC);
    expect(fired(engine, confdWrite)).toContain(WRITE_ETC);
  });

  test('replace a user_known_* placeholder macro', () => {
    const engine = engineWith(`
- macro: user_known_write_etc_activities
  condition: (proc.name = confd and fd.name startswith /etc/myapp/)
  override:
    condition: replace
`);
    expect(engine.warnings).toEqual([]);
    expect(fired(engine, confdWrite)).not.toContain(WRITE_ETC);
    expect(fired(engine, confdElsewhere)).toContain(WRITE_ETC);
  });

  test('append items to a list', () => {
    const engine = engineWith(`
- list: known_etc_writers
  items: [confd]
  override:
    items: append
`);
    expect(fired(engine, confdWrite)).not.toContain(WRITE_ETC);
    expect(fired(engine, confdElsewhere)).not.toContain(WRITE_ETC);
    expect(fired(engine, motdWrite)).toContain(WRITE_ETC);
  });
});

describe('disable a rule', () => {
  test('enabled: false', () => {
    const engine = engineWith(`
- rule: File opened for writing below /etc
  enabled: false
`);
    expect(engine.rules.map((r) => r.def.name)).not.toContain(WRITE_ETC);
    expect(fired(engine, confdWrite)).toEqual([]);
  });

  test('override enabled: replace', () => {
    const engine = engineWith(`
- rule: File opened for writing below /etc
  enabled: false
  override:
    enabled: replace
`);
    expect(fired(engine, confdWrite)).toEqual([]);
  });

  test('by name at load time (disabledRules, Falco -D)', () => {
    const engine = createEngine({ files, match: 'all', disabledRules: [WRITE_ETC] });
    expect(fired(engine, confdWrite)).toEqual([]);
  });
});

describe('disable by tag', () => {
  const phpShell = exec({ cmd: 'sh -c id', user: 'www-data', uid: 33, ancestors: ['php-fpm8.2 pool www', 'systemd'] });

  test('skipTags drops every rule carrying the tag', () => {
    const engine = createEngine({ files, match: 'all', skipTags: ['shell'] });
    expect(engine.rules.some((r) => r.def.tags.includes('shell'))).toBe(false);
    expect(fired(engine, phpShell)).toEqual([]);
    expect(fired(engine, confdWrite)).toContain(WRITE_ETC);
  });

  test('tags keeps only the rules carrying the tag', () => {
    const engine = createEngine({ files, match: 'all', tags: ['T1059.004'] });
    expect(engine.rules.length).toBeGreaterThan(0);
    expect(engine.rules.every((r) => r.def.tags.includes('T1059.004'))).toBe(true);
    expect(fired(engine, phpShell)).toContain('Shell spawned by a program that must not spawn one');
    expect(fired(engine, confdWrite)).toEqual([]);
  });
});

describe('turn on the opt-in check for shells spawned by Tomcat', () => {
  const RULE = 'Shell spawned by a program that must not spawn one';

  test('off by default', () => {
    expect(fired(createEngine({ files, match: 'all' }), tomcatShell)).not.toContain(RULE);
  });

  test('on after the documented override', () => {
    const engine = engineWith(`
- macro: watch_shells_spawned_by_tomcat
  condition: (parent_java_running_tomcat)
  override:
    condition: replace
`);
    expect(engine.warnings).toEqual([]);
    expect(fired(engine, tomcatShell)).toContain(RULE);
    const notTomcat = exec({ cmd: 'sh -c ./gradlew test', ancestors: ['java -cp gradle.jar org.gradle.launcher.daemon.bootstrap.GradleDaemon', 'bash'] });
    expect(fired(engine, notTomcat)).not.toContain(RULE);
  });
});
