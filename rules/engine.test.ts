// The engine's semantics, against rule-language.md: operators, absent values, lists, macros,
// exceptions, appends and overrides, matching modes, selection, outputs and indexing.
import { describe, expect, it } from 'vitest';
import { exampleEvent } from '../schemas/examples.js';
import { type EngineOptions, RuleLoadError, RuleSelectionError, createEngine } from './index.js';

const rule = (condition: string, extra = ''): string =>
  `- rule: r\n  desc: d\n  condition: ${JSON.stringify(condition)}\n  output: "o %proc.name"\n  priority: WARNING\n${extra}`;

function engineOf(yaml: string, options: EngineOptions = {}) {
  return createEngine({ texts: [{ name: 'test.yaml', text: yaml }], ...options });
}

/** Does `condition` (with evt.type pinned) fire on the flat event? */
function fires(condition: string, event: Record<string, unknown>): boolean {
  const engine = engineOf(rule(`evt.type=openat and (${condition})`));
  return engine.judgeFlat({ 'evt.type': 'openat', ...event }).length > 0;
}

describe('operators', () => {
  const cases: Array<[string, Record<string, unknown>, boolean]> = [
    ['proc.name = cat', { 'proc.name': 'cat' }, true],
    ['proc.name == cat', { 'proc.name': 'cats' }, false],
    ['proc.name != cat', { 'proc.name': 'dog' }, true],
    ['proc.pid < 10', { 'proc.pid': 9 }, true],
    ['proc.pid <= 10', { 'proc.pid': 11 }, false],
    ['proc.pid > 0x10', { 'proc.pid': 17 }, true],
    ['proc.pid >= 17', { 'proc.pid': 17 }, true],
    ['fd.name contains shadow', { 'fd.name': '/etc/shadow' }, true],
    ['fd.name icontains SHADOW', { 'fd.name': '/etc/shadow' }, true],
    ['fd.name bcontains 736861', { 'fd.name': '/etc/shadow' }, true],
    ['fd.name bstartswith 2f6574', { 'fd.name': '/etc/shadow' }, true],
    ['fd.name startswith /etc/', { 'fd.name': '/etc/shadow' }, true],
    ['fd.name endswith dow', { 'fd.name': '/etc/shadow' }, true],
    ['fd.name glob "/etc/*ad?w"', { 'fd.name': '/etc/shadow' }, true],
    ['fd.name glob "/etc/[st]hadow"', { 'fd.name': '/etc/shadow' }, true],
    ['fd.name iglob "/ETC/*"', { 'fd.name': '/etc/shadow' }, true],
    ['fd.name regex "/etc/s.*"', { 'fd.name': '/etc/shadow' }, true],
    ['fd.name regex "etc"', { 'fd.name': '/etc/shadow' }, false], // anchored both ends
    ['proc.name in (cat, "my prog")', { 'proc.name': 'my prog' }, true],
    ['proc.name in ()', { 'proc.name': 'cat' }, false],
    ['proc.aname intersects (sshd, sudo)', { 'proc.aname[1]': 'bash', 'proc.aname[2]': 'sshd' }, true],
    ['fd.name pmatch (/etc, /usr/bin/)', { 'fd.name': '/etc/passwd' }, true],
    ['fd.name pmatch (/etc)', { 'fd.name': '/etcx/passwd' }, false],
    ['fd.name pmatch (/usr/bin/)', { 'fd.name': '/usr/bin' }, true],
    ['fd.name exists', { 'fd.name': '/x' }, true],
    ['evt.is_open_read = true', { 'evt.is_open_read': true }, true],
    ['fd.snet = "10.0.0.0/8"', { 'fd.snet': '10.1.2.3' }, true],
    ['fd.sip in ("192.168.0.0/16", 127.0.0.1)', { 'fd.sip': '127.0.0.1' }, true],
    ['fd.net != "127.0.0.0/8"', { 'fd.net': '8.8.8.8' }, true],
    ['fd.sip = "fe80::1"', { 'fd.sip': 'fe80:0:0::1' }, true],
  ];
  for (const [cond, event, expected] of cases) {
    it(`${cond} on ${JSON.stringify(event)} is ${expected}`, () => expect(fires(cond, event)).toBe(expected));
  }
});

