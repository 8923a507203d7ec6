// Locates and reads the project's schema files. They are read at run time (not compiled in) so
// the .avsc files stay the single source of truth, from the sources and from dist/ alike.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SchemaError } from './errors.js';

/** The project root: the nearest folder above this file with a package.json (works from dist/ too). */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new SchemaError(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

/** Reads one of the project's schema files (schemas/NAME.avsc) as parsed JSON. */
export function loadSchemaFile(file: string): unknown {
  const path = join(projectRoot(), 'schemas', file);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new SchemaError(`cannot read schema ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

export const EVENT_SCHEMA: unknown = loadSchemaFile('event.avsc');
export const ALERT_SCHEMA: unknown = loadSchemaFile('alert.avsc');
