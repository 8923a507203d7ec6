// Locations inside the installed project, the same whether running from dist/ or from source.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the Saker project root (no package.json above the CLI)');
    dir = up;
  }
  return dir;
}

/** Saker's default ruleset: rules/default/*.yaml in name order (names sort in load order). */
export function defaultRuleFiles(): string[] {
  const dir = join(projectRoot(), 'rules', 'default');
  return readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(dir, f));
}

/** `--rules default` names the default ruleset; anything else is a path. */
export function expandRuleFiles(names: readonly string[]): string[] {
  return names.flatMap((n) => (n === 'default' ? defaultRuleFiles() : [n]));
}