describe('a field with no value', () => {
  for (const cond of ['fd.name = x', 'fd.name != x', 'fd.name contains x', 'fd.name in (x)', 'fd.name pmatch (/x)', 'proc.pid < 5', 'fd.name exists']) {
    it(`makes "${cond}" false`, () => expect(fires(cond, {})).toBe(false));
  }
  it('is tested with not ... exists', () => expect(fires('not fd.name exists', {})).toBe(true));
});

describe('fields, transformers and val()', () => {
  it('proc.aname without index matches any ancestor, [N] one level', () => {
    const e = { 'proc.aname[1]': 'bash', 'proc.aname[2]': 'sshd' };
    expect(fires('proc.aname = sshd', e)).toBe(true);
    expect(fires('proc.aname[1] = sshd', e)).toBe(false);
    expect(fires('proc.aname[2] = sshd', e)).toBe(true);
  });
  it('container.mount.dest[ARG] takes a mount source path or a glob', () => {
    const engine = engineOf(rule('evt.type=openat and container.mount.dest[/proc*] exists').replace('o %proc.name', 'o %container.mount.dest[/proc*]'));
    const e = exampleEvent();
    expect(engine.judge(e)).toHaveLength(0);
    e.container.mounts.push({ source: '/proc', dest: '/host/proc', mode: 'ro', rdwr: false, propagation: 'rprivate' });
    expect(engine.judge(e).map((a) => a.output)).toEqual(['o /host/proc']);
  });
  it('evt.arg.flags and evt.arg[flags] are the same field', () => {
    expect(fires('evt.arg.flags contains O_WRONLY', { 'evt.arg[flags]': 'O_WRONLY|O_CREAT' })).toBe(true);
    expect(fires('evt.arg[flags] contains O_WRONLY', { 'evt.arg.flags': 'O_WRONLY|O_CREAT' })).toBe(true);
  });
  it('transformers nest, on the left and inside val()', () => {
    expect(fires('toupper(proc.name) = CAT', { 'proc.name': 'cat' })).toBe(true);
    expect(fires('len(basename(fd.name)) = 6', { 'fd.name': '/etc/shadow' })).toBe(true);
    expect(fires('b64(proc.args) = "ls -l"', { 'proc.args': Buffer.from('ls -l').toString('base64') })).toBe(true);
    expect(fires('proc.pname = val(proc.name)', { 'proc.name': 'bash', 'proc.pname': 'bash' })).toBe(true);
    expect(fires('proc.pname = val(proc.name)', { 'proc.name': 'bash', 'proc.pname': 'sh' })).toBe(false);
  });
});

describe('Event schema form', () => {
  it('reads every kind of field from an Event', () => {
    const engine = engineOf(rule('evt.type=openat and fd.name=/etc/shadow and proc.aname[2]=sh and proc.pname=bash and ' +
      'container.image.repository=docker.io/library/nginx and evt.is_open_read=true and evt.arg.flags contains O_RDONLY and ' +
      'thread.cap_effective contains CAP_SYS_ADMIN and evt.res=SUCCESS and proc.cmdline="cat /etc/shadow" and fd.directory=/etc',
    ).replace('o %proc.name', 'read %fd.name by %proc.cmdline parent %proc.pname aname2 %proc.aname[2] in %container.id missing %fd.cip'));
    const alerts = engine.judge(exampleEvent());
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.output).toBe('read /etc/shadow by cat /etc/shadow parent bash aname2 sh in 0123456789ab missing <NA>');
    expect(alerts[0]!.outputFields['fd.cip']).toBeNull();
    expect(alerts[0]!.time).toBe(1700000000123456789n);
    expect(alerts[0]!.eventSeq).toBe(1_234_567);
  });
});

