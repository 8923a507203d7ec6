// Builds complete Events (schemas/event.avsc) for the default rules' tests from a few words:
// a command line, its ancestors, and what the syscall did. The tests judge these with
// engine.judge(), the production path, so every field is read by the registry's real readers.
import type { Ancestor, Container, Event, EventArg, FileDescriptor } from '../../schemas/types.generated.js';

/** Who does it. `cmd` is "name arg1 arg2": name is the comm, args are split on spaces. */
export interface Actor {
  cmd: string;
  /** Parent first, each "name args". */
  ancestors?: string[];
  user?: string;
  uid?: number;
  loginuid?: number;
  tty?: number;
  cwd?: string;
  exe?: string;
  exepath?: string;
  /** Seconds since the process started (proc.duration). */
  runningFor?: number;
  vpid?: number;
  upperLayer?: boolean;
  memfd?: boolean;
  container?: ContainerSpec;
}

export interface ContainerSpec {
  id: string;
  image?: string;
  privileged?: boolean;
  /** [source, dest] pairs. */
  mounts?: Array<[string, string]>;
}

const EPOCH = 1_764_400_000_000_000_000n;
let seq = 1;

const split = (cmd: string): string[] => cmd.split(' ').filter((s) => s.length > 0);

function ancestor(cmd: string, i: number): Ancestor {
  const [name = '', ...args] = split(cmd);
  return { pid: 1000 - i, name, exe: name, exepath: name.startsWith('/') ? name : `/usr/bin/${name}`, args };
}

function container(spec: ContainerSpec | undefined): Container {
  if (!spec) return { id: 'host', name: null, image: null, privileged: false, mounts: [] };
  return {
    id: spec.id,
    name: `ctr-${spec.id.slice(0, 4)}`,
    image: spec.image ?? 'docker.io/library/nginx:1.27',
    privileged: spec.privileged ?? false,
    mounts: (spec.mounts ?? []).map(([source, dest]) => ({ source, dest, mode: '', rdwr: true, propagation: 'rprivate' })),
  };
}

const OPEN_FLAG_BITS: Record<string, number> = {
  O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, O_CREAT: 0o100, O_EXCL: 0o200, O_TRUNC: 0o1000,
  O_APPEND: 0o2000, O_NONBLOCK: 0o4000, O_DIRECTORY: 0o200000, O_CLOEXEC: 0o2000000,
};

function flagsRaw(text: string): number {
  let raw = 0;
  for (const f of text.split('|')) {
    const bit = OPEN_FLAG_BITS[f];
    if (bit === undefined) throw new Error(`event-builder: unknown open flag ${f}`);
    raw |= bit;
  }
  return raw;
}

interface Syscall {
  type: string;
  dir?: 'ENTER' | 'EXIT';
  res?: number | null;
  args?: EventArg[];
  fd?: FileDescriptor | null;
}

/** Any syscall by `actor`. */
export function event(actor: Actor, call: Syscall): Event {
  const [name = '', ...args] = split(actor.cmd);
  const ts = EPOCH + BigInt(seq) * 1_000_000n;
  const runningFor = BigInt(Math.round((actor.runningFor ?? 3600) * 1e9));
  const dir = call.dir ?? 'EXIT';
  return {
    host: { id: 'test-host-id', name: 'test-host' },
    seq: seq++,
    ts,
    source: 'syscall',
    type: call.type,
    dir,
    cpu: 0,
    res: dir === 'ENTER' ? null : (call.res ?? 0),
    args: call.args ?? [],
    proc: {
      tid: 4242, pid: 4242, ppid: 1000, vpid: actor.vpid ?? 4242, sid: 4000,
      name: name.slice(0, 15),
      exe: actor.exe ?? name,
      exepath: actor.exepath ?? (name.startsWith('/') ? name : `/usr/bin/${name}`),
      args,
      cwd: actor.cwd ?? '/root',
      tty: actor.tty ?? 0,
      uid: actor.uid ?? (actor.user === undefined || actor.user === 'root' ? 0 : 1000),
      gid: 0,
      user: actor.user ?? 'root',
      group: 'root',
      loginuid: actor.loginuid ?? -1,
      loginname: null,
      capEffective: 0,
      startTs: ts - runningFor,
      isExeUpperLayer: actor.upperLayer ?? false,
      isExeFromMemfd: actor.memfd ?? false,
      sname: null,
    },
    ancestors: (actor.ancestors ?? ['bash', 'sshd', 'systemd']).map(ancestor),
    fd: call.fd ?? null,
    container: container(actor.container),
  };
}

