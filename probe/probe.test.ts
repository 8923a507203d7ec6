// The live probe on the real kernel (root): real actions from child processes must come back as
// records with the right pid, ppid, path, flags, address and return value.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RawRecord, SockAddr, SockTuple } from '../collector/raw-record.js';
import { openProbe, selectSyscalls, type Probe } from './index.js';
import { requireRoot, sleep } from './test-support.js';

const O_WRONLY = 0o1, O_CREAT = 0o100, O_TRUNC = 0o1000, EACCES = 13;

describe('probe on the live kernel', () => {
  let probe: Probe;
  const records: RawRecord[] = [];
  let consumer: Promise<void>;
  let dir: string;

  beforeAll(async () => {
    requireRoot();
    dir = mkdtempSync(join(tmpdir(), 'saker-probe-'));
    // A larger ring than the default: other test files may load the machine heavily in CI.
    probe = await openProbe({ syscalls: selectSyscalls('all').syscalls, flushMs: 5, ringBytes: 64 << 20 });
    consumer = (async () => { for await (const batch of probe) for (const r of batch) records.push(r); })();
  });

  afterAll(async () => {
    await probe?.close();
    await consumer;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Records of `pid` once its procexit has arrived (all of its records are in by then). */
  async function recordsOf(pid: number): Promise<RawRecord[]> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (records.some((r) => r.pid === pid && r.type === 'procexit')) return records.filter((r) => r.pid === pid);
      await sleep(20);
    }
    throw new Error(`no procexit record for pid ${pid} within 10 s (${records.filter((r) => r.pid === pid).length} records of it)`);
  }

  function run(file: string, args: string[]): number {
    const c = spawnSync(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    if (c.error) throw c.error;
    if (c.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${c.status}: ${c.stderr}`);
    return c.pid as number;
  }

  test('only the tracepoints this kernel lacks are missing', () => {
    expect(probe.missing.every((s) => s === 'init_module' || s === 'finit_module')).toBe(true);
    expect(probe.syscalls).toContain('openat');
    expect(probe.syscalls).toContain('procexit');
  });

  test('exec `cat /etc/shadow`: execve with argv and facts, the open, the exit', async () => {
    const pid = run('/bin/cat', ['/etc/shadow']);
    const mine = await recordsOf(pid);

    const fork = mine.find((r) => ['clone', 'clone3', 'fork', 'vfork'].includes(r.type) && r.res === 0);
    expect(fork?.facts?.ppid).toBe(process.pid);

    const exec = mine.find((r) => r.type === 'execve' && r.res === 0);
    expect(exec).toBeDefined();
    expect(exec!.tid).toBe(pid);
    expect(exec!.args.filename).toBe('/bin/cat');
    expect(exec!.args.exe).toBe('/bin/cat');
    expect(exec!.args.args).toEqual(['/etc/shadow']);
    // exepath is the kernel's exe_file path: symlinks resolved (/bin -> usr/bin on merged-/usr Debian).
    expect(exec!.facts).toMatchObject({ ppid: process.pid, uid: 0, gid: 0, comm: 'cat', exepath: realpathSync('/bin/cat'), exeFromMemfd: false });
    expect(exec!.facts!.cgroup).toMatch(/^\//);
    expect(exec!.facts!.cwd).toBe(process.cwd());
    expect(exec!.ts).toBeGreaterThan(BigInt(Date.now() - 60_000) * 1_000_000n);

    const open = mine.find((r) => (r.type === 'openat' || r.type === 'open') && r.args.name === '/etc/shadow');
    expect(open).toBeDefined();
    expect(open!.res).toBeGreaterThanOrEqual(0);
    expect(open!.args.fd).toBe(open!.res);
    expect((open!.args.flags as number) & 3).toBe(0); // O_RDONLY
    expect(mine.some((r) => r.type === 'close' && r.args.fd === open!.res)).toBe(true);

    const exit = mine.find((r) => r.type === 'procexit');
    expect(exit!.args).toMatchObject({ ret: 0, sig: 0 });
  });

  test('a write below a temp dir: path, flags, mode and fd', async () => {
    const target = join(dir, 'out.txt');
    const pid = run('/bin/sh', ['-c', `echo hi > ${target}`]);
    const open = (await recordsOf(pid)).find((r) => r.args.name === target);
    expect(open?.type).toMatch(/^open(at)?$/);
    expect((open!.args.flags as number) & (O_WRONLY | O_CREAT | O_TRUNC)).toBe(O_WRONLY | O_CREAT | O_TRUNC);
    expect(open!.args.mode).toBe(0o666);
    expect(open!.res).toBeGreaterThanOrEqual(0);
  });

  test('connect to a local TCP listener and accept: addresses, ports, tuples', async () => {
    const script = [
      'import socket',
      's = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)',
      'c = socket.socket(); c.connect(s.getsockname())',
      'a, peer = s.accept()',
      'print(s.getsockname()[1], c.getsockname()[1])',
    ].join('\n');
    const c = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
    expect(c.status, c.stderr).toBe(0);
    const [serverPort, clientPort] = c.stdout.trim().split(' ').map(Number);
    const mine = await recordsOf(c.pid as number);

    // Only the TCP connect: the C library may first try a unix socket of its own (an NSS module such as systemd userdb or nscd, for a
    // user lookup), which fails with ENOENT on hosts that do not run one.
    const connect = mine.find((r) => r.type === 'connect' && (r.args.addr as SockAddr | null)?.family === 'inet');
    expect(connect).toBeDefined();
    expect(connect!.res).toBe(0);
    expect(connect!.args.addr).toEqual<SockAddr>({ family: 'inet', ip: '127.0.0.1', port: serverPort });
    expect(connect!.args.tuple).toEqual<SockTuple>({
      family: 'inet',
      src: { family: 'inet', ip: '127.0.0.1', port: clientPort },
      dst: { family: 'inet', ip: '127.0.0.1', port: serverPort },
    });

    const accept = mine.find((r) => (r.type === 'accept4' || r.type === 'accept') && (r.res as number) >= 0);
    expect(accept).toBeDefined();
    expect(accept!.args.fd).toBe(accept!.res);
    expect(accept!.args.tuple).toEqual<SockTuple>({
      family: 'inet',
      src: { family: 'inet', ip: '127.0.0.1', port: clientPort },
      dst: { family: 'inet', ip: '127.0.0.1', port: serverPort },
    });

    const bind = mine.find((r) => r.type === 'bind');
    expect(bind!.args.addr).toEqual<SockAddr>({ family: 'inet', ip: '127.0.0.1', port: 0 });
    // The listener's and the client's sockets, AF_INET (2); an NSS module's own AF_UNIX socket may come first (see above).
    expect(mine.filter((r) => r.type === 'socket' && r.args.domain === 2 && (r.res as number) >= 0)).toHaveLength(2);
    expect(mine.some((r) => r.type === 'listen' && r.res === 0)).toBe(true);
  });

  test('rename, unlink, mkdir, symlink, chmod: paths and return values', async () => {
    const a = join(dir, 'a.txt'), b = join(dir, 'b.txt'), d = join(dir, 'sub'), l = join(dir, 'link');
    writeFileSync(a, 'x');
    const script = `import os\nos.rename(${JSON.stringify(a)}, ${JSON.stringify(b)})\nos.chmod(${JSON.stringify(b)}, 0o600)\n` +
      `os.symlink(${JSON.stringify(b)}, ${JSON.stringify(l)})\nos.unlink(${JSON.stringify(l)})\nos.unlink(${JSON.stringify(b)})\n` +
      `os.mkdir(${JSON.stringify(d)}, 0o750)\nos.rmdir(${JSON.stringify(d)})\n` +
      `try:\n  os.unlink(${JSON.stringify(b)})\nexcept FileNotFoundError:\n  pass\n`;
    const pid = run('python3', ['-c', script]);
    const mine = await recordsOf(pid);

    const rename = mine.find((r) => r.type.startsWith('rename'));
    expect(rename).toMatchObject({ res: 0, args: { oldpath: a, newpath: b } });
    const unlinks = mine.filter((r) => r.type.startsWith('unlink') && (r.args.path === b || r.args.name === b));
    expect(unlinks.map((r) => r.res)).toEqual([0, -2]); // the second one fails with ENOENT
    expect(mine.find((r) => r.type.startsWith('symlink'))).toMatchObject({ res: 0, args: { target: b, linkpath: l } });
    expect(mine.find((r) => r.type.startsWith('mkdir'))).toMatchObject({ res: 0, args: { path: d, mode: 0o750 } });
    expect(mine.find((r) => r.type === 'rmdir')).toMatchObject({ res: 0, args: { path: d } });
    const chmod = mine.find((r) => r.type.startsWith('chmod') || r.type === 'fchmodat');
    expect(chmod).toMatchObject({ res: 0, args: { filename: b, mode: 0o600 } });
  });

  test('pipe and socketpair: both new fds', async () => {
    const c = spawnSync('python3', ['-c', 'import os, socket\nr, w = os.pipe()\na, b = socket.socketpair()\nprint(r, w, a.fileno(), b.fileno())'], { encoding: 'utf8' });
    expect(c.status, c.stderr).toBe(0);
    const [r, w, a, b] = c.stdout.trim().split(' ').map(Number);
    const mine = await recordsOf(c.pid as number);
    const pipes = mine.filter((x) => x.type === 'pipe2' || x.type === 'pipe');
    expect(pipes.map((x) => [x.res, x.args.fd1, x.args.fd2])).toContainEqual([0, r, w]);
    expect(mine.find((x) => x.type === 'socketpair')).toMatchObject({ res: 0, args: { domain: 1, fd1: a, fd2: b } });
  });

  test('setuid to a test user, then a refused open', async () => {
    const script = 'import os\nos.setuid(65534)\ntry:\n  open("/etc/shadow")\nexcept PermissionError:\n  pass\n';
    const pid = run('python3', ['-c', script]);
    const mine = await recordsOf(pid);
    expect(mine.find((r) => r.type === 'setuid')).toMatchObject({ res: 0, args: { uid: 65534 } });
    const open = mine.find((r) => r.args.name === '/etc/shadow');
    expect(open?.res).toBe(-EACCES);
  });

  test('exec from a memfd: exeFromMemfd, and the memfd_create record', async () => {
    const script = 'import os\nfd = os.memfd_create("payload", 0)\nos.write(fd, open("/bin/true", "rb").read())\n' +
      'os.execv(f"/proc/self/fd/{fd}", ["payload"])\n';
    const pid = run('python3', ['-c', script]);
    const mine = await recordsOf(pid);
    expect(mine.find((r) => r.type === 'memfd_create')).toMatchObject({ args: { name: 'payload', flags: 0 } });
    const exec = mine.find((r) => r.type === 'execve' && r.res === 0 && r.args.exe === 'payload');
    expect(exec?.facts).toMatchObject({ exeFromMemfd: true, exeUpperLayer: false, exepath: '/memfd:payload' });
    expect(exec!.args.filename).toMatch(/^\/proc\/self\/fd\/\d+$/);
  });

  test('the cgroup path (container id source), cgroup v2 and v1', async () => {
    // Like a container runtime: a cgroup of the unified hierarchy, then (when the host has v1
    // hierarchies) one in every v1 controller hierarchy. cpuset needs cpus/mems before it takes
    // tasks; name=systemd has no controller.
    const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' '));
    const v2 = mounts.find((m) => m[2] === 'cgroup2')?.[1];
    const v1 = mounts.filter((m) => m[2] === 'cgroup' && !/(^|,)(cpuset|name=[^,]*)(,|$)/.test(m[3] ?? '')).map((m) => m[1]!);
    expect(v2, 'no cgroup2 mount in /proc/mounts').toBeDefined();
    const name = `saker-probe-test-${process.pid}`;
    for (const roots of [[v2!], v1]) {
      if (roots.length === 0) continue;
      const dirs = roots.map((r) => join(r, name));
      for (const d of dirs) mkdirSync(d);
      try {
        const moves = dirs.map((d) => `echo $$ > ${d}/cgroup.procs`).join(' && ');
        const pid = run('/bin/sh', ['-c', `${moves} && exec /bin/true`]);
        const exec = (await recordsOf(pid)).find((r) => r.type === 'execve' && r.res === 0 && r.args.filename === '/bin/true');
        expect(exec?.facts?.cgroup, roots.join(' ')).toBe(`/${name}`);
      } finally {
        for (const d of dirs) rmdirSync(d);
      }
    }
  });

  test('overlayfs: mount and umount2 records, exeUpperLayer for a binary in the upper layer only', async () => {
    const base = join(dir, 'ovl');
    for (const d of ['lower', 'upper', 'work', 'merged']) mkdirSync(join(base, d), { recursive: true });
    copyFileSync('/bin/true', join(base, 'lower', 'lowtrue'));
    const mount = spawnSync('mount', ['-t', 'overlay', 'overlay', '-o',
      `lowerdir=${base}/lower,upperdir=${base}/upper,workdir=${base}/work`, `${base}/merged`], { encoding: 'utf8' });
    expect(mount.status, `mount -t overlay: ${mount.stderr}`).toBe(0);
    expect((await recordsOf(mount.pid as number)).find((r) => r.type === 'mount'))
      .toMatchObject({ res: 0, args: { dev: 'overlay', dir: `${base}/merged`, type: 'overlay' } });
    let unmounted = false;
    try {
      copyFileSync('/bin/true', join(base, 'merged', 'uptrue')); // written through the overlay: upper layer
      const execOf = async (file: string) => {
        // Started inside the overlay: the working directory's path crosses a mount.
        const c = spawnSync(file, [], { cwd: join(base, 'merged') });
        expect(c.status).toBe(0);
        const pid = c.pid as number;
        return (await recordsOf(pid)).find((r) => r.type === 'execve' && r.res === 0 && r.args.filename === file);
      };
      expect((await execOf(join(base, 'merged', 'uptrue')))?.facts).toMatchObject({ exeUpperLayer: true, cwd: join(base, 'merged') });
      expect((await execOf(join(base, 'merged', 'lowtrue')))?.facts?.exeUpperLayer).toBe(false);
      const umount = spawnSync('umount', [`${base}/merged`]);
      unmounted = umount.status === 0;
      expect((await recordsOf(umount.pid as number)).find((r) => r.type === 'umount2'))
        .toMatchObject({ res: 0, args: { name: `${base}/merged` } });
    } finally {
      if (!unmounted) spawnSync('umount', [`${base}/merged`]);
    }
  });

  test('tty (as /proc/pid/stat encodes it) and loginuid', async () => {
    const c = spawnSync('script', ['-qc', 'echo 4321 > /proc/self/loginuid && exec cat /proc/self/stat', '/dev/null'], { encoding: 'utf8' });
    expect(c.status, c.stderr).toBe(0);
    const stat = c.stdout.trim();
    const ttyNr = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[4]);
    const catPid = Number(stat.split(' ')[0]);
    expect(ttyNr).toBeGreaterThan(0);
    // The shell that `script` starts execs cat: take cat's exec, after the loginuid write.
    const exec = (await recordsOf(catPid)).find((r) => r.type === 'execve' && r.res === 0 && r.args.exe === 'cat');
    expect(exec?.facts).toMatchObject({ tty: ttyNr, loginuid: 4321, comm: 'cat' });
  });

  test('the process that opened the probe is filtered out in the kernel', () => {
    expect(probe.stats().dropped, 'records were dropped: the assertions above may have missed some').toBe(0);
    expect(records.length).toBeGreaterThan(0);
    expect(records.filter((r) => r.pid === process.pid)).toEqual([]);
  });
});