describe('lists, macros, exceptions, append and override', () => {
  const base = `
- list: shells
  items: [bash, sh]
- list: more_shells
  items: [shells, zsh]
- macro: spawned
  condition: evt.type = execve
- rule: Shell
  desc: d
  condition: spawned and proc.name in (more_shells)
  output: "shell %proc.name (parent %proc.pname)"
  priority: notice
  tags: [shell]
  exceptions:
    - name: parents
      fields: [proc.pname, proc.cwd]
      comps: [in, startswith]
      values:
        - [sshd, /root]
        - [[cron, atd], "/var/spool x"]
    - name: names
      fields: proc.aname
      values: [ansible]
`;
  const shellEvent = (extra: Record<string, unknown> = {}) => ({ 'evt.type': 'execve', 'proc.name': 'zsh', 'proc.pname': 'init', ...extra });

  it('expands nested lists and applies exceptions', () => {
    const engine = engineOf(base);
    expect(engine.judgeFlat(shellEvent())).toHaveLength(1);
    expect(engine.judgeFlat(shellEvent({ 'proc.name': 'bash' }))).toHaveLength(1);
    expect(engine.judgeFlat(shellEvent({ 'proc.pname': 'sshd', 'proc.cwd': '/root/x' }))).toHaveLength(0);
    expect(engine.judgeFlat(shellEvent({ 'proc.pname': 'atd', 'proc.cwd': '/var/spool x/y' }))).toHaveLength(0);
    expect(engine.judgeFlat(shellEvent({ 'proc.aname[3]': 'ansible' }))).toHaveLength(0);
  });

  it('appends to lists, macros and rules (old style) and overrides (new style)', () => {
    const user = `
- list: shells
  items: [fish]
  append: true
- macro: spawned
  condition: and proc.tty != 0
  append: true
- rule: Shell
  exceptions:
    - name: parents
      values: [[tmux, /]]
  append: true
- rule: Shell
  condition: and not proc.pname = screen
  output: "(user %user.name)"
  priority: critical
  override:
    condition: append
    output: append
    priority: replace
`;
    const engine = createEngine({ texts: [{ name: 'base.yaml', text: base }, { name: 'user.yaml', text: user }] });
    const fish = { 'evt.type': 'execve', 'proc.name': 'fish', 'proc.pname': 'init', 'proc.tty': 1 };
    const [alert] = engine.judgeFlat(fish);
    expect(alert?.priority).toBe('Critical');
    expect(alert?.output).toBe('shell fish (parent init) (user <NA>)');
    expect(engine.judgeFlat({ ...fish, 'proc.tty': 0 })).toHaveLength(0);
    expect(engine.judgeFlat({ ...fish, 'proc.pname': 'screen' })).toHaveLength(0);
    expect(engine.judgeFlat({ ...fish, 'proc.pname': 'tmux', 'proc.cwd': '/home' })).toHaveLength(0);
  });

  it('keeps exception values the author quoted, and list references in parentheses', () => {
    const yaml = `
- list: cat_cmdlines
  items: [cat /dev/zero, "cat /dev/null"]
- rule: Cat
  desc: d
  condition: evt.type = openat and proc.name = cat
  output: o
  priority: warning
  exceptions:
    - name: quoted
      fields: [proc.name, proc.cmdline]
      values: [[cat, '"cat /dev/null"']]
    - name: listref
      fields: [proc.name, proc.cmdline]
      comps: [=, in]
      values: [[cat, (cat_cmdlines)]]
`;
    const engine = engineOf(yaml);
    const cat = (cmdline: string) => engine.judgeFlat({ 'evt.type': 'openat', 'proc.name': 'cat', 'proc.cmdline': cmdline }).length;
    expect(cat('cat /dev/null')).toBe(0);
    expect(cat('cat /dev/zero')).toBe(0);
    expect(cat('cat /etc/hosts')).toBe(1);
  });

  it('disables a rule with a bare enabled: false item', () => {
    const engine = createEngine({ texts: [{ name: 'base.yaml', text: base }, { name: 'off.yaml', text: '- rule: Shell\n  enabled: false\n' }] });
    expect(engine.judgeFlat(shellEvent())).toHaveLength(0);
  });
});

