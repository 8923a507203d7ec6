// This host as a live source, for the commands that watch it (run, collect): the machine's
// identity and users, a state engine seeded from /proc, and the probe attached to the syscalls
// the rules need plus what the state tracking needs. Needs root.
import type { Logger } from 'pino';
import { bootstrapState } from '../collector/sources/bootstrap.js';
import { readSystemFiles } from '../collector/sources/system-files.js';
import type { StateEngine } from '../collector/state/engine.js';
import { openProbe, selectSyscalls, type Probe } from '../probe/index.js';
import type { Host } from '../schemas/types.generated.js';

export interface LiveSource {
  host: Host;
  state: StateEngine;
  probe: Probe;
  /** Syscalls attached. */
  syscalls: number;
  /** The event types that become events (the rest only update the state). */
  eventTypes: ReadonlySet<string> | 'all';
}

export async function openLiveSource(ruleTypes: ReadonlySet<string> | 'all', logger: Logger): Promise<LiveSource> {
  const sys = readSystemFiles();
  const { state } = bootstrapState({ users: sys.users, groups: sys.groups });
  const selection = selectSyscalls(ruleTypes);
  if (selection.unsupported.length > 0) logger.warn({ unsupported: selection.unsupported }, 'event types the probe cannot record');
  const probe = await openProbe({ syscalls: selection.syscalls, logger });
  return {
    host: sys.host, state, probe, syscalls: selection.syscalls.length,
    // procexit keeps the process table current whatever the rules ask for.
    eventTypes: ruleTypes === 'all' ? 'all' : new Set([...ruleTypes, 'procexit']),
  };
}

/** Calls `stop` on SIGINT/SIGTERM or after `seconds`; returns the function that disarms both. */
export function stopOnSignalOrTimeout(stop: () => void, seconds: number | null): () => void {
  const timer = seconds === null ? null : setTimeout(stop, seconds * 1000);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return () => {
    if (timer) clearTimeout(timer);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  };
}

export function parseSeconds(v: string | undefined): number | null {
  if (v === undefined) return null;
  const n = Number(v);
  if (!(n > 0)) throw new Error(`--seconds must be a positive number, got '${v}'`);
  return n;
}
