// A state engine seeded with the machine as it is now: users and groups, every process, thread
// and descriptor from /proc, and /proc as the resolver of threads met later without a birth
// record (started between the snapshot and the probe, or lost).
import { StateEngine, type StateOptions } from '../state/engine.js';
import type { NameEntry } from '../state/users.js';
import { ProcReader, seedFromSnapshot, type ProcSnapshotOptions } from './proc-snapshot.js';

export interface BootstrapOptions extends ProcSnapshotOptions {
  users: NameEntry[];
  groups: NameEntry[];
  state?: Omit<StateOptions, 'resolveMissing' | 'isAlive'>;
}

export function bootstrapState(options: BootstrapOptions): { state: StateEngine; reader: ProcReader } {
  const reader = new ProcReader(options);
  const state = new StateEngine({
    ...options.state,
    resolveMissing: (pid, tid) => reader.process(pid, tid),
    isAlive: (tid) => reader.isAlive(tid),
  });
  for (const u of options.users) state.seedUser(u.id, u.name);
  for (const g of options.groups) state.seedGroup(g.id, g.name);
  seedFromSnapshot(reader.snapshot(), state);
  return { state, reader };
}
