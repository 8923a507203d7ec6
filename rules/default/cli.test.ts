// `saker rules validate` on the default files, as a user runs it: exit 0 and no warning, both
// with the files named one by one (rules/default/*.yaml) and with `--rules default`.
import { PassThrough } from 'node:stream';
import { expect, test } from 'vitest';
import { main } from '../../cli/main.js';
import { defaultRuleFiles } from './index.js';

async function saker(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  stdin.end('');
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const code = await main(argv, { stdout, stderr, stdin });
  return { code, out, err };
}

test.each([
  ['rules/default/*.yaml', ['rules', 'validate', ...defaultRuleFiles()]],
  ['--rules default', ['rules', 'validate', 'default']],
])('saker rules validate %s: exit 0, no warning', async (_label, argv) => {
  const r = await saker(argv);
  expect(r.code, r.err).toBe(0);
  expect(r.err).toBe('');
  // The summary counts warnings; no other line may mention one.
  expect(r.out).toMatch(/\b0 warning/);
  expect(r.out.split('\n').filter((l) => /warn/i.test(l) && !/\b0 warning/.test(l))).toEqual([]);
});
