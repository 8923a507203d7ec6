// `--container-sockets` on the live commands: a bad list is a usage error before anything starts.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../main.js';

async function run(argv: string[]): Promise<{ code: number; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (d) => (err += d));
  const code = await main(argv, { stdout, stderr, stdin: new PassThrough() });
  return { code, err };
}

describe('--container-sockets', () => {
  it('rejects a relative socket path for run and capture', async () => {
    for (const argv of [['run', '--container-sockets', 'docker.sock'], ['capture', '--out', '/tmp/x.avro', '--container-sockets', '/run/podman/podman.sock,docker.sock']]) {
      const r = await run(argv);
      expect(r.code).toBe(2);
      expect(r.err).toContain('--container-sockets takes absolute socket paths');
    }
  });
});
