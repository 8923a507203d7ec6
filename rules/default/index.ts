// Where Saker's default rules live, so that `--rules default` (CLI) and tests resolve the same
// set: every .yaml file of this folder, in sorted order (the names carry the load order:
// 00-lists-macros.yaml first, then the rules by concern).
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

// Run from source, this module sits beside the YAML files; compiled, it is in dist/rules/default
// and the YAML files stay in the project's rules/default (tsc does not copy them).
const CANDIDATE_DIRS = [here, resolve(here, '../../../rules/default')];

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
}

/** The folder holding the default rule files. Throws if neither location has any. */
export function defaultRulesDir(): string {
  for (const dir of CANDIDATE_DIRS) if (yamlFiles(dir).length > 0) return dir;
  throw new Error(`Saker's default rules were not found: no .yaml files in ${CANDIDATE_DIRS.join(' or ')}`);
}

/** Absolute paths of the default rule files, in load order. */
export function defaultRuleFiles(): string[] {
  const dir = defaultRulesDir();
  return yamlFiles(dir).map((f) => join(dir, f));
}
