// The registry holds every field rule-language.md lists, prints itself, and binds arguments at
// load time with clear errors.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIELDS, fieldsAsJson, fieldsAsMarkdown, fieldsAsText, resolveField } from './index.js';

const SPEC = join(process.cwd(), '..', 'shared', 'spec', 'rule-language.md');

describe('field registry', () => {
  it("holds every field of the spec's Fields section", () => {
    const spec = readFileSync(SPEC, 'utf8');
    const section = spec.slice(spec.indexOf('## Fields'), spec.indexOf('## Evaluation'));
    const names = new Set([...section.matchAll(/`([a-z0-9_]+\.[a-z0-9_.]+)(?:\[[^\]]*\])?/g)].map((m) => m[1]!));
    expect(names.size).toBeGreaterThan(60);
    const missing = [...names].filter((n) => {
      try {
        // `evt.arg.X` (a placeholder argument) and `container.mount.*` (a family of fields).
        if (n.endsWith('.')) return resolveField(`${n}x`, undefined) === undefined && !FIELDS.some((f) => f.name.startsWith(n));
        return resolveField(n, undefined) === undefined && resolveField(n, '1') === undefined;
      } catch {
        return false;
      }
    });
    expect(missing).toEqual([]);
  });

  it('prints as text, JSON and markdown', () => {
    expect(fieldsAsText()).toMatch(/^proc\.aname\[ARG\?\]\s+string\s+Ancestor name/m);
    expect(fieldsAsJson()).toContainEqual(expect.objectContaining({ name: 'evt.arg', arg: 'required', type: 'string' }));
    expect(fieldsAsMarkdown().split('\n')[0]).toBe('| field | type | description |');
  });

  it('resolves dotted and bracketed arguments and rejects wrong ones', () => {
    expect(resolveField('evt.arg.flags', undefined)).toMatchObject({ arg: 'flags', def: { name: 'evt.arg' } });
    expect(resolveField('evt.arg', 'flags')).toMatchObject({ arg: 'flags' });
    expect(resolveField('proc.nobody', undefined)).toBeUndefined();
    expect(() => resolveField('proc.name', '1')).toThrow(/does not take an argument/);
    expect(() => resolveField('evt.arg', undefined)).toThrow(/needs an argument/);
    expect(() => resolveField('proc.aname', 'x')!.def.bind('x')).toThrow(/numeric argument/);
  });

  it('has unique names and a description for each field', () => {
    expect(new Set(FIELDS.map((f) => f.name)).size).toBe(FIELDS.length);
    for (const f of FIELDS) expect(f.desc.length, f.name).toBeGreaterThan(5);
  });
});
