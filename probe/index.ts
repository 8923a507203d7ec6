// The probe's public API: open the eBPF syscall probe, iterate batches of RawRecords, read its
// counters, close it. Pipeline stage "probe": kernel ring buffer -> native reader thread
// (packed batches, bpf/record.h) -> this queue -> decode.ts -> the consumer (the collector).
import { pino, type Logger } from 'pino';
import type { RawRecord } from '../collector/raw-record.js';
import { decodeBatch } from './decode.js';
import { ProbeError, ProbeOptionsError, ProbeUnavailableError } from './errors.js';
import { loadAddon, selfhood, syscallConfig, type NativeProbe, type ProgramStats } from './native.js';
import { BY_NAME, PROCEXIT } from './syscalls.js';

export { selectSyscalls, tracepointsFor, STATE_SYSCALLS, SYSCALLS, PROCEXIT } from './syscalls.js';
export type { SyscallSelection, SyscallSpec } from './syscalls.js';
export type { ProgramStats } from './native.js';
export { decodeBatch, decodeRecord } from './decode.js';
export { ProbeError, ProbeOptionsError, ProbeUnavailableError, RecordLayoutError } from './errors.js';

export interface ProbeOptions {
  /** Syscall names (Falco event types) plus `procexit`; see selectSyscalls(). */
  syscalls: readonly string[];
  /** Ring buffer size in bytes: a power of two, 64 KiB .. 1 GiB. Default 8 MiB. */
  ringBytes?: number;
  /** Pending bytes in the ring past which the kernel wakes the reader. Default ringBytes / 8. */
  wakeupBytes?: number;
  /** Bytes per batch handed to JavaScript (>= 64 KiB). Default 1 MiB. */
  batchBytes?: number;
  /** Batches handed out and not yet taken by the consumer before the reader stops draining. Default 8. */
  maxPendingBatches?: number;
  /** Longest time a record waits in the ring or a partial batch, in ms. Default 10. */
  flushMs?: number;
  /** Filter this process out in the kernel. Default true. */
  excludeSelf?: boolean;
  logger?: Logger;
}

export interface CpuStats { cpu: number; emitted: number; ringFull: number; readFail: number; tooBig: number }

export interface ProbeStats {
  /** Records the kernel program produced (delivered + dropped + still in flight). */
  emitted: number;
  /** Records handed to JavaScript in batches. */
  delivered: number;
  /** Records lost in the kernel: ring full (includes tooBig). */
  dropped: number;
  /** Records delivered with a missing string/address (a user-memory read failed). */
  readFail: number;
  batches: number;
  pendingBatches: number;
  perCpu: CpuStats[];
  /** Per BPF program: runs and total run time, counted only while kernel.bpf_stats_enabled = 1. */
  programs: ProgramStats[];
}

/** A batch as the addon hands it over: `count` packed records (bpf/record.h). */
export interface PackedBatch { buf: Buffer; count: number; bootToEpochNs: bigint }

export interface Probe extends AsyncIterable<RawRecord[]> {
  /** The syscalls (and procexit) attached. */
  readonly syscalls: readonly string[];
  /** Syscalls asked for whose tracepoints this kernel lacks (e.g. finit_module without module support). */
  readonly missing: readonly string[];
  /** Packed batches instead of decoded records (decode with decodeBatch). */
  packedBatches(): AsyncIterable<PackedBatch>;
  /** Counters; after close(), the final ones. */
  stats(): ProbeStats;
  /**
   * Detaches the programs, then hands every record still in the kernel ring or a partial batch
   * to the iteration, which ends after them: closing loses nothing that was captured. Idempotent.
   */
  close(): Promise<void>;
}

const MiB = 1 << 20;
const FINISH_TIMEOUT_MS = 10_000;

interface Resolved { ringBytes: number; wakeupBytes: number; batchBytes: number; maxPending: number; flushMs: number; syscalls: string[] }

function validate(o: ProbeOptions): Resolved {
  if (!o || !Array.isArray(o.syscalls) || o.syscalls.length === 0) throw new ProbeOptionsError('syscalls: a non-empty list of syscall names is required');
  const unknown = o.syscalls.filter((s) => s !== PROCEXIT && !BY_NAME.has(s));
  if (unknown.length > 0) throw new ProbeOptionsError(`syscalls: not supported by the probe: ${unknown.join(', ')} (see selectSyscalls)`);
  const ringBytes = o.ringBytes ?? 8 * MiB;
  if (!Number.isInteger(ringBytes) || ringBytes < 65536 || ringBytes > 1024 * MiB || (ringBytes & (ringBytes - 1)) !== 0) {
    throw new ProbeOptionsError(`ringBytes: a power of two between 64 KiB and 1 GiB, got ${ringBytes}`);
  }
  const wakeupBytes = o.wakeupBytes ?? ringBytes / 8;
  if (!Number.isInteger(wakeupBytes) || wakeupBytes < 1 || wakeupBytes > ringBytes) throw new ProbeOptionsError(`wakeupBytes: 1 .. ringBytes, got ${wakeupBytes}`);
  const batchBytes = o.batchBytes ?? MiB;
  if (!Number.isInteger(batchBytes) || batchBytes < 65536 || batchBytes > 256 * MiB) throw new ProbeOptionsError(`batchBytes: 64 KiB .. 256 MiB, got ${batchBytes}`);
  const maxPending = o.maxPendingBatches ?? 8;
  if (!Number.isInteger(maxPending) || maxPending < 1 || maxPending > 1024) throw new ProbeOptionsError(`maxPendingBatches: 1 .. 1024, got ${maxPending}`);
  const flushMs = o.flushMs ?? 10;
  if (!Number.isInteger(flushMs) || flushMs < 1 || flushMs > 10_000) throw new ProbeOptionsError(`flushMs: 1 .. 10000, got ${flushMs}`);
  return { ringBytes, wakeupBytes, batchBytes, maxPending, flushMs, syscalls: [...new Set(o.syscalls)].sort() };
}

