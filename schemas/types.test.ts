import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_PATH, renderTypes, SCHEMA_FILES } from '../scripts/gen-schema-types.js';

describe('schemas/types.generated.ts', () => {
  it('is up to date with the .avsc files (run `npm run gen:schemas` if not)', () => {
    expect(readFileSync(GENERATED_PATH, 'utf8')).toBe(renderTypes(SCHEMA_FILES));
  });
});
