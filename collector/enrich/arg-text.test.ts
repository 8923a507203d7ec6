import { describe, expect, it } from 'vitest';
import type { RawRecord } from '../raw-record.js';
import { formatArgs, type ArgContext } from './arg-text.js';

const ctx: ArgContext = {
  fd: (n) => (n === 3 ? { num: 3, typeChar: 'f', name: '/etc/passwd', nameRaw: null, l4proto: null, sockfamily: null, cip: null, cport: null, sip: null, sport: null, isServer: null, connected: null } : null),
  user: (u) => (u === 33 ? 'www-data' : undefined),
  group: (g) => (g === 0 ? 'root' : undefined),
};

function text(type: string, args: RawRecord['args']): string[] {
  return formatArgs({ type, dir: 'EXIT', ts: 0n, cpu: 0, tid: 1, pid: 1, res: 0, args }, ctx).map((a) => a.text);
}

describe('argument text as Falco prints it', () => {
  it('open flags in libs order', () => {
    expect(text('openat', { flags: 0o1101 })).toEqual(['O_TRUNC|O_CREAT|O_WRONLY']);
    expect(text('open', { flags: 0o2000000 })).toEqual(['O_RDONLY|O_CLOEXEC']);
    expect(text('open', { flags: 0o204002 })).toEqual(['O_DIRECTORY|O_NONBLOCK|O_RDWR']);
    expect(text('openat2', { flags: 0o20200002 })).toEqual(['O_DIRECTORY|O_RDWR|O_TMPFILE']);
  });
  it('modes, ptrace requests, families, bpf commands, namespaces', () => {
    expect(text('fchmodat', { mode: 0o4755 })).toEqual(['S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR|S_ISUID']);
    expect(text('openat', { mode: 0o644 })).toEqual(['0644']);
    expect(text('ptrace', { request: 16 })).toEqual(['PTRACE_ATTACH']);
    expect(text('ptrace', { request: 0x4206 })).toEqual(['PTRACE_SEIZE']);
    expect(text('socket', { domain: 17 })).toEqual(['AF_PACKET']);
    expect(text('bpf', { cmd: 5 })).toEqual(['BPF_PROG_LOAD']);
    expect(text('setns', { nstype: 0x40000000 })).toEqual(['CLONE_NEWNET']);
    expect(text('unlinkat', { flags: 0x200 })).toEqual(['AT_REMOVEDIR']);
    expect(text('mmap', { prot: 7 })).toEqual(['PROT_READ|PROT_WRITE|PROT_EXEC']);
  });
  it('results, fds, ids, sockets, buffers, argv', () => {
    expect(text('open', { res: -2 })).toEqual(['-2(ENOENT)']);
    expect(text('read', { fd: 3 })).toEqual(['3(<f>/etc/passwd)']);
    expect(text('read', { fd: 9 })).toEqual(['9']);
    expect(text('setuid', { uid: 33 })).toEqual(['www-data']);
    expect(text('setgid', { gid: 0 })).toEqual(['root']);
    expect(text('setuid', { uid: 4242 })).toEqual(['4242']);
    expect(text('connect', { tuple: { family: 'inet', src: { family: 'inet', ip: '127.0.0.1', port: 40000 }, dst: { family: 'inet', ip: '127.0.0.1', port: 80 } } })).toEqual(['127.0.0.1:40000->127.0.0.1:80']);
    expect(text('bind', { addr: { family: 'unix', path: '/run/x.sock' } })).toEqual(['/run/x.sock']);
    expect(text('write', { data: Buffer.from('hi\n\x00there') })).toEqual(['hi..there']);
    expect(text('execve', { args: ['-c', 'id'] })).toEqual(['-c.id.']);
    expect(text('x', { big: 1n << 62n, nothing: null })).toEqual([String(1n << 62n), '<NA>']);
  });
});
