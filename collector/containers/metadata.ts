// Container metadata (name, image, privileged, mounts) from the runtime sockets, fed into the
// state engine without ever blocking the per-record path: the state engine calls `request(id)`
// synchronously the first time an event names an unknown container; a cached answer is seeded
// at once, anything else is looked up in the background and seeded when it arrives, so later
// events of that container carry it. The first events of a new container may lack it.
//
// Bounds: at most `concurrency` lookups in flight, `maxQueued` waiting (more are dropped and may
// be asked again), `cacheSize` answers kept (least recently used evicted); ids no runtime knows
// (404, errors, timeouts) are remembered for `negativeTtlMs` and not asked again meanwhile; then
// the next event of such a container asks again.
//
// Each runtime's event stream is followed too (runtime-events.ts): a container is looked up as it
// is created, so that when it starts, its first events already carry the answer.
//
// Two protocols, chosen by the socket's file name: `containerd.sock` speaks containerd's gRPC API
// (containerd-api.ts: Kubernetes nodes, nerdctl, ctr), any other socket Docker's Engine API
// (docker-api.ts: Docker, podman).
import { basename } from 'node:path';
import { stat } from 'node:fs/promises';
import { pino, type Logger } from 'pino';
import type { Container } from '../../schemas/types.generated.js';
import { CollectorConfigError, ContainerRuntimeError } from '../errors.js';
import { HOST_CONTAINER_ID } from '../state/container-id.js';
import type { StateEngine } from '../state/engine.js';
import { containerdLookup, containerdVersion } from './containerd-api.js';
import { API_VERSION, getOverSocket, parseInspect } from './docker-api.js';
import { followCreations } from './runtime-events.js';

/** Docker's socket, podman's (its compat API answers the same paths), then containerd's. */
export const DEFAULT_SOCKETS: readonly string[] = ['/var/run/docker.sock', '/run/podman/podman.sock', '/run/containerd/containerd.sock'];

const isContainerd = (socket: string): boolean => basename(socket) === 'containerd.sock';

export interface ContainerMetadataOptions {
  /** Runtime sockets, asked in order; missing or silent ones are left out at start. */
  sockets?: readonly string[];
  /** Per request. Default 2000 ms. */
  timeoutMs?: number;
  /** Lookups in flight at once. Default 4. */
  concurrency?: number;
  /** Lookups waiting; beyond it a request is dropped (counted). Default 1024. */
  maxQueued?: number;
  /** Answers kept, found or not. Default 4096. */
  cacheSize?: number;
  /** How long an id no runtime knows is not asked again. Default 60000 ms. */
  negativeTtlMs?: number;
  /** Follow the runtimes' event streams and look containers up as they are created. Default true. */
  followCreations?: boolean;
  logger?: Logger;
}

export interface ContainerMetadataStats {
  lookups: number;
  found: number;
  notFound: number;
  errors: number;
  dropped: number;
  cached: number;
  /** Container creations the runtimes' event streams reported. */
  created: number;
}

export interface ContainerMetadata {
  /** The sockets that answered at start; empty: nothing is looked up. */
  readonly sockets: readonly string[];
  /** Seeds into `state` from now on and looks up the containers its processes are in already. */
  attach(state: StateEngine): void;
  /** Asks for a container's metadata; never blocks, never throws. */
  request(id: string): void;
  /** Resolves when no lookup is waiting or in flight. */
  idle(): Promise<void>;
  stats(): ContainerMetadataStats;
  /** Detaches from the state and abandons lookups in flight. */
  close(): void;
}

/**
 * A comma-separated socket list (the CLI's `--container-sockets`): undefined gives the defaults,
 * an empty text none (no lookups).
 */
