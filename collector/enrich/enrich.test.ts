// The scripted sequence: fork, exec, open, dup, connect, close, exit through state + enrichment,
// with every process, ancestor and fd field checked exactly.
import { describe, expect, it } from 'vitest';
import { eventCodec } from '../../schemas/codec.js';
import type { Event } from '../../schemas/types.generated.js';
import { createPipeline, type Pipeline } from '../pipeline.js';
import type { RawRecord } from '../raw-record.js';

const HOST = { id: 'f00dfeedf00dfeedf00dfeedf00dfeed', name: 'test-host' };
const T0 = 1_760_000_000_000_000_000n;
const DOCKER_ID = '3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0c1b2a3f4e';

function setup(): { p: Pipeline; run: (r: Partial<RawRecord> & Pick<RawRecord, 'type' | 'tid'>) => Event } {
  const p = createPipeline({ host: HOST });
  const s = p.state;
  s.seedUser(0, 'root'); s.seedUser(1000, 'alice'); s.seedGroup(0, 'root'); s.seedGroup(1000, 'alice');
  s.seedProcess({ pid: 1, ppid: 0, sid: 1, comm: 'systemd', exe: '/sbin/init', exepath: '/usr/lib/systemd/systemd', args: ['--system'], cwd: '/', startTs: T0 - 1000n });
  s.seedProcess({
    pid: 100, ppid: 1, sid: 100, comm: 'bash', exe: '-bash', exepath: '/usr/bin/bash', args: [], cwd: '/home/alice',
    tty: 34816, uid: 1000, gid: 1000, loginuid: 1000, capEffective: 0, startTs: T0 - 500n, cgroup: '0::/user.slice/user-1000.slice/session-1.scope',
  });
  let ts = T0;
  const run = (r: Partial<RawRecord> & Pick<RawRecord, 'type' | 'tid'>): Event => {
    ts += 10n;
    return p.enrich({ dir: 'EXIT', ts, cpu: 1, pid: r.tid, res: 0, args: {}, ...r });
  };
  return { p, run };
}

const O_RDONLY = 0;
const O_WRONLY = 1;
const O_CREAT = 0o100;
const O_CLOEXEC = 0o2000000;