/** Loads and attaches the probe. Needs root (or CAP_BPF + CAP_PERFMON) and the built addon. */
export async function openProbe(options: ProbeOptions): Promise<Probe> {
  const r = validate(options);
  const log = (options.logger ?? pino({ level: 'silent' })).child({ name: 'probe' });
  const addon = loadAddon();
  // Batches arrive on later ticks (through a thread-safe function), after `probe` is assigned.
  let probe: LiveProbe | undefined;
  const onBatch = (buf: Buffer | null, count?: number, bootToEpochNs?: bigint): void => {
    if (buf === null) probe?.end();
    else probe?.push({ buf, count: count!, bootToEpochNs: bootToEpochNs! });
  };
  let native: NativeProbe;
  try {
    native = new addon.NativeProbe(
      { ...selfhood(options.excludeSelf ?? true), ringBytes: r.ringBytes, wakeupBytes: r.wakeupBytes, batchBytes: r.batchBytes,
        maxPending: r.maxPending, flushMs: r.flushMs, ...syscallConfig(r.syscalls) },
      onBatch,
    );
  } catch (cause) {
    // Loading BPF programs needs root (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN for tracefs).
    const hint = process.getuid?.() !== 0 && /not permitted|EPERM|EACCES|Permission denied/i.test((cause as Error).message) ? ' (the probe needs root: run this command as root)' : '';
    throw new ProbeUnavailableError(`opening the probe failed: ${(cause as Error).message}${hint}`, { cause });
  }
  const byTracepoint = new Map(r.syscalls.map((s) => [BY_NAME.get(s)?.tp ?? s, s]));
  const absent = new Set(native.missing().map((t) => {
    const base = t.replace(/^sys_(enter|exit)_/, '');
    return base === 'sched_process_exit' ? PROCEXIT : byTracepoint.get(base) ?? base;
  }));
  const attached = r.syscalls.filter((s) => !absent.has(s));
  if (absent.size > 0) log.warn({ missing: [...absent] }, 'tracepoints missing on this kernel; those syscalls are not recorded');
  log.info({ syscalls: attached, ringBytes: r.ringBytes }, 'probe attached');
  probe = new LiveProbe(native, attached, [...absent].sort(), log);
  return probe;
}

class LiveProbe implements Probe {
  private closing: Promise<void> | null = null;
  /** The reader delivered its last batch (after finish) or the probe was torn down. */
  private ended = false;
  private onEnd: (() => void) | undefined;
  private finalStats: ProbeStats | undefined;
  private iterating = false;
  private readonly queue: PackedBatch[] = [];
  private wake: (() => void) | undefined;

  constructor(
    private readonly native: NativeProbe,
    readonly syscalls: readonly string[],
    readonly missing: readonly string[],
    private readonly log: Logger,
  ) {}

  push(b: PackedBatch): void {
    if (this.ended) return;
    this.queue.push(b);
    this.signal();
  }

  end(): void {
    this.ended = true;
    this.onEnd?.();
    this.signal();
  }

  private signal(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  async *packedBatches(): AsyncGenerator<PackedBatch> {
    if (this.iterating) throw new ProbeError('the probe is already being iterated');
    this.iterating = true;
    try {
      for (;;) {
        const b = this.queue.shift();
        if (b) {
          // Taken by the consumer: the reader thread may fill another batch.
          if (!this.ended) this.native.ack(1);
          yield b;
          continue;
        }
        if (this.ended) return;
        await new Promise<void>((resolve) => { this.wake = resolve; });
      }
    } finally {
      this.iterating = false;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<RawRecord[]> {
    for await (const b of this.packedBatches()) yield decodeBatch(b.buf, b.count, b.bootToEpochNs);
  }

  stats(): ProbeStats {
    if (this.finalStats) return this.finalStats;
    const n = this.native.stats();
    let emitted = 0, dropped = 0, readFail = 0;
    for (const c of n.perCpu) { emitted += c.emitted; dropped += c.ringFull; readFail += c.readFail; }
    return {
      emitted, delivered: n.delivered, dropped, readFail, batches: n.batches, pendingBatches: n.pendingBatches,
      perCpu: n.perCpu, programs: n.programs,
    };
  }

  close(): Promise<void> {
    this.closing ??= this.finish();
    return this.closing;
  }

  private async finish(): Promise<void> {
    const ended = new Promise<void>((resolve) => {
      this.onEnd = resolve;
    });
    this.native.finish();
    // The reader needs one drain of at most the ring's size; the bound only guards a stuck thread.
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), FINISH_TIMEOUT_MS);
    });
    if (await Promise.race([ended.then(() => false), stuck])) {
      this.log.error({ timeoutMs: FINISH_TIMEOUT_MS }, 'the ring reader did not finish; records still in the ring are lost');
    }
    clearTimeout(timer);
    this.finalStats = this.stats();
    this.native.close();
    this.ended = true;
    this.log.info({ delivered: this.finalStats.delivered, dropped: this.finalStats.dropped }, 'probe detached');
    this.signal();
  }
}
