// Loads the saker_probe addon (built by probe/build.sh) and turns validated options and the
// syscall table into the configuration it takes (struct saker_sc_conf per syscall, see
// bpf/record.h). The addon's JavaScript surface is typed here, next to the code that calls it.
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ProbeUnavailableError } from './errors.js';
import { BLOB, BY_NAME, PROCEXIT, SPECIAL, TUPLE, type SyscallSpec } from './syscalls.js';

export interface NativeCpuStats { cpu: number; emitted: number; ringFull: number; readFail: number; tooBig: number }
export interface ProgramStats { name: string; id: number; runs: number; runNs: number }
export interface NativeStats { perCpu: NativeCpuStats[]; programs: ProgramStats[]; delivered: number; batches: number; pendingBatches: number }

export interface NativeConf { nr: number; special: number; tuple: number; blobKinds: number[]; blobArgs: number[] }

export interface NativeOptions {
  selfTgid: number;
  selfNsDev: bigint;
  selfNsIno: bigint;
  selfNsPid: number;
  ringBytes: number;
  wakeupBytes: number;
  batchBytes: number;
  maxPending: number;
  flushMs: number;
  conf: NativeConf[];
  exitTracepoints: string[];
  enterTracepoints: string[];
  procExit: boolean;
}

/** A batch, or `null` once after finish(): every record has been delivered. */
export type OnBatch = (buf: Buffer | null, count?: number, bootToEpochNs?: bigint) => void;

export interface NativeProbe {
  stats(): NativeStats;
  ack(n: number): void;
  /** Detaches the programs; the reader delivers what is left in the ring, then onBatch(null). */
  finish(): void;
  close(): void;
  /** Tracepoint names (sys_exit_x, sys_enter_x, sched_process_exit) this kernel does not have. */
  missing(): string[];
}

interface Addon {
  NativeProbe: new (options: NativeOptions, onBatch: OnBatch) => NativeProbe;
  bootToEpochNs(): bigint;
}

const ADDON_CANDIDATES = [
  '../probe/build/Release/saker_probe.node', // from probe/ (sources, vitest)
  '../../probe/build/Release/saker_probe.node', // from dist/probe/
];

let addon: Addon | undefined;

export function loadAddon(): Addon {
  if (addon) return addon;
  const here = new URL('.', import.meta.url);
  const path = ADDON_CANDIDATES.map((c) => fileURLToPath(new URL(c, here))).find((p) => existsSync(p));
  if (!path) {
    throw new ProbeUnavailableError(
      'the probe addon is not built: run `npm run build:probe` (needs clang, libbpf-dev, bpftool and /sys/kernel/btf/vmlinux; scripts/setup-debian installs them)',
    );
  }
  try {
    addon = createRequire(import.meta.url)(path) as Addon;
  } catch (cause) {
    throw new ProbeUnavailableError(`loading the probe addon ${path} failed: ${(cause as Error).message}`, { cause });
  }
  return addon;
}

function confFor(spec: SyscallSpec): NativeConf {
  const blobKinds: number[] = [];
  const blobArgs: number[] = [];
  if (spec.special === 'exec') {
    // No blobs at exit (the pointers are stale after a successful exec); blob_arg[0] tells the
    // enter program which argument is the filename.
    blobKinds.push(BLOB.NONE);
    blobArgs.push(spec.args.find((a) => a.name === spec.filenameArg)?.index ?? 0);
  } else {
    for (const a of spec.args) {
      const kind = a.kind === 'str' ? BLOB.STR : a.kind === 'sockaddr' ? BLOB.SOCKADDR : a.kind === 'msghdr' ? BLOB.MSGHDR
        : a.kind === 'fdpair' ? BLOB.FDPAIR : BLOB.NONE;
      if (kind === BLOB.NONE) continue;
      blobKinds.push(kind);
      blobArgs.push(a.index);
    }
  }
  if (blobKinds.length > 4) throw new Error(`syscall table: ${spec.name} has more than 4 blobs`);
  return {
    nr: spec.nr,
    special: SPECIAL[spec.special ?? 'none'],
    tuple: TUPLE[spec.tuple ?? 'none'],
    blobKinds,
    blobArgs,
  };
}

export interface Selfhood { selfTgid: number; selfNsDev: bigint; selfNsIno: bigint; selfNsPid: number }

const INIT_PID_NS_INO = 0xeffffffcn;

/** How the kernel recognises this process: its tgid when in the initial pid namespace, else ns + pid. */
export function selfhood(exclude: boolean): Selfhood {
  if (!exclude) return { selfTgid: 0, selfNsDev: 0n, selfNsIno: 0n, selfNsPid: 0 };
  const st = statSync('/proc/self/ns/pid', { bigint: true });
  if (st.ino === INIT_PID_NS_INO) return { selfTgid: process.pid, selfNsDev: 0n, selfNsIno: 0n, selfNsPid: 0 };
  return { selfTgid: 0, selfNsDev: st.dev, selfNsIno: st.ino, selfNsPid: process.pid };
}

export function syscallConfig(syscalls: readonly string[]): Pick<NativeOptions, 'conf' | 'exitTracepoints' | 'enterTracepoints' | 'procExit'> {
  const conf: NativeConf[] = [];
  const exitTracepoints: string[] = [];
  const enterTracepoints: string[] = [];
  let procExit = false;
  for (const name of syscalls) {
    if (name === PROCEXIT) { procExit = true; continue; }
    const spec = BY_NAME.get(name);
    if (!spec) continue; // validated by the caller
    conf.push(confFor(spec));
    exitTracepoints.push(`sys_exit_${spec.tp ?? name}`);
    if (spec.special === 'exec') enterTracepoints.push(`sys_enter_${spec.tp ?? name}`);
  }
  return { conf, exitTracepoints, enterTracepoints, procExit };
}
