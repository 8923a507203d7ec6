// The default set resolves to this folder's YAML files in load order and loads without a warning.
import { basename } from 'node:path';
import { expect, test } from 'vitest';
import { createEngine } from '../index.js';
import { defaultRuleFiles, defaultRulesDir } from './index.js';

test('defaultRuleFiles lists the YAML files of rules/default, absolute and sorted', () => {
  const files = defaultRuleFiles();
  expect(files.map((f) => basename(f))).toEqual([
    '00-lists-macros.yaml', '10-process.yaml', '11-process-attack-techniques.yaml', '20-file-sensitive.yaml',
    '21-file-system-dirs.yaml', '22-file-logs.yaml', '30-network.yaml', '40-container.yaml',
  ]);
  for (const f of files) expect(f.startsWith(defaultRulesDir())).toBe(true);
  expect(defaultRulesDir().startsWith('/')).toBe(true);
});

test('loading the default rules gives no warning (every rule pins evt.type, nothing unused)', () => {
  const engine = createEngine({ files: defaultRuleFiles() });
  expect(engine.warnings.map((w) => w.message)).toEqual([]);
  expect(engine.eventTypes()).not.toBe('all');
});

test('every rule has a priority, tags with a MITRE ATT&CK technique or tactic, a description and an output naming who and where', () => {
  const engine = createEngine({ files: defaultRuleFiles() });
  for (const r of engine.rules) {
    const d = r.def;
    expect(d.desc.length, d.name).toBeGreaterThan(40);
    expect(d.tags.some((t) => /^T\d{4}(\.\d{3})?$/.test(t)), `${d.name}: ATT&CK technique tag`).toBe(true);
    expect(d.tags.some((t) => t.startsWith('mitre_')), `${d.name}: ATT&CK tactic tag`).toBe(true);
    for (const field of ['%user.name', '%proc.cmdline', '%proc.pname', '%container.id', '%container.image']) {
      expect(d.output, `${d.name}: ${field}`).toContain(field);
    }
  }
});