describe('scripted sequence: fork, exec, open, dup, connect, close, exit', () => {
  it('gives exact process, ancestor and fd fields', () => {
    const { p, run } = setup();
    run({ type: 'clone', tid: 100, res: 200, args: { flags: 0x11 } });
    const child = run({ type: 'clone', tid: 200, res: 0, args: { ptid: 100 } });
    expect(child.proc).toMatchObject({ tid: 200, pid: 200, ppid: 100, name: 'bash', exe: '-bash', cwd: '/home/alice/', tty: 34816 });
    expect(child.proc.startTs).toBe(T0 + 10n);

    const exec = run({ type: 'execve', tid: 200, res: 0, args: { filename: '/bin/cat' }, facts: { argv: ['cat', '../../etc/shadow'], exepath: '/usr/bin/cat', comm: 'cat' } });
    expect(exec.proc).toEqual({
      tid: 200, pid: 200, ppid: 100, vpid: 200, sid: 100, name: 'cat', exe: 'cat', exepath: '/usr/bin/cat',
      args: ['../../etc/shadow'], cwd: '/home/alice/', tty: 34816, uid: 1000, gid: 1000, user: 'alice', group: 'alice',
      loginuid: 1000, loginname: 'alice', capEffective: 0, startTs: T0 + 10n, isExeUpperLayer: false,
      isExeFromMemfd: false, sname: 'bash',
    });
    expect(exec.ancestors).toEqual([
      { pid: 100, name: 'bash', exe: '-bash', exepath: '/usr/bin/bash', args: [] },
      { pid: 1, name: 'systemd', exe: '/sbin/init', exepath: '/usr/lib/systemd/systemd', args: ['--system'] },
    ]);
    expect(exec.container.id).toBe('host');

    const open = run({ type: 'openat', tid: 200, res: 3, args: { fd: 3, dirfd: -100, name: '../../etc/shadow', flags: O_RDONLY | O_CLOEXEC, mode: 0 } });
    expect(open.fd).toEqual({
      num: 3, typeChar: 'f', name: '/etc/shadow', nameRaw: '../../etc/shadow', l4proto: null, sockfamily: null,
      cip: null, cport: null, sip: null, sport: null, isServer: null, connected: null,
    });
    expect(open.args).toEqual([
      { name: 'fd', text: '3(<f>/etc/shadow)', raw: 3 },
      { name: 'dirfd', text: '-100(AT_FDCWD)', raw: -100 },
      { name: 'name', text: '../../etc/shadow', raw: null },
      { name: 'flags', text: 'O_RDONLY|O_CLOEXEC', raw: O_RDONLY | O_CLOEXEC },
      { name: 'mode', text: '0', raw: 0 },
    ]);

    const dup = run({ type: 'dup2', tid: 200, res: 10, args: { oldfd: 3, newfd: 10 } });
    expect(dup.fd).toMatchObject({ num: 10, typeChar: 'f', name: '/etc/shadow' });
    const read = run({ type: 'read', tid: 200, res: 100, args: { fd: 10, size: 4096 } });
    expect(read.fd).toMatchObject({ num: 10, name: '/etc/shadow' });
    expect(read.args[0]).toEqual({ name: 'fd', text: '10(<f>/etc/shadow)', raw: 10 });

    const sock = run({ type: 'socket', tid: 200, res: 4, args: { domain: 2, type: 1, proto: 0 } });
    expect(sock.fd).toMatchObject({ num: 4, typeChar: '4', l4proto: 'tcp', sockfamily: 'ip', name: '' });
    expect(sock.args[0]).toEqual({ name: 'domain', text: 'AF_INET', raw: 2 });
    const tuple = { family: 'inet' as const, src: { family: 'inet' as const, ip: '127.0.0.1', port: 40000 }, dst: { family: 'inet' as const, ip: '127.0.0.1', port: 80 } };
    const conn = run({ type: 'connect', tid: 200, res: 0, args: { fd: 4, tuple } });
    const socketFd = {
      num: 4, typeChar: '4', name: '127.0.0.1:40000->127.0.0.1:80', nameRaw: null, l4proto: 'tcp', sockfamily: 'ip',
      cip: '127.0.0.1', cport: 40000, sip: '127.0.0.1', sport: 80, isServer: false, connected: true,
    };
    expect(conn.fd).toEqual(socketFd);
    expect(conn.args[1]).toEqual({ name: 'tuple', text: '127.0.0.1:40000->127.0.0.1:80', raw: null });
    expect(run({ type: 'sendto', tid: 200, res: 5, args: { fd: 4, size: 5 } }).fd).toEqual(socketFd);

    const close = run({ type: 'close', tid: 200, res: 0, args: { fd: 3 } });
    expect(close.fd).toMatchObject({ num: 3, name: '/etc/shadow' });
    expect(run({ type: 'read', tid: 200, res: -9, args: { fd: 3, size: 1 } }).fd).toBeNull();
    expect(run({ type: 'read', tid: 200, res: 1, args: { fd: 10, size: 1 } }).fd).toMatchObject({ num: 10, name: '/etc/shadow' });

    const exit = run({ type: 'procexit', tid: 200, res: null, args: { status: 0 } });
    expect(exit.proc).toMatchObject({ pid: 200, name: 'cat' });
    expect(p.state.threads.has(200)).toBe(false);
    expect(p.state.processes.has(200)).toBe(false);
    // Events survive the Avro round trip unchanged.
    for (const e of [exec, open, conn, close, exit]) expect(JSON.stringify(eventCodec.decode(p.encoder.encode(e)), big)).toBe(JSON.stringify(e, big));
  });

  it('keeps at least 8 levels of ancestors', () => {
    const { run } = setup();
    let parent = 100;
    for (let i = 0; i < 10; i++) {
      const pid = 300 + i;
      run({ type: 'clone', tid: parent, res: pid, args: { flags: 0x11 } });
      run({ type: 'execve', tid: pid, res: 0, args: {}, facts: { argv: [`sh${i}`], exepath: '/bin/sh', comm: `sh${i}` } });
      parent = pid;
    }
    const e = run({ type: 'getpid', tid: parent, res: parent, args: {} });
    expect(e.ancestors.map((a) => a.name)).toEqual(['sh8', 'sh7', 'sh6', 'sh5', 'sh4', 'sh3', 'sh2', 'sh1', 'sh0', 'bash', 'systemd']);
  });

  it('marks a memfd exec and an upper-layer exec', () => {
    const { run } = setup();
    run({ type: 'clone', tid: 100, res: 201, args: { flags: 0x11 } });
    const memfd = run({ type: 'execve', tid: 201, res: 0, args: { filename: '/proc/self/fd/3' }, facts: { argv: ['payload'], exepath: '/memfd:payload (deleted)' } });
    expect(memfd.proc.isExeFromMemfd).toBe(true);
    expect(memfd.proc.exepath).toBe('/memfd:payload (deleted)');
    expect(memfd.proc.name).toBe('3');
    run({ type: 'clone', tid: 100, res: 202, args: { flags: 0x11 } });
    // Falco's own execve form: exe = argv[0], args = the rest, flags = PPM_EXE_* (2: upper layer).
    const upper = run({ type: 'execve', tid: 202, res: 0, args: { exe: './dropped', args: ['-x'], trusted_exepath: '/tmp/dropped', flags: 2 | 1 } });
    expect(upper.proc).toMatchObject({ exe: './dropped', args: ['-x'], exepath: '/tmp/dropped', name: 'dropped', isExeUpperLayer: true, isExeFromMemfd: false });
    expect(upper.args.find((a) => a.name === 'flags')).toEqual({ name: 'flags', text: 'EXE_WRITABLE|EXE_UPPER_LAYER', raw: 3 });
    run({ type: 'clone', tid: 100, res: 203, args: { flags: 0x11 } });
    run({ type: 'clone', tid: 100, res: 209, args: { flags: 0x11 } });
    const relative = run({ type: 'execve', tid: 209, res: 0, args: { filename: './bin/../run.sh' }, facts: { argv: ['./run.sh'] } });
    expect(relative.proc).toMatchObject({ exepath: '/home/alice/run.sh', name: 'run.sh', exe: './run.sh' });
    const viaFlag = run({ type: 'execveat', tid: 203, res: 0, args: { exe: 'x', args: [], trusted_exepath: 'memfd:x', flags: 4 } });
    expect(viaFlag.proc.isExeFromMemfd).toBe(true);
  });

  it('takes the container id from the cgroup path', () => {
    const { run } = setup();
    run({ type: 'clone', tid: 100, res: 204, args: { flags: 0x11 } });
    const e = run({ type: 'execve', tid: 204, res: 0, args: {}, facts: { argv: ['nginx'], exepath: '/usr/sbin/nginx', cgroup: `0::/system.slice/docker-${DOCKER_ID}.scope` } });
    expect(e.container).toEqual({ id: DOCKER_ID.slice(0, 12), name: null, image: null, privileged: null, mounts: [] });
    // Children inherit it.
    run({ type: 'clone', tid: 204, res: 205, args: { flags: 0x11 } });
    expect(run({ type: 'getpid', tid: 205, res: 205, args: {} }).container.id).toBe(DOCKER_ID.slice(0, 12));
  });

  it('shares threads, copies fds on fork, closes O_CLOEXEC fds on exec, takes enter args for exits', () => {
    const { p, run } = setup();
    run({ type: 'openat', tid: 100, res: 5, args: { dirfd: -100, name: 'notes.txt', flags: O_WRONLY | O_CREAT, mode: 0o644 } });
    run({ type: 'clone', tid: 100, res: 101, args: { flags: 0x10000 | 0x800 | 0x100 } });
    const t = run({ type: 'write', tid: 101, res: 3, args: { fd: 5, size: 3 } });
    expect(t.proc).toMatchObject({ tid: 101, pid: 100, name: 'bash' });
    expect(t.fd).toMatchObject({ num: 5, name: '/home/alice/notes.txt' });
    expect(run({ type: 'openat', tid: 100, res: 6, args: { dirfd: -100, name: 'x', flags: O_RDONLY } }).args.find((a) => a.name === 'mode')).toBeUndefined();

    run({ type: 'clone', tid: 100, res: 206, args: { flags: 0x11 } });
    run({ type: 'openat', tid: 100, res: 7, args: { dirfd: -100, name: '/etc/hosts', flags: O_RDONLY | O_CLOEXEC } });
    expect(run({ type: 'read', tid: 206, res: 0, args: { fd: 7 } }).fd).toBeNull();
    expect(run({ type: 'read', tid: 206, res: 0, args: { fd: 5 } }).fd).toMatchObject({ name: '/home/alice/notes.txt' });
    run({ type: 'openat', tid: 206, res: 8, args: { dirfd: -100, name: '/etc/passwd', flags: O_RDONLY | O_CLOEXEC } });
    run({ type: 'execve', tid: 206, res: 0, args: {}, facts: { argv: ['true'], exepath: '/usr/bin/true' } });
    expect(run({ type: 'read', tid: 206, res: 0, args: { fd: 8 } }).fd).toBeNull();
    expect(run({ type: 'read', tid: 206, res: 0, args: { fd: 5 } }).fd).toMatchObject({ name: '/home/alice/notes.txt' });

    // ENTER carries the fd, EXIT only the result (Falco 0.10 captures look like this).
    run({ type: 'close', tid: 100, dir: 'ENTER', res: null, args: { fd: 5 } });
    const closeExit = run({ type: 'close', tid: 100, res: 0, args: { res: 0 } });
    expect(closeExit.fd).toMatchObject({ num: 5, name: '/home/alice/notes.txt' });
    expect(p.state.lookupFd(p.state.threads.get(100)!, 5)).toBeNull();

    const failed = run({ type: 'open', tid: 100, res: -2, args: { name: 'missing', flags: O_RDONLY } });
    expect(failed.fd).toMatchObject({ num: -1, name: '/home/alice/missing' });
    expect(failed.res).toBe(-2);

    const chdir = run({ type: 'chdir', tid: 100, res: 0, args: { path: '../bob/./src' } });
    expect(chdir.proc.cwd).toBe('/home/bob/src/');
    const setuid = run({ type: 'setuid', tid: 100, res: 0, args: { uid: 0 } });
    expect(setuid.args).toEqual([{ name: 'uid', text: 'root', raw: 0 }]);
    expect(setuid.proc).toMatchObject({ uid: 0, user: 'root', loginuid: 1000, loginname: 'alice' });
  });

  it('names threads by their own comm, and learns an unknown process from its clone record', () => {
    const { p, run } = setup();
    p.state.seedProcess({ pid: 400, ppid: 1, comm: 'accounts-daemon', exepath: '/usr/libexec/accounts-daemon', uid: 0 });
    p.state.seedThread(401, 400, 'gmain');
    expect(run({ type: 'poll', tid: 401, pid: 400, res: 0, args: {} }).proc).toMatchObject({ tid: 401, pid: 400, name: 'gmain' });
    expect(run({ type: 'poll', tid: 400, pid: 400, res: 0, args: {} }).proc.name).toBe('accounts-daemon');
    run({ type: 'clone', tid: 401, pid: 400, res: 402, args: { flags: 0x10000 } });
    expect(run({ type: 'read', tid: 402, pid: 400, res: 0, args: {} }).proc.name).toBe('gmain');

    // A thread's first record, its process never seen: Falco's clone exit args describe it.
    const t = run({
      type: 'clone', tid: 17498, pid: 17497, res: 0,
      args: { exe: 'curl', args: ['-6', 'http://www.google.com'], ptid: 100, cwd: '/home/alice', comm: 'curl', uid: 1000, gid: 1000, vpid: 17497, flags: 0x10000 },
    });
    expect(t.proc).toMatchObject({ tid: 17498, pid: 17497, ppid: 100, name: 'curl', exe: 'curl', args: ['-6', 'http://www.google.com'], cwd: '/home/alice/', uid: 1000, user: 'alice' });
    expect(t.ancestors[0]).toMatchObject({ pid: 100, name: 'bash' });
  });

  it('describes accepted connections from the server side', () => {
    const { run } = setup();
    run({ type: 'socket', tid: 100, res: 3, args: { domain: 10, type: 1 | 0o2000000, proto: 6 } });
    const bind = run({ type: 'bind', tid: 100, res: 0, args: { fd: 3, addr: { family: 'inet6', ip: '::', port: 8080 } } });
    expect(bind.fd).toMatchObject({ typeChar: '6', sip: '::', sport: 8080, isServer: true, name: ':::8080' });
    run({ type: 'listen', tid: 100, res: 0, args: { fd: 3, backlog: 5 } });
    const acc = run({
      type: 'accept4', tid: 100, res: 4,
      args: { fd: 4, tuple: { family: 'inet6', src: { family: 'inet6', ip: '::1', port: 51000 }, dst: { family: 'inet6', ip: '::1', port: 8080 } }, listen_fd: 3, flags: 0 },
    });
    expect(acc.fd).toEqual({
      num: 4, typeChar: '6', name: '::1:51000->::1:8080', nameRaw: null, l4proto: 'tcp', sockfamily: 'ip',
      cip: '::1', cport: 51000, sip: '::1', sport: 8080, isServer: true, connected: true,
    });
    const refused = run({ type: 'connect', tid: 100, res: -111, args: { fd: 3, addr: { family: 'inet', ip: '10.1.1.1', port: 22 } } });
    expect(refused.fd).toMatchObject({ sip: '10.1.1.1', sport: 22, connected: false });
    expect(refused.args[0]).toEqual({ name: 'fd', text: '3(<6>:::8080)', raw: 3 });
  });
});

function big(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `${v}n` : v;
}
