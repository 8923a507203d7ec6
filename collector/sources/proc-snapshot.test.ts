import { spawn, spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateEngine } from '../state/engine.js';
import { ProcReader, hexEndpoint, overlayMounts, seedFromSnapshot } from './proc-snapshot.js';
import { readSystemFiles } from './system-files.js';

describe('/proc snapshot (this machine)', () => {
  let server: Server;
  let port = 0;
  let fd = -1;
  beforeAll(async () => {
    fd = openSync('/etc/hostname', 'r');
    server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => {
    closeSync(fd);
    server.close();
  });

  it('describes this process, its file and its listening socket', () => {
    const reader = new ProcReader();
    const self = reader.process(process.pid)!;
    expect(self).toMatchObject({ pid: process.pid, ppid: process.ppid, cwd: process.cwd(), exepath: process.execPath, uid: process.getuid!() });
    expect([self.exe, ...self.args!]).toEqual([process.argv0, ...process.execArgv, ...process.argv.slice(1)].slice(0, self.args!.length + 1));
    expect(self.startTs! > 1_600_000_000_000_000_000n && self.startTs! <= BigInt(Date.now()) * 1_000_000n).toBe(true);
    const fds = reader.fds(process.pid);
    expect(fds.find((f) => f.num === fd)).toMatchObject({ typeChar: 'f', name: '/etc/hostname' });
    expect(fds.find((f) => f.sport === port)).toMatchObject({ typeChar: '4', l4proto: 'tcp', sip: '127.0.0.1', isServer: true });

    const state = new StateEngine();
    const sys = readSystemFiles();
    for (const u of sys.users) state.seedUser(u.id, u.name);
    seedFromSnapshot(reader.snapshot(), state);
    const th = state.threads.get(process.pid)!;
    expect(state.procView(th)).toMatchObject({ pid: process.pid, user: 'root', cwd: `${process.cwd()}/` });
    expect(state.ancestors(th.proc).length).toBeGreaterThan(0);
    expect(state.lookupFd(th, fd)).toMatchObject({ name: '/etc/hostname' });
    expect(sys.host.id).toMatch(/^[0-9a-f]{32}$/);
    expect(reader.isAlive(process.pid)).toBe(true);
    expect(reader.process(2 ** 22 + 1)).toBeNull();
  });

  it('reads /proc/net addresses', () => {
    expect(hexEndpoint('0100007F:1F90')).toEqual({ ip: '127.0.0.1', port: 8080 });
    expect(hexEndpoint('00000000000000000000000001000000:0050')).toEqual({ ip: '::1', port: 80 });
    expect(hexEndpoint('0000000000000000FFFF00000100007F:0016')).toEqual({ ip: '127.0.0.1', port: 22 });
    expect(hexEndpoint('B80D0120000000000000000000000000:01BB')).toEqual({ ip: '2001:db8::', port: 443 });
  });

  it('tells an executable written into an overlay upper layer from one of the image (root)', async () => {
    if (process.getuid?.() !== 0) throw new Error('mounting an overlay needs root; CI runs this as root');
    const base = mkdtempSync(join(tmpdir(), 'saker-ovl-'));
    for (const d of ['lower', 'upper', 'work', 'merged']) mkdirSync(join(base, d));
    copyFileSync('/bin/sleep', join(base, 'lower', 'from-image'));
    const mount = spawnSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${base}/lower,upperdir=${base}/upper,workdir=${base}/work`, join(base, 'merged')]);
    expect(mount.status, String(mount.stderr)).toBe(0);
    const children: ReturnType<typeof spawn>[] = [];
    try {
      copyFileSync('/bin/sleep', join(base, 'merged', 'dropped'));
      const image = spawn(join(base, 'merged', 'from-image'), ['30'], { stdio: 'ignore' });
      const dropped = spawn(join(base, 'merged', 'dropped'), ['30'], { stdio: 'ignore' });
      children.push(image, dropped);
      await new Promise((r) => setTimeout(r, 300));
      const reader = new ProcReader();
      expect(reader.process(dropped.pid!)).toMatchObject({ exepath: join(base, 'merged', 'dropped'), exeUpperLayer: true });
      expect(reader.process(image.pid!)).toMatchObject({ exepath: join(base, 'merged', 'from-image'), exeUpperLayer: false });
      expect(reader.process(process.pid)!.exeUpperLayer).toBe(false);
    } finally {
      for (const c of children) c.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 200));
      spawnSync('umount', [join(base, 'merged')]);
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('reads overlay mounts from mountinfo', () => {
    const text = [
      '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
      '812 701 0:52 / /var/lib/docker/overlay2/abc/merged rw,relatime - overlay overlay rw,lowerdir=/l1:/l2,upperdir=/var/lib/docker/overlay2/abc/diff,workdir=/var/lib/docker/overlay2/abc/work',
      '900 812 0:60 / /with\\040space rw - overlay overlay rw,lowerdir=/l,upperdir=/up\\040dir,workdir=/w',
      '901 812 0:61 / /ro rw - overlay overlay ro,lowerdir=/a:/b',
    ].join('\n');
    expect(overlayMounts(text)).toEqual([
      { mountPoint: '/var/lib/docker/overlay2/abc/merged', upperdir: '/var/lib/docker/overlay2/abc/diff' },
      { mountPoint: '/with space', upperdir: '/up dir' },
    ]);
  });
});
