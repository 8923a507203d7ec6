// A process's ancestors as events carry them: parent first, up to MAX_ANCESTORS levels, while the
// chain is known. The chain is built once and kept on the process with the versions of the
// entries it was built from; it is rebuilt only when one of them changed or left, or when a
// parent that was unknown has appeared, so most events reuse the same frozen array.
import type { Ancestor } from '../../schemas/types.generated.js';
import { freezeWithSlot } from '../encode/fragment-slot.js';
import { MAX_ANCESTORS } from './seeds.js';
import type { ProcessEntry } from './types.js';

export function ancestorsOf(processes: ReadonlyMap<number, ProcessEntry>, p: ProcessEntry): readonly Ancestor[] {
  if (p.ancestors !== null && chainValid(processes, p)) return p.ancestors;
  const refs: ProcessEntry[] = [];
  const versions: number[] = [];
  const out: Ancestor[] = [];
  let cur = p;
  while (out.length < MAX_ANCESTORS) {
    if (cur.ppid === cur.pid) break;
    const parent = processes.get(cur.ppid);
    // A parent younger than its child is a reused pid: the real parent is gone.
    if (parent === undefined || youngerThan(parent, cur)) break;
    refs.push(parent);
    versions.push(parent.version);
    out.push(selfAncestor(parent));
    cur = parent;
  }
  p.ancestors = freezeWithSlot(out);
  p.ancestorRefs = refs;
  p.ancestorVersions = versions;
  return p.ancestors;
}

function youngerThan(parent: ProcessEntry, child: ProcessEntry): boolean {
  return parent.startTs > child.startTs && child.startTs !== 0n;
}

function chainValid(processes: ReadonlyMap<number, ProcessEntry>, p: ProcessEntry): boolean {
  const refs = p.ancestorRefs;
  for (let i = 0; i < refs.length; i++) {
    const r = refs[i]!;
    if (r.threads === 0 || r.version !== p.ancestorVersions[i]) return false;
  }
  // A chain cut short because the parent was unknown is rebuilt when the parent appears.
  if (refs.length < MAX_ANCESTORS) {
    const last = refs.length === 0 ? p : refs[refs.length - 1]!;
    const parent = last.ppid !== last.pid && last.ppid > 0 ? processes.get(last.ppid) : undefined;
    if (parent !== undefined && !youngerThan(parent, last)) return false;
  }
  return true;
}

/** The process as an Ancestor of others, cached while its version holds. */
function selfAncestor(p: ProcessEntry): Ancestor {
  if (p.self !== null && p.selfVersion === p.version) return p.self;
  p.self = Object.freeze({ pid: p.pid, name: p.comm, exe: p.exe, exepath: p.exepath, args: Object.freeze(p.args.slice()) as string[] });
  p.selfVersion = p.version;
  return p.self;
}
