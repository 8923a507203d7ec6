// The command line, end to end through main(): exit codes, what goes to stdout and stderr.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventToJson } from '../schemas/codec.js';
import { exampleEvent } from '../schemas/examples.js';
import { runSaker } from '../test/harness/cli-io.js';

const run = runSaker;

const dir = mkdtempSync(join(tmpdir(), 'saker-cli-'));
const write = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const RULES = write('rules.yaml', `
- list: sensitive_files
  items: [/etc/shadow, /etc/sudoers]
- rule: Read sensitive file
  desc: A sensitive file was opened for reading
  condition: evt.type in (open, openat) and evt.is_open_read=true and fd.name in (sensitive_files)
  output: "Sensitive file read (file=%fd.name proc=%proc.name gparent=%proc.aname[2] user=%user.name)"
  priority: WARNING
  tags: [filesystem, mitre_credential_access]
- rule: Any shell
  desc: d
  condition: evt.type = execve and proc.name = bash
  output: "shell %proc.name"
  priority: NOTICE
  tags: [shell]
`);

describe('saker rules validate', () => {
  it('prints counts and exits 0 for valid files', async () => {
    const r = await run(['rules', 'validate', RULES]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('2 rules, 0 macros, 1 lists, 0 warning(s), 0 error(s)');
  });
  it('exits 1 with each error on its own line, with file, line and column', async () => {
    const bad = write('bad.yaml', '- rule: a\n  desc: d\n  condition: evt.type = open and proc.nmae = x\n  output: o\n  priority: INFO\n' +
      '- rule: b\n  desc: d\n  condition: evt.type = open\n  output: "%nope"\n  priority: INFO\n');
    const r = await run(['rules', 'validate', bad]);
    expect(r.code).toBe(1);
    const lines = r.err.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/bad\.yaml:3:\d+: rule 'a': filter_check called with nonexistent field proc\.nmae \(LOAD_ERR_COMPILE_CONDITION\)/);
    expect(lines[1]).toMatch(/bad\.yaml:9:\d+: rule 'b': invalid formatting token nope \(LOAD_ERR_COMPILE_OUTPUT\)/);
  });
  it('prints warnings separately and stays valid', async () => {
    const warn = write('warn.yaml', '- rule: w\n  desc: d\n  condition: proc.name = x\n  output: o\n  priority: INFO\n');
    const r = await run(['rules', 'validate', warn]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/warn\.yaml:1:3: rule 'w': warning: Rule matches too many evt\.type values.*\(LOAD_NO_EVTTYPE\)/);
  });
});

describe('saker fields', () => {
  it('prints the registry as JSON', async () => {
    const r = await run(['fields', '--json']);
    expect(r.code).toBe(0);
    const fields = JSON.parse(r.out) as Array<{ name: string }>;
    expect(fields.map((f) => f.name)).toContain('proc.aname');
  });
});

describe('saker eval', () => {
  const flat = JSON.stringify({ 'evt.type': 'openat', 'fd.name': '/etc/shadow', 'proc.name': 'cat', 'proc.aname[2]': 'sshd', 'evt.is_open_read': true });
  it('judges flat events and prints Falco text alerts', async () => {
    const events = write('events.jsonl', `${flat}\n${JSON.stringify({ 'evt.type': 'openat', 'fd.name': '/etc/hosts', 'evt.is_open_read': true })}\n`);
    const r = await run(['eval', '--rules', RULES, '--events', events]);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\S+: Warning Sensitive file read \(file=\/etc\/shadow proc=cat gparent=sshd user=<NA>\)$/);
  });
  it('reads standard input, prints Falco JSON, and takes the schema JSON form', async () => {
    const schemaForm = JSON.stringify(eventToJson(exampleEvent()));
    const r = await run(['eval', '--rules', RULES, '--events', '-', '--json'], `${schemaForm}\n`);
    expect(r.code).toBe(0);
    const alert = JSON.parse(r.out) as Record<string, unknown>;
    expect(alert).toMatchObject({ rule: 'Read sensitive file', priority: 'Warning', source: 'syscall', hostname: 'web-01',
      tags: expect.arrayContaining(['filesystem']) });
    expect((alert.output_fields as Record<string, unknown>)['user.name']).toBe('root');
  });
  it('applies rule selection options', async () => {
    const events = write('both.jsonl', `${flat}\n${JSON.stringify({ 'evt.type': 'execve', 'proc.name': 'bash' })}\n`);
    const only = async (...opts: string[]) => (await run(['eval', '--rules', RULES, '--events', events, ...opts])).out.trim().split('\n').length;
    expect(await only()).toBe(2);
    expect(await only('--tag', 'shell')).toBe(1);
    expect(await only('--skip-tag', 'shell')).toBe(1);
    expect(await only('--disable-rule', 'Any shell')).toBe(1);
    expect(await only('--priority', 'warning')).toBe(1);
  });
  it('reports a bad line with its number, goes on, and exits 1', async () => {
    const events = write('mixed.jsonl', `not json\n${flat}\n`);
    const r = await run(['eval', '--rules', RULES, '--events', events]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/mixed\.jsonl:1: /);
    expect(r.out.trim().split('\n')).toHaveLength(1);
  });
  it('accepts --rules default', async () => {
    const r = await run(['rules', 'validate', 'default']);
    expect(r.code).toBe(0);
  });
  it('explains usage errors', async () => {
    const r = await run(['eval', '--events', '-']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--rules FILE is required');
  });
});

describe('saker errors', () => {
  it('prints a known failure as one error line with its causes, exit 1, no stack trace', async () => {
    const r = await run(['replay', '/nonexistent/capture.scap', '--rules', 'default']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: \/nonexistent\/capture\.scap: cannot read the capture \(ENOENT\)/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('answers usage errors with the command line, exit 2', async () => {
    const r = await run(['replay', 'x.scap', '--speed', 'warp', '--rules', 'default']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('error: --speed must be real or max, not warp');
    expect(r.err).toContain('usage: saker replay');
  });
});
