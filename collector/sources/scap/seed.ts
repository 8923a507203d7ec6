// Stage `seed` of the .scap source: the capture's process, fd and user/group lists become the
// state engine's starting tables (collector/README.md "Seeding the state engine"), so that the
// first events of the capture already see their process, parents and open files — as libsinsp
// imports the same lists before the first event.
import type { FdSeed, ProcessSeed } from '../../state/seeds.js';
import type { ScapFd, ScapThread } from './lists.js';
import type { ScapHead } from './reader.js';

/** The part of StateEngine that seeding uses. */
export interface SeedTarget {
  seedProcess(seed: ProcessSeed): void;
  seedThread(tid: number, pid: number): void;
  seedFd(pid: number, seed: FdSeed): void;
  seedUser(uid: number, name: string): void;
  seedGroup(gid: number, name: string): void;
}

export interface SeedCounts {
  processes: number;
  threads: number;
  fds: number;
  users: number;
  groups: number;
  /** fd entries whose thread is not in the process list (skipped). */
  orphanFds: number;
}

export function seedFromScap(head: ScapHead, target: SeedTarget): SeedCounts {
  const counts: SeedCounts = { processes: 0, threads: 0, fds: 0, users: 0, groups: 0, orphanFds: 0 };
  for (const u of head.users) { target.seedUser(u.uid, u.name); counts.users++; }
  for (const g of head.groups) { target.seedGroup(g.gid, g.name); counts.groups++; }

  const tgid = new Map<number, number>();
  for (const t of head.threads) tgid.set(t.tid, t.pid);
  // A process is described by its main thread when the list has it, else by its first thread.
  const byPid = new Map<number, ScapThread>();
  for (const t of head.threads) {
    const cur = byPid.get(t.pid);
    if (cur === undefined || (t.tid === t.pid && cur.tid !== cur.pid)) byPid.set(t.pid, t);
  }
  for (const t of byPid.values()) {
    target.seedProcess(processSeed(t, tgid));
    counts.processes++;
  }
  for (const t of head.threads) {
    if (byPid.get(t.pid) === t) continue;
    target.seedThread(t.tid, t.pid);
    counts.threads++;
  }
  for (const f of head.fds) {
    const pid = tgid.get(f.tid);
    if (pid === undefined) { counts.orphanFds++; continue; }
    target.seedFd(pid, fdSeed(f));
    counts.fds++;
  }
  return counts;
}

function processSeed(t: ScapThread, tgid: ReadonlyMap<number, number>): ProcessSeed {
  const seed: ProcessSeed = {
    pid: t.pid,
    tid: t.tid,
    ppid: tgid.get(t.ptid) ?? t.ptid,
    comm: t.comm,
    exe: t.exe,
    args: t.args,
    cwd: t.cwd === '' ? null : t.cwd,
    uid: t.uid,
    gid: t.gid,
    tty: t.tty,
    loginuid: t.loginuid,
    capEffective: Number(t.capEffective),
    exeUpperLayer: t.exeUpperLayer,
    exeFromMemfd: t.exeFromMemfd,
  };
  if (t.vpid !== null && t.vpid > 0) seed.vpid = t.vpid;
  if (t.sid !== null) seed.sid = t.sid;
  if (t.exepath !== '') seed.exepath = t.exepath;
  if (t.cgroups !== '') seed.cgroup = t.cgroups;
  return seed;
}

const L4: Readonly<Record<number, string>> = { 2: 'tcp', 3: 'udp', 4: 'icmp', 5: 'raw' };
/** scap_fd_type -> Falco's fd.typechar. */
const TYPE_CHAR: Readonly<Record<number, string>> = {
  1: 'f', 2: 'd', 3: '4', 4: '6', 5: '4', 6: '6', 7: 'p', 8: 'u', 9: 'e', 11: 's', 12: 'l', 13: 'i',
  14: 't', 15: 'n', 16: 'f', 17: 'b', 20: 'm',
};
const O_CLOEXEC = 0o2000000;

function fdSeed(f: ScapFd): FdSeed {
  const typeChar = TYPE_CHAR[f.type] ?? 'o';
  const i = f.info;
  switch (i.kind) {
    case 'ipv4':
    case 'ipv6':
      // scap keeps the endpoints as the socket saw them: source (client) -> destination.
      return { num: f.fd, typeChar, l4proto: L4[i.l4proto] ?? null, cip: i.sip, cport: i.sport, sip: i.dip, sport: i.dport, isServer: false, connected: true };
    case 'ipv4server':
    case 'ipv6server':
      return { num: f.fd, typeChar, name: `${i.ip}:${i.port}`, l4proto: L4[i.l4proto] ?? null, sip: i.ip, sport: i.port, isServer: true, connected: false };
    case 'unix':
      return { num: f.fd, typeChar, name: i.path };
    case 'file':
      return { num: f.fd, typeChar, name: i.name, cloexec: i.openFlags !== null && (i.openFlags & O_CLOEXEC) !== 0 };
    case 'named':
      return { num: f.fd, typeChar, name: i.name };
  }
}
