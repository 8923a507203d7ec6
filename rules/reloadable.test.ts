import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exampleEvent } from '../schemas/examples.js';
import { RuleLoadError } from './errors.js';
import { ReloadableEngine } from './reloadable.js';

const rule = (name: string, condition: string) =>
  `- rule: ${name}\n  desc: d\n  condition: ${condition}\n  output: "${name} %proc.name"\n  priority: WARNING\n`;

describe('ReloadableEngine', () => {
  let dir = '';
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('swaps in rules that load, keeps the running ones when the new file has errors or is gone', () => {
    dir = mkdtempSync(join(tmpdir(), 'saker-reload-'));
    const file = join(dir, 'rules.yaml');
    writeFileSync(file, rule('Cat opens', 'evt.type = openat and proc.name = cat'));
    const engine = new ReloadableEngine({ files: [file] });
    const first = engine.engine;
    expect(engine.judge(exampleEvent()).map((a) => a.rule)).toEqual(['Cat opens']);

    // A syntax error: the error names the file, line, column and item; the rules stay.
    writeFileSync(file, rule('Broken', 'evt.type = openat and (proc.name = cat'));
    const bad = engine.reload();
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: rule 'Broken': expected a '\\)'`));
    expect(engine.engine).toBe(first);
    expect(engine.judge(exampleEvent()).map((a) => a.rule)).toEqual(['Cat opens']);

    rmSync(file);
    const gone = engine.reload();
    expect(gone).toEqual({ ok: false, errors: [`${file}: cannot read: ENOENT`] });
    expect(engine.judge(exampleEvent()).map((a) => a.rule)).toEqual(['Cat opens']);

    // Good rules again, with an event type the old rules did not use.
    writeFileSync(file, rule('Shadow opened', 'evt.type = openat and fd.name = /etc/shadow') + rule('Any exec', 'evt.type = execve'));
    const good = engine.reload();
    expect(good).toMatchObject({ ok: true, counts: { rules: 2, enabled: 2 }, newEventTypes: ['execve'] });
    expect(engine.engine).not.toBe(first);
    expect(engine.judge(exampleEvent()).map((a) => a.rule)).toEqual(['Shadow opened']);
  });

  it('throws at construction: a service does not start without rules', () => {
    expect(() => new ReloadableEngine({ texts: [{ name: 'x.yaml', text: rule('Bad', 'evt.type = = openat') }] })).toThrow(RuleLoadError);
  });
});
