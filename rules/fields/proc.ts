// proc.* and thread.* fields: the calling thread, its process and its ancestors. In the Event,
// ancestors[0] is the parent; in Falco's indexing proc.aname[0] is the process itself and
// proc.aname[1] its parent, so index N reads ancestors[N - 1].
import type { Ancestor, Event } from '../../schemas/types.generated.js';
import { capabilityNames } from './capabilities.js';
import { type FieldDef, type FieldType, type Reader, parseIndexArg, simple, uncollected } from './types.js';

const cmdline = (name: string, args: readonly string[]): string => (args.length ? `${name} ${args.join(' ')}` : name);

type AncestorPart = (a: Ancestor) => string | number;

/** proc.aname/apid/aexe/...: with [N] one level (0 = self), without an argument every ancestor. */
function ancestorField(name: string, type: FieldType, desc: string, self: Reader, part: AncestorPart): FieldDef {
  return {
    name, type, desc, arg: 'optional', listWithoutArg: true,
    bind(arg) {
      if (arg === undefined) return (e) => e.ancestors.map(part);
      const level = parseIndexArg(name, arg);
      if (level === 0) return self;
      return (e) => {
        const a = e.ancestors[level - 1];
        return a === undefined ? undefined : part(a);
      };
    },
  };
}

const parent = (e: Event): Ancestor | undefined => e.ancestors[0];

export const procFields: FieldDef[] = [
  simple('proc.pid', 'int', 'Process id (thread group id).', (e) => e.proc.pid),
  simple('proc.ppid', 'int', 'Parent process id.', (e) => e.proc.ppid),
  simple('proc.vpid', 'int', 'Process id in its own pid namespace.', (e) => e.proc.vpid),
  simple('proc.sid', 'int', 'Session id.', (e) => e.proc.sid ?? undefined),
  simple('proc.sname', 'string', 'Name of the session leader.', (e) => e.proc.sname ?? undefined),
  simple('proc.name', 'string', 'Process name (comm, at most 16 characters).', (e) => e.proc.name),
  simple('proc.exe', 'string', 'First command-line argument (argv[0]).', (e) => e.proc.exe),
  simple('proc.exepath', 'string', 'Full path of the executable.', (e) => e.proc.exepath),
  simple('proc.args', 'string', 'Arguments after argv[0], joined with spaces.', (e) => e.proc.args.join(' ')),
  simple('proc.cmdline', 'string', 'Process name and arguments.', (e) => cmdline(e.proc.name, e.proc.args)),
  simple('proc.cwd', 'string', 'Current working directory.', (e) => e.proc.cwd ?? undefined),
  simple('proc.tty', 'int', 'Controlling terminal, 0 if none.', (e) => e.proc.tty),
  simple('proc.duration', 'reltime', 'ns since the process started.', (e) => Number(e.ts - e.proc.startTs)),
  simple('proc.start_ts', 'abstime', 'Process start time, ns since the epoch.', (e) => e.proc.startTs),
  simple('proc.is_exe_upper_layer', 'bool', 'The executable lives in an overlayfs upper layer (written in the container).', (e) => e.proc.isExeUpperLayer),
  simple('proc.is_exe_from_memfd', 'bool', 'The executable is a memfd (fileless execution).', (e) => e.proc.isExeFromMemfd),
  simple('proc.pname', 'string', 'Parent process name.', (e) => parent(e)?.name),
  simple('proc.pexe', 'string', "Parent's argv[0].", (e) => parent(e)?.exe),
  simple('proc.pexepath', 'string', "Parent's executable path.", (e) => parent(e)?.exepath),
  simple('proc.pcmdline', 'string', 'Parent process name and arguments.', (e) => {
    const p = parent(e);
    return p ? cmdline(p.name, p.args) : undefined;
  }),
  ancestorField('proc.aname', 'string', 'Ancestor name: [N] N levels up (0 self, 1 parent); without an index, any ancestor.',
    (e) => e.proc.name, (a) => a.name),
  ancestorField('proc.apid', 'int', 'Ancestor pid, indexed as proc.aname.', (e) => e.proc.pid, (a) => a.pid),
  ancestorField('proc.aexe', 'string', "Ancestor's argv[0], indexed as proc.aname.", (e) => e.proc.exe, (a) => a.exe),
  ancestorField('proc.aexepath', 'string', "Ancestor's executable path, indexed as proc.aname.", (e) => e.proc.exepath, (a) => a.exepath),
  ancestorField('proc.acmdline', 'string', "Ancestor's command line, indexed as proc.aname.",
    (e) => cmdline(e.proc.name, e.proc.args), (a) => cmdline(a.name, a.args)),
  uncollected('proc.env', 'string', 'Environment variables', 'optional'),
  uncollected('proc.vpgid', 'int', 'Process group id in its pid namespace'),
  uncollected('proc.vpgid.name', 'string', 'Name of the process group leader'),
  uncollected('proc.vpgid.exe', 'string', 'argv[0] of the process group leader'),
  uncollected('proc.is_vpgid_leader', 'bool', 'The process leads its process group'),
  uncollected('proc.exe_ino', 'int', 'Inode of the executable'),
  uncollected('proc.exe_ino.ctime', 'abstime', 'ctime of the executable'),
  uncollected('proc.exe_ino.mtime', 'abstime', 'mtime of the executable'),
  uncollected('proc.exe_ino.ctime_duration_proc_start', 'reltime', 'Time from the executable ctime to process start'),
  uncollected('proc.ppid.duration', 'reltime', 'ns since the parent started'),
  simple('thread.tid', 'int', 'Thread id.', (e) => e.proc.tid),
  simple('thread.vtid', 'int', 'Thread id in its pid namespace (the process vpid for the main thread).', (e) =>
    e.proc.tid === e.proc.pid ? e.proc.vpid : undefined),
  simple('thread.cap_effective', 'string', 'Effective capabilities, as names (CAP_SYS_ADMIN ...).', (e) => capabilityNames(e.proc.capEffective)),
  uncollected('thread.cap_permitted', 'string', 'Permitted capabilities'),
  uncollected('thread.cap_inheritable', 'string', 'Inheritable capabilities'),
  simple('user.uid', 'uint', 'User id.', (e) => e.proc.uid),
  simple('user.name', 'string', 'User name.', (e) => e.proc.user ?? undefined),
  simple('user.loginuid', 'int', 'Audit login uid, -1 if unset.', (e) => e.proc.loginuid),
  simple('user.loginname', 'string', 'Name of the login user.', (e) => e.proc.loginname ?? undefined),
  uncollected('user.homedir', 'string', 'Home directory of the user'),
  uncollected('user.shell', 'string', 'Shell of the user'),
  simple('group.gid', 'uint', 'Group id.', (e) => e.proc.gid),
  simple('group.name', 'string', 'Group name.', (e) => e.proc.group ?? undefined),
];