describe('matching and selection', () => {
  const two = `
- rule: First
  desc: d
  condition: evt.type = openat
  output: first
  priority: debug
  tags: [a]
- rule: Second
  desc: d
  condition: evt.type in (openat, connect)
  output: second
  priority: critical
  tags: [b]
`;
  const open = { 'evt.type': 'openat' };
  it('first (the default) gives the first matching rule in file order; all gives every one', () => {
    expect(engineOf(two).judgeFlat(open).map((a) => a.rule)).toEqual(['First']);
    expect(engineOf(two, { match: 'all' }).judgeFlat(open).map((a) => a.rule)).toEqual(['First', 'Second']);
  });
  it('selects by tag, skip-tag, disabled name and priority threshold', () => {
    const names = (o: EngineOptions) => engineOf(two, { match: 'all', ...o }).judgeFlat(open).map((a) => a.rule);
    expect(names({ tags: ['b'] })).toEqual(['Second']);
    expect(names({ skipTags: ['b'] })).toEqual(['First']);
    expect(names({ disabledRules: ['Fir'] })).toEqual(['Second']);
    expect(names({ minPriority: 'warning' })).toEqual(['Second']);
    expect(() => engineOf(two, { tags: ['a'], skipTags: ['b'] })).toThrow(RuleSelectionError);
    expect(() => engineOf(two, { minPriority: 'loud' })).toThrow(/unknown priority/);
  });
  it('indexes by event type and reports the types the rules need', () => {
    const engine = engineOf(two);
    expect([...(engine.eventTypes() as Set<string>)].sort()).toEqual(['connect', 'openat']);
    expect(engine.judgeFlat({ 'evt.type': 'execve' })).toHaveLength(0);
  });
  it('warns about a rule that matches every event type, and still evaluates it on all', () => {
    const engine = engineOf(rule('proc.name = cat'));
    expect(engine.warnings.map((w) => w.code)).toContain('LOAD_NO_EVTTYPE');
    expect(engine.eventTypes()).toBe('all');
    expect(engine.judgeFlat({ 'evt.type': 'some_new_syscall', 'proc.name': 'cat' })).toHaveLength(1);
  });
});

describe('errors', () => {
  function loadError(yaml: string): RuleLoadError {
    try {
      engineOf(yaml);
    } catch (err) {
      if (err instanceof RuleLoadError) return err;
      throw err;
    }
    throw new Error('expected a RuleLoadError');
  }
  it('names file, item, line and column of an unknown field inside a folded condition', () => {
    const err = loadError('- rule: bad\n  desc: d\n  condition: >\n    evt.type = open and\n    proc.nmae = cat\n  output: o\n  priority: INFO\n');
    const e = err.errors[0]!;
    expect(e.code).toBe('LOAD_ERR_COMPILE_CONDITION');
    expect(e.reason).toContain('proc.nmae');
    expect(e.location).toMatchObject({ file: 'test.yaml', itemType: 'rule', itemName: 'bad', line: 5, column: 5 });
  });
  it('says what was expected on a syntax error', () => {
    const err = loadError(rule('evt.type = open and (proc.name = cat'));
    expect(err.errors[0]!.code).toBe('LOAD_ERR_COMPILE_CONDITION');
    expect(err.errors[0]!.message).toMatch(/test\.yaml:3:\d+: rule 'r'/);
  });
  it('rejects bad operands at load: numbers, regexes, event types', () => {
    expect(loadError(rule('evt.type = open and proc.pid = abc')).errors[0]!.reason).toContain("'abc' is not a number");
    expect(loadError(rule('evt.type = open and proc.name regex "("')).errors[0]!.reason).toContain('invalid regular expression');
    expect(loadError(rule('evt.type = opne')).errors[0]!.reason).toContain('unknown event type opne');
    expect(loadError(rule('evt.type = open and proc.pid contains 1')).errors[0]!.reason).toContain('not supported');
  });
  it('reports an unknown output field', () => {
    const err = loadError('- rule: r\n  desc: d\n  condition: evt.type=open\n  output: "x %proc.nope"\n  priority: INFO\n');
    expect(err.errors[0]!.code).toBe('LOAD_ERR_COMPILE_OUTPUT');
    expect(err.errors[0]!.reason).toBe('invalid formatting token proc.nope');
  });
  it('caps nesting depth with an error, not a crash', () => {
    const deep = `${'('.repeat(1500)}evt.type=open${')'.repeat(1500)}`;
    expect(loadError(rule(deep)).errors[0]!.code).toBe('LOAD_ERR_COMPILE_CONDITION');
  });
  it('a failed load leaves an already-built engine working', () => {
    const good = engineOf(rule('evt.type=openat'));
    expect(() => engineOf(rule('evt.type=openat and nope'))).toThrow(RuleLoadError);
    expect(good.judgeFlat({ 'evt.type': 'openat' })).toHaveLength(1);
  });
});
