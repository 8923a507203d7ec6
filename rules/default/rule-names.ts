// Names of the rules a rules file defines (not appends or toggles), so that each concern's test
// can check that its table covers every rule of its file.
import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';

export function ruleNamesIn(file: string): string[] {
  const items = load(readFileSync(file, 'utf8'));
  if (!Array.isArray(items)) throw new Error(`${file}: not a YAML sequence of items`);
  const names: string[] = [];
  for (const item of items as unknown[]) {
    if (item === null || typeof item !== 'object') continue;
    const rec = item as Record<string, unknown>;
    if (typeof rec['rule'] === 'string' && 'condition' in rec && !('append' in rec) && !('override' in rec)) names.push(rec['rule']);
  }
  return names;
}
