// This host as a live source, for the commands that watch it (run, capture, collect): the
// machine's identity and users, a state engine seeded from /proc, container metadata from the
// runtime sockets, and the probe attached to the syscalls the rules need plus what the state
// tracking needs. Needs root.
import type { Logger } from 'pino';
import { openContainerMetadata, parseSocketList, type ContainerMetadataStats } from '../collector/containers/metadata.js';
import { bootstrapState } from '../collector/sources/bootstrap.js';
import { readSystemFiles } from '../collector/sources/system-files.js';
import { CONTAINER_EVENT_TYPE } from '../collector/state/containers.js';
import type { StateEngine } from '../collector/state/engine.js';
import { openProbe, selectSyscalls, type Probe } from '../probe/index.js';
import { createEngine } from '../rules/index.js';
import type { Host } from '../schemas/types.generated.js';
import { UsageError } from './args.js';
import { expandRuleFiles } from './paths.js';

/** The flags every live command takes. */
export const LIVE_FLAGS = {
  seconds: { type: 'string' },
  'container-sockets': { type: 'string' },
  'log-level': { type: 'string' },
} as const;

export interface LiveSettings {
  /** Stop after this long; null: until SIGINT/SIGTERM. */
  seconds: number | null;
  /** Runtime API sockets (undefined: the defaults; empty: no lookups). */
  containerSockets: readonly string[] | undefined;
}

export function liveSettings(values: { seconds?: string; 'container-sockets'?: string }): LiveSettings {
  let seconds: number | null = null;
  if (values.seconds !== undefined) {
    seconds = Number(values.seconds);
    if (!(seconds > 0)) throw new UsageError(`--seconds must be a positive number, got '${values.seconds}'`);
  }
  const containerSockets = parseSocketList(values['container-sockets']);
  if (containerSockets?.some((s) => !s.startsWith('/'))) throw new UsageError('--container-sockets takes absolute socket paths, comma-separated');
  return { seconds, containerSockets };
}

/** The event types the rules files ask for (`default` expands), or 'all' when none are given. */
export function ruleEventTypes(ruleFiles: readonly string[]): ReadonlySet<string> | 'all' {
  return ruleFiles.length > 0 ? createEngine({ files: expandRuleFiles(ruleFiles) }).eventTypes() : 'all';
}

export interface LiveSource {
  host: Host;
  state: StateEngine;
  probe: Probe;
  /** Syscalls attached. */
  syscalls: number;
  /** The event types that become events (the rest only update the state). */
  eventTypes: ReadonlySet<string> | 'all';
  /** Records the kernel dropped (final once the source has stopped). */
  readonly dropped: number;
  /** Container metadata lookups so far; null when no runtime socket answered. */
  containerStats(): ContainerMetadataStats | null;
  /** Ends the source (the probe's iteration) on SIGINT/SIGTERM or after the settings' seconds. */
  stopOnSignalOrTimeout(): void;
  /** Releases everything; idempotent. */
  close(): Promise<void>;
}

export async function openLiveSource(ruleTypes: ReadonlySet<string> | 'all', settings: LiveSettings, logger: Logger): Promise<LiveSource> {
  const sys = readSystemFiles();
  const { state } = bootstrapState({ users: sys.users, groups: sys.groups });
  const selection = selectSyscalls(ruleTypes);
  // `container` events are the collector's own (a runtime described a container), not the probe's.
  const unsupported = selection.unsupported.filter((t) => t !== CONTAINER_EVENT_TYPE);
  if (unsupported.length > 0) logger.warn({ unsupported }, 'event types the probe cannot record');
  const probe = await openProbe({ syscalls: selection.syscalls, logger });
  // Name, image, privileged, mounts from the runtime sockets, looked up in the background.
  const containers = await openContainerMetadata({ sockets: settings.containerSockets, logger });
  containers.attach(state);

  let disarm = (): void => undefined;
  const stop = (): void => {
    disarm();
    // Closing detaches the programs and hands the iteration what is still in the ring; the
    // iteration then ends and the command finishes its pipeline.
    void probe.close();
  };
  return {
    host: sys.host, state, probe, syscalls: selection.syscalls.length,
    // procexit keeps the process table current whatever the rules ask for.
    eventTypes: ruleTypes === 'all' ? 'all' : new Set([...ruleTypes, 'procexit']),
    get dropped() {
      return probe.stats().dropped;
    },
    containerStats() {
      return containers.sockets.length > 0 ? containers.stats() : null;
    },
    stopOnSignalOrTimeout() {
      const timer = settings.seconds === null ? null : setTimeout(stop, settings.seconds * 1000);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      disarm = () => {
        if (timer) clearTimeout(timer);
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      };
    },
    async close() {
      disarm();
      containers.close();
      await probe.close();
    },
  };
}
