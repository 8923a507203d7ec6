// Realistic sample values of the schemas: an `openat` by a shell in a container, and the alert
// a rule raises for it. Used by tests, the codec benchmark and documentation; each call returns
// a fresh object so callers may mutate it.
import type { Alert, Event } from './types.generated.js';

export function exampleEvent(): Event {
  return {
    host: { id: '4c4c4544004d3510804cb7c04f4b4d32', name: 'web-01' },
    seq: 1_234_567,
    ts: 1700000000123456789n,
    source: 'syscall',
    type: 'openat',
    dir: 'EXIT',
    cpu: 3,
    res: 5,
    args: [
      { name: 'fd', text: '5(<f>/etc/shadow)', raw: 5 },
      { name: 'dirfd', text: '-100(AT_FDCWD)', raw: -100 },
      { name: 'name', text: '/etc/shadow', raw: null },
      { name: 'flags', text: 'O_RDONLY|O_CLOEXEC', raw: 524288 },
      { name: 'mode', text: '0', raw: 0 },
      { name: 'dev', text: '803', raw: 2051 },
      { name: 'ino', text: '1835266', raw: 1835266 },
    ],
    proc: {
      tid: 48213,
      pid: 48213,
      ppid: 48190,
      vpid: 27,
      sid: 1,
      name: 'cat',
      exe: 'cat',
      exepath: '/usr/bin/cat',
      args: ['/etc/shadow'],
      cwd: '/root/',
      tty: 34816,
      uid: 0,
      gid: 0,
      user: 'root',
      group: 'root',
      loginuid: -1,
      loginname: null,
      capEffective: 0x1ffffffffff,
      startTs: 1699999990000000001n,
      isExeUpperLayer: false,
      isExeFromMemfd: false,
      sname: 'bash',
    },
    ancestors: [
      { pid: 48190, name: 'bash', exe: 'bash', exepath: '/usr/bin/bash', args: [] },
      { pid: 48170, name: 'sh', exe: '/bin/sh', exepath: '/usr/bin/dash', args: ['-c', 'bash'] },
      { pid: 1, name: 'containerd-shim', exe: '/usr/bin/containerd-shim-runc-v2', exepath: '/usr/bin/containerd-shim-runc-v2', args: ['-namespace', 'moby', '-id', '0123456789ab'] },
      { pid: 0, name: 'systemd', exe: '/sbin/init', exepath: '/usr/lib/systemd/systemd', args: [] },
    ],
    fd: {
      num: 5,
      typeChar: 'f',
      name: '/etc/shadow',
      nameRaw: '/etc/shadow',
      l4proto: null,
      sockfamily: null,
      cip: null,
      cport: null,
      sip: null,
      sport: null,
      isServer: null,
      connected: null,
    },
    container: {
      id: '0123456789ab',
      name: 'web',
      image: 'docker.io/library/nginx:1.25',
      privileged: false,
      mounts: [{ source: '/var/lib/docker/volumes/data/_data', dest: '/data', mode: '', rdwr: true, propagation: 'rprivate' }],
    },
  };
}

export function exampleAlert(): Alert {
  return {
    rule: 'Read sensitive file untrusted',
    priority: 'Warning',
    source: 'syscall',
    time: 1700000000123456789n,
    hostname: 'web-01',
    output: 'Sensitive file opened for reading by non-trusted program (file=/etc/shadow user=root command=cat /etc/shadow)',
    tags: ['filesystem', 'mitre_credential_access', 'T1555'],
    outputFields: { 'fd.name': '/etc/shadow', 'user.name': 'root', 'proc.cmdline': 'cat /etc/shadow', 'container.id': '0123456789ab', 'user.loginname': null },
    eventHostId: '4c4c4544004d3510804cb7c04f4b4d32',
    eventSeq: 1_234_567,
  };
}
