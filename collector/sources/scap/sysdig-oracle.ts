// Test support: Debian's sysdig (0.29) as the oracle for what each event of a capture holds.
// `sysdig -r FILE -p FORMAT` prints one line per event it shows, numbered like our records (it
// counts the events it hides, such as procinfo, too). The values are sysdig's text renderings;
// compare.ts turns our RawRecord arguments into comparable forms.
import { execFileSync } from 'node:child_process';

export interface OracleEvent {
  num: number;
  ts: bigint;
  cpu: number;
  tid: number;
  type: string;
  dir: '>' | '<';
  info: string;
}

// Ends with RS so that values holding newlines (container JSON) do not split a line.
const FORMAT = '%evt.num\t%evt.rawtime\t%evt.cpu\t%thread.tid\t%evt.type\t%evt.dir\t%evt.info\x1e';

/**
 * sysdig 0.29's event table ends at PPME id 336: it skips newer events without numbering them
 * (libscap's "capture contains new syscalls" path).
 */
export const SYSDIG_EVENT_MAX = 336;

export function sysdigAvailable(): string | null {
  try {
    execFileSync('sysdig', ['--version'], { stdio: 'pipe' });
    return null;
  } catch (err) {
    return `sysdig is not installed (scripts/setup-debian installs it): ${(err as Error).message}`;
  }
}

export function sysdigEvents(file: string): OracleEvent[] {
  const out = execFileSync('sysdig', ['-r', file, '-p', FORMAT], { maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: OracleEvent[] = [];
  for (const raw of out.toString('latin1').split('\x1e\n')) {
    const line = raw.replace(/^\n+/, '');
    if (line === '') continue;
    const f = line.split('\t');
    if (f.length < 7) throw new Error(`unexpected sysdig line: ${line}`);
    events.push({
      num: Number(f[0]), ts: BigInt(f[1]!), cpu: Number(f[2]), tid: Number(f[3]), type: f[4]!,
      dir: f[5] === '>' ? '>' : '<', info: f.slice(6).join('\t'),
    });
  }
  return events;
}

/**
 * Splits sysdig's `evt.info` into values, given the parameter names in print order: each value
 * runs from `name=` to the next expected ` name=`. Values may contain spaces and `=`.
 */
export function splitInfo(info: string, names: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  let rest = info;
  for (let i = 0; i < names.length; i++) {
    const key = `${names[i]}=`;
    if (!rest.startsWith(key)) break;
    rest = rest.slice(key.length);
    let cut = -1;
    for (let j = i + 1; j < names.length && cut < 0; j++) cut = rest.indexOf(` ${names[j]}=`);
    const value = cut < 0 ? rest.replace(/ $/, '') : rest.slice(0, cut);
    out.set(names[i]!, value);
    rest = cut < 0 ? '' : rest.slice(cut + 1);
  }
  return out;
}

// Linux x86-64 values of the flag names sysdig prints, from the kernel UAPI headers; kept apart
// from flags.ts so that the oracle checks the PPM -> Linux translation independently.
export const LINUX_FLAG_VALUES: Readonly<Record<string, number>> = {
  O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, O_CREAT: 0x40, O_EXCL: 0x80, O_TRUNC: 0x200, O_APPEND: 0x400,
  O_NONBLOCK: 0x800, O_DSYNC: 0x1000, O_DIRECT: 0x4000, O_LARGEFILE: 0x8000, O_DIRECTORY: 0x10000,
  O_CLOEXEC: 0x80000, O_SYNC: 0x101000, O_TMPFILE: 0x410000, O_NONE: 0,
  PROT_NONE: 0, PROT_READ: 1, PROT_WRITE: 2, PROT_EXEC: 4,
  MAP_SHARED: 1, MAP_PRIVATE: 2, MAP_FIXED: 0x10, MAP_ANONYMOUS: 0x20, MAP_DENYWRITE: 0x800,
  MAP_NORESERVE: 0x4000, MAP_POPULATE: 0x8000, MAP_STACK: 0x20000, MAP_EXECUTABLE: 0x1000, MAP_GROWSDOWN: 0x100,
  F_OK: 0, X_OK: 1, W_OK: 2, R_OK: 4,
  F_DUPFD: 0, F_GETFD: 1, F_SETFD: 2, F_GETFL: 3, F_SETFL: 4, F_DUPFD_CLOEXEC: 1030,
  CLONE_VM: 0x100, CLONE_FS: 0x200, CLONE_FILES: 0x400, CLONE_SIGHAND: 0x800, CLONE_PTRACE: 0x2000,
  CLONE_VFORK: 0x4000, CLONE_PARENT: 0x8000, CLONE_THREAD: 0x10000, CLONE_NEWNS: 0x20000,
  CLONE_SYSVSEM: 0x40000, CLONE_SETTLS: 0x80000, CLONE_PARENT_SETTID: 0x100000,
  CLONE_CHILD_CLEARTID: 0x200000, CLONE_CHILD_SETTID: 0x1000000, CLONE_NEWCGROUP: 0x2000000,
  CLONE_NEWUTS: 0x4000000, CLONE_NEWIPC: 0x8000000, CLONE_NEWUSER: 0x10000000, CLONE_NEWPID: 0x20000000,
  CLONE_NEWNET: 0x40000000, CLONE_IO: 0x80000000,
};

/** `4097(O_RDONLY|O_CLOEXEC)` -> Linux value of the names; null when a name is unknown here. */
export function linuxValueOfNames(rendered: string): number | null {
  const m = /\(([^)]*)\)$/.exec(rendered);
  if (!m) return null;
  let v = 0;
  for (const name of m[1]!.split('|')) {
    const x = LINUX_FLAG_VALUES[name];
    if (x === undefined) return null;
    v |= x;
  }
  return v >>> 0;
}