export function parseSocketList(text: string | undefined): readonly string[] | undefined {
  if (text === undefined) return undefined;
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

type CacheEntry = { kind: 'found'; container: Container } | { kind: 'absent'; until: number };

/** Probes the sockets (a GET /_ping each), then returns the metadata source. */
export async function openContainerMetadata(options: ContainerMetadataOptions = {}): Promise<ContainerMetadata> {
  const timeoutMs = positive(options.timeoutMs ?? 2000, 'timeoutMs');
  const concurrency = positive(options.concurrency ?? 4, 'concurrency');
  const maxQueued = positive(options.maxQueued ?? 1024, 'maxQueued');
  const cacheSize = positive(options.cacheSize ?? 4096, 'cacheSize');
  const negativeTtlMs = positive(options.negativeTtlMs ?? 60_000, 'negativeTtlMs');
  const candidates = options.sockets ?? DEFAULT_SOCKETS;
  for (const s of candidates) if (typeof s !== 'string' || !s.startsWith('/')) throw new CollectorConfigError(`container socket must be an absolute path, got '${String(s)}'`);
  const log = (options.logger ?? pino({ level: 'silent' })).child({ name: 'collector.containers' });
  const live = await probeSockets(candidates, timeoutMs, log);
  if (live.length === 0) log.info({ tried: candidates }, 'no container runtime socket answers: events carry the container id only');
  else log.info({ sockets: live }, 'container metadata from runtime sockets');
  return new Resolver(live, { timeoutMs, concurrency, maxQueued, cacheSize, negativeTtlMs, followCreations: options.followCreations ?? true }, log);
}

async function probeSockets(paths: readonly string[], timeoutMs: number, log: Logger): Promise<string[]> {
  const live: string[] = [];
  for (const path of paths) {
    try {
      const st = await stat(path);
      if (!st.isSocket()) {
        log.info({ socket: path }, 'not a socket: skipped');
        continue;
      }
      if (isContainerd(path)) {
        log.debug({ socket: path, version: await containerdVersion(path, timeoutMs) }, 'containerd answers');
        live.push(path);
        continue;
      }
      const answer = await getOverSocket(path, '/_ping', timeoutMs);
      if (answer.kind === 'ok') live.push(path);
      else log.warn({ socket: path, status: answer.status }, 'runtime socket refused /_ping: skipped');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') log.debug({ socket: path }, 'no such socket');
      else log.warn({ socket: path, err: (err as Error).message }, 'runtime socket does not answer: skipped');
    }
  }
  return live;
}

interface Limits {
  timeoutMs: number;
  concurrency: number;
  maxQueued: number;
  cacheSize: number;
  negativeTtlMs: number;
  followCreations: boolean;
}

/** A runtime's full container id; the state engine knows containers by its first 12 characters. */
const FULL_ID = /^[0-9a-f]{64}$/;

class Resolver implements ContainerMetadata {
  private state: StateEngine | null = null;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly pending = new Set<string>();
  private readonly queue: string[] = [];
  private inFlight = 0;
  private waiters: Array<() => void> = [];
  private readonly abort = new AbortController();
  private sweeper: NodeJS.Timeout | null = null;
  private readonly counters = { lookups: 0, found: 0, notFound: 0, errors: 0, dropped: 0, created: 0 };
  private following = false;
  /** Containers already running when attached: described, never announced as started. */
  private readonly preexisting = new Set<string>();

  constructor(readonly sockets: readonly string[], private readonly limits: Limits, private readonly log: Logger) {}

  attach(state: StateEngine): void {
    this.state = state;
    state.watchUnknownContainers((id) => this.request(id));
    for (const id of state.containerIds()) {
      this.preexisting.add(id);
      this.request(id);
    }
    if (this.sockets.length > 0 && this.sweeper === null) {
      this.sweeper = setInterval(() => this.sweep(), this.limits.negativeTtlMs);
      this.sweeper.unref();
    }
    if (this.limits.followCreations && !this.following) {
      this.following = true;
      for (const socket of this.sockets) void followCreations(socket, isContainerd(socket), (id) => this.created(id), this.abort.signal, this.log);
    }
  }

  /** A runtime created a container: look it up now, before its first process runs. */
  private created(fullId: string): void {
    if (!FULL_ID.test(fullId)) return;
    this.counters.created++;
    this.request(fullId.slice(0, 12));
  }

  request(id: string): void {
    if (this.sockets.length === 0 || id === HOST_CONTAINER_ID || this.abort.signal.aborted) return;
    const hit = this.cache.get(id);
    if (hit !== undefined) {
      if (hit.kind === 'found') {
        this.remember(id, hit);
        this.state?.seedContainer(hit.container);
        return;
      }
      if (hit.until > Date.now()) return;
      this.cache.delete(id);
    }
    if (this.pending.has(id)) return;
    if (this.queue.length >= this.limits.maxQueued) {
      this.counters.dropped++;
      return;
    }
    this.pending.add(id);
    this.queue.push(id);
    this.pump();
  }

  idle(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  stats(): ContainerMetadataStats {
    return { ...this.counters, cached: this.cache.size };
  }

  close(): void {
    this.abort.abort();
    if (this.sweeper !== null) clearInterval(this.sweeper);
    this.sweeper = null;
    this.state?.watchUnknownContainers(null);
    this.state = null;
    for (const id of this.queue) this.pending.delete(id);
    this.queue.length = 0;
  }

  /**
   * Expired negative answers leave the cache and the state engine's table, so the next event of
   * such a container asks again (an engine that was down or slow, a container registered late):
   * at most one lookup per container per TTL.
   */
  private sweep(): void {
    const now = Date.now();
    for (const [id, entry] of this.cache) {
      if (entry.kind === 'absent' && entry.until <= now) {
        this.cache.delete(id);
        this.state?.forgetContainer(id);
      }
    }
  }

  private pump(): void {
    while (this.inFlight < this.limits.concurrency && this.queue.length > 0) {
      const id = this.queue.shift()!;
      this.inFlight++;
      void this.lookup(id).finally(() => {
        this.inFlight--;
        this.pending.delete(id);
        this.pump();
        if (this.pending.size === 0) {
          const w = this.waiters;
          this.waiters = [];
          for (const resolve of w) resolve();
        }
      });
    }
  }

  /** Each socket in turn until one knows the id; never rejects. */
  private async lookup(id: string): Promise<void> {
    this.counters.lookups++;
    let failed = false;
    for (const socket of this.sockets) {
      if (this.abort.signal.aborted) return;
      try {
        const container = await this.ask(socket, id);
        if (container) {
          this.counters.found++;
          this.remember(id, { kind: 'found', container });
          this.state?.seedContainer(container);
          // Falco's container event: the rules judge the start of a container with its metadata
          // (not for those that were running before Saker: they did not start now).
          if (!this.preexisting.delete(id)) this.state?.announceContainer(id, BigInt(Date.now()) * 1_000_000n);
          this.log.debug({ container: id, name: container.name, image: container.image }, 'container metadata');
          return;
        }
      } catch (err) {
        if (this.abort.signal.aborted) return;
        failed = true;
        this.log.warn({ container: id, socket, err: (err as Error).message }, 'container lookup failed');
      }
    }
    if (failed) this.counters.errors++;
    else this.counters.notFound++;
    this.remember(id, { kind: 'absent', until: Date.now() + this.limits.negativeTtlMs });
  }

  /** One socket's answer: the container, or null when the runtime does not know the id. */
  private async ask(socket: string, id: string): Promise<Container | null> {
    if (isContainerd(socket)) return containerdLookup(socket, id, this.limits.timeoutMs, this.abort.signal);
    const answer = await getOverSocket(socket, `/${API_VERSION}/containers/${encodeURIComponent(id)}/json`, this.limits.timeoutMs, this.abort.signal);
    if (answer.kind === 'ok') return parseInspect(id, answer.body);
    if (answer.status === 404) return null;
    throw new ContainerRuntimeError(`${socket}: inspect ${id} answered HTTP ${answer.status}`, { retriable: answer.status >= 500 });
  }

  private remember(id: string, entry: CacheEntry): void {
    this.cache.delete(id);
    this.cache.set(id, entry);
    if (this.cache.size > this.limits.cacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }
}

function positive(v: number, name: string): number {
  if (!Number.isInteger(v) || v <= 0) throw new CollectorConfigError(`${name} must be a positive integer, got ${v}`);
  return v;
}