const arg = (name: string, text: string, raw: number | string | null = null): EventArg => ({ name, text, raw });

/** execve exit of `actor.cmd`. */
export function exec(actor: Actor): Event {
  const parts = split(actor.cmd);
  return event(actor, {
    type: 'execve',
    args: [arg('res', '0', 0), arg('exe', actor.exe ?? parts[0] ?? ''), arg('args', parts.slice(1).join(' '))],
  });
}

/** openat exit: `flags` as Falco prints them ("O_WRONLY|O_CREAT|O_TRUNC"). `raw` is the path as passed. */
export function open(actor: Actor, path: string, flags: string, raw?: string): Event {
  const f = flagsRaw(flags);
  return event(actor, {
    type: 'openat',
    res: 3,
    args: [arg('fd', '3', 3), arg('dirfd', 'AT_FDCWD', -100), arg('name', raw ?? path), arg('flags', flags, f), arg('mode', '0644', 0o644)],
    fd: { num: 3, typeChar: 'f', name: path, nameRaw: raw ?? path, l4proto: null, sockfamily: null, cip: null, cport: null, sip: null, sport: null, isServer: null, connected: null },
  });
}

export const openRead = (actor: Actor, path: string, raw?: string): Event => open(actor, path, 'O_RDONLY|O_CLOEXEC', raw);
export const openWrite = (actor: Actor, path: string): Event => open(actor, path, 'O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC');

/** A path syscall exit (rename, unlinkat, mkdir, symlink...) with its arguments by name. */
export function pathCall(actor: Actor, type: string, args: Record<string, string>, res = 0): Event {
  return event(actor, { type, res, args: [arg('res', String(res), res), ...Object.entries(args).map(([k, v]) => arg(k, v))] });
}

/** A TCP connection over IPv4: outbound (connect) from 10.0.0.5, or accepted on 10.0.0.5. */
export function connection(actor: Actor, type: 'connect' | 'accept' | 'accept4', remote: string, port: number): Event {
  const outbound = type === 'connect';
  const [cip, cport, sip, sport] = outbound ? ['10.0.0.5', 43210, remote, port] : [remote, 51000, '10.0.0.5', port];
  const name = `${cip}:${cport}->${sip}:${sport}`;
  return event(actor, {
    type,
    res: outbound ? 0 : 4,
    args: outbound ? [arg('res', '0', 0), arg('tuple', name), arg('fd', '3', 3)] : [arg('fd', '4', 4), arg('tuple', name), arg('queuepct', '0', 0)],
    fd: { num: outbound ? 3 : 4, typeChar: '4', name, nameRaw: null, l4proto: 'tcp', sockfamily: 'ip', cip, cport, sip, sport, isServer: !outbound, connected: true },
  });
}

/**
 * A syscall with its arguments, as Saker's probe records it: one exit event carrying the
 * arguments and the result. `dir: 'ENTER'` builds the enter event of a Falco capture instead.
 */
export function withArgs(actor: Actor, type: string, args: Record<string, string>, dir: 'ENTER' | 'EXIT' = 'EXIT', res = 0): Event {
  return event(actor, { type, dir, res, args: Object.entries(args).map(([k, v]) => arg(k, v)) });
}

/** One rule's table: events (by label) on which it must fire, and look-alikes on which it must not. */
export interface RuleCases {
  rule: string;
  fires: Record<string, Event>;
  quiet: Record<string, Event>;
}
