// fd.* fields: the file descriptor the event acts on (file, socket, pipe...). Events without an fd
// have no value for any of these.
import type { Event, FileDescriptor } from '../../schemas/types.generated.js';
import { type FieldDef, type FieldType, type FieldValue, simple, uncollected } from './types.js';

const TYPE_NAMES: Record<string, string> = {
  f: 'file', '4': 'ipv4', '6': 'ipv6', u: 'unix', p: 'pipe', e: 'event', s: 'signalfd', l: 'eventpoll',
  i: 'inotify', t: 'timerfd', n: 'netlink', b: 'bpf', r: 'userfaultfd', c: 'io_uring', m: 'memfd', o: 'other',
  d: 'directory',
};

function fdField(name: string, type: FieldType, desc: string, read: (fd: FileDescriptor, e: Event) => FieldValue): FieldDef {
  return simple(name, type, desc, (e) => (e.fd === null ? undefined : read(e.fd, e)));
}

const isFileLike = (fd: FileDescriptor): boolean => fd.typeChar === 'f' || fd.typeChar === 'd' || fd.typeChar === 'm';
const isInet = (fd: FileDescriptor): boolean => fd.typeChar === '4' || fd.typeChar === '6';
/** The process is the server end: then the local address is the server's. */
const isServer = (fd: FileDescriptor): boolean => fd.isServer === true;
const orNone = <T>(v: T | null): T | undefined => (v === null ? undefined : v);
const both = <T>(a: T | null, b: T | null): T[] | undefined => {
  const out: T[] = [];
  if (a !== null) out.push(a);
  if (b !== null) out.push(b);
  return out.length ? out : undefined;
};

function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  if (i < 0) return path;
  return i === 0 ? '/' : path.slice(0, i);
}

export const fdFields: FieldDef[] = [
  fdField('fd.num', 'int', 'File descriptor number; -1 on a failed open.', (fd) => fd.num),
  fdField('fd.name', 'string', 'Full name: a path, or cip:cport->sip:sport for sockets.', (fd) => fd.name),
  fdField('fd.nameraw', 'string', 'Name as the process passed it, before path resolution.', (fd) => fd.nameRaw ?? fd.name),
  fdField('fd.typechar', 'string', 'Type as one character: f file, 4/6 inet, u unix, p pipe, e eventfd, s signalfd, l eventpoll, i inotify, b bpf, m memfd, o other.', (fd) => fd.typeChar),
  fdField('fd.type', 'string', 'Type as a word: file, ipv4, ipv6, unix, pipe, event, signalfd, eventpoll, inotify, bpf, memfd...', (fd) => TYPE_NAMES[fd.typeChar] ?? 'other'),
  fdField('fd.directory', 'string', 'Directory part of a file descriptor path.', (fd) => (isFileLike(fd) ? dirname(fd.name) : undefined)),
  fdField('fd.filename', 'string', 'File name part of a file descriptor path.', (fd) => (isFileLike(fd) ? fd.name.slice(fd.name.lastIndexOf('/') + 1) : undefined)),
  fdField('fd.l4proto', 'string', 'Layer 4 protocol: tcp, udp, icmp, raw.', (fd) => orNone(fd.l4proto)),
  fdField('fd.sockfamily', 'string', 'Socket family: ip or unix.', (fd) => orNone(fd.sockfamily)),
  fdField('fd.cip', 'ipaddr', 'Client IP address.', (fd) => orNone(fd.cip)),
  fdField('fd.sip', 'ipaddr', 'Server IP address.', (fd) => orNone(fd.sip)),
  fdField('fd.cport', 'port', 'Client port.', (fd) => orNone(fd.cport)),
  fdField('fd.sport', 'port', 'Server port.', (fd) => orNone(fd.sport)),
  fdField('fd.lip', 'ipaddr', 'Local IP address.', (fd) => orNone(isServer(fd) ? fd.sip : fd.cip)),
  fdField('fd.rip', 'ipaddr', 'Remote IP address.', (fd) => orNone(isServer(fd) ? fd.cip : fd.sip)),
  fdField('fd.lport', 'port', 'Local port.', (fd) => orNone(isServer(fd) ? fd.sport : fd.cport)),
  fdField('fd.rport', 'port', 'Remote port.', (fd) => orNone(isServer(fd) ? fd.cport : fd.sport)),
  fdField('fd.ip', 'ipaddr', 'Client or server IP: matches when either does.', (fd) => both(fd.cip, fd.sip)),
  fdField('fd.port', 'port', 'Client or server port: matches when either does.', (fd) => both(fd.cport, fd.sport)),
  fdField('fd.net', 'ipnet', 'Client or server IP, compared against networks (10.0.0.0/8).', (fd) => (isInet(fd) ? both(fd.cip, fd.sip) : undefined)),
  fdField('fd.cnet', 'ipnet', 'Client IP, compared against networks.', (fd) => orNone(fd.cip)),
  fdField('fd.snet', 'ipnet', 'Server IP, compared against networks.', (fd) => orNone(fd.sip)),
  fdField('fd.lnet', 'ipnet', 'Local IP, compared against networks.', (fd) => orNone(isServer(fd) ? fd.sip : fd.cip)),
  fdField('fd.rnet', 'ipnet', 'Remote IP, compared against networks.', (fd) => orNone(isServer(fd) ? fd.cip : fd.sip)),
  fdField('fd.connected', 'bool', 'The socket is connected.', (fd) => orNone(fd.connected)),
  fdField('fd.is_server', 'bool', 'The process is the server end of the socket.', (fd) => orNone(fd.isServer)),
  fdField('fd.name_changed', 'bool', 'The fd name changed during the event (connect).', () => false),
  uncollected('fd.cip.name', 'string', 'Domain name of the client IP'),
  uncollected('fd.sip.name', 'string', 'Domain name of the server IP'),
  uncollected('fd.lip.name', 'string', 'Domain name of the local IP'),
  uncollected('fd.rip.name', 'string', 'Domain name of the remote IP'),
  uncollected('fd.types', 'string', "Types of all the process's file descriptors", 'optional'),
  uncollected('fd.dev', 'int', 'Device number of the file'),
  uncollected('fd.ino', 'int', 'Inode of the file'),
];
