// Stage `decode` of the .scap source: one event block's event (layout in format.ts) -> RawRecord.
// Parameters are decoded by the kinds in event-table.ts; PPM flag encodings become Linux values.
// The decoder keeps the one piece of bookkeeping a RawRecord needs that scap does not store per
// event: the thread group id of each thread (from the process list, clone and execve).
import type { ProcessFacts, RawArg, RawRecord } from '../../raw-record.js';
import { EVENT_HEADER_V1, EVENT_HEADER_V2, LARGE_PAYLOAD_EVENTS } from './format.js';
import { EVENT_TABLE, GENERIC_E, GENERIC_X, type EventSpec } from './event-table.js';
import {
  accessModeToLinux, cloneFlagsToLinux, execveatFlagsToLinux, fcntlCmdToLinux, mmapFlagsToLinux, openFlagsToLinux,
  protToLinux, ptraceRequestToLinux, resolveFlagsToLinux, PPM_O_F_CREATED,
} from './flags.js';
import {
  readDynamic, readFdList, readSigned, readSmall, readSockAddr, readSockTuple, readString, readStrings, readTagged, readU64Big, readUnsigned,
} from './params.js';
import { syscallName } from './syscalls.js';

/** Why an event was not turned into a record; the reader counts these. */
export type SkipReason = 'unknown-type' | 'bad-lengths';

export interface DecodeContext {
  /** tid -> thread group id, seeded from the process list. */
  readonly tgid: Map<number, number>;
  /** The last skip's event type, for the reader's counters. */
  skippedType: number;
  skipReason: SkipReason | null;
}

const CLONE_THREAD = 0x10000;
/** Exits that describe a (new) process: the decoder hands their facts to the state engine. */
const PROCESS_EVENTS: ReadonlySet<string> = new Set(['execve', 'execveat', 'clone', 'clone3', 'fork', 'vfork']);
const SPAWN_EVENTS: ReadonlySet<string> = new Set(['clone', 'clone3', 'fork', 'vfork']);
const PPM_EXE_UPPER_LAYER = 1 << 1;
const PPM_EXE_FROM_MEMFD = 1 << 2;

/**
 * Decodes the event at `p` (its header), `avail` bytes of block body from there. Returns null and
 * sets ctx.skipReason when the type has no decoder or its lengths do not add up.
 */
export function decodeEvent(b: Buffer, p: number, avail: number, version: 1 | 2, cpu: number, ctx: DecodeContext): RawRecord | null {
  const header = version === 2 ? EVENT_HEADER_V2 : EVENT_HEADER_V1;
  const type = b[p + 20]! | (b[p + 21]! << 8);
  const spec = EVENT_TABLE[type];
  if (spec === undefined) return skip(ctx, type, 'unknown-type');
  const len = (b[p + 16]! | (b[p + 17]! << 8) | (b[p + 18]! << 16) | (b[p + 19]! << 24)) >>> 0;
  if (len < header || len > avail) return skip(ctx, type, 'bad-lengths');
  const end = p + len;
  const lenWidth = LARGE_PAYLOAD_EVENTS.has(type) ? 4 : 2;
  let nparams: number;
  if (version === 2) {
    nparams = (b[p + 22]! | (b[p + 23]! << 8) | (b[p + 24]! << 16) | (b[p + 25]! << 24)) >>> 0;
    if (header + nparams * lenWidth > len) return skip(ctx, type, 'bad-lengths');
  } else {
    nparams = inferParamCount(b, p + header, end, spec.params.length, lenWidth);
    if (nparams < 0) return skip(ctx, type, 'bad-lengths');
  }

  // Parameter bounds first (all validated before any value is decoded), then one builder call.
  const lens = p + header;
  let v = lens + nparams * lenWidth;
  const n = nparams < spec.params.length ? nparams : spec.params.length;
  const at = OFFSETS;
  for (let i = 0; i < n; i++) {
    const q = lens + i * lenWidth;
    const plen = lenWidth === 2 ? b[q]! | (b[q + 1]! << 8) : (b[q]! | (b[q + 1]! << 8) | (b[q + 2]! << 16) | (b[q + 3]! << 24)) >>> 0;
    const pend = v + plen;
    if (pend > end) return skip(ctx, type, 'bad-lengths');
    at[2 * i] = v;
    at[2 * i + 1] = pend;
    v = pend;
  }
  sawCreated = false;
  const args = (BUILDERS[type]?.[n] ?? argsBuilder(spec, n))(b, at, decodeParam);
  if (sawCreated) args['created'] = 1;

  const tidRaw = readSigned(b, p + 8, p + 16);
  const tid = typeof tidRaw === 'number' ? tidRaw : Number(tidRaw);
  const rec: RawRecord = {
    type: spec.name,
    dir: spec.dir,
    ts: readU64Big(b, p),
    cpu,
    tid,
    pid: ctx.tgid.get(tid) ?? tid,
    res: null,
    args,
  };

  if (type === GENERIC_E || type === GENERIC_X) {
    // Their exits carry the syscall's id, not its result: res stays unknown (null).
    const id = args['ID'];
    rec.type = syscallName(typeof id === 'number' ? id : 0);
  } else if (spec.dir === 'EXIT' && n > 0) {
    const r = args[spec.params[0]!.name];
    rec.res = typeof r === 'number' ? r : typeof r === 'bigint' ? Number(r) : null;
  }
  if (spec.dir === 'EXIT' && PROCESS_EVENTS.has(spec.name)) processFacts(rec, spec, ctx);
  return rec;
}

/** Parameter [start, end) pairs of the event being decoded (no event type has 64 parameters). */
const OFFSETS = new Float64Array(128);

type ParamDecoder = (b: Buffer, p: number, end: number, code: number) => RawArg;
type ArgsBuilder = (b: Buffer, at: Float64Array, decode: ParamDecoder) => Record<string, RawArg>;
/** Builders by PPME id, then parameter count. */
const BUILDERS: ArgsBuilder[][] = [];

/**
 * The args object of an event type with `n` parameters, built by one object literal with the
 * parameter names as constant keys. Generated once per (type, n): every record of a type then
 * shares one hidden class made in one step, where adding the keys one by one to `{}` costs a
 * megamorphic keyed store per parameter (about half of the decode time). The source is made only
 * from the event table's parameter names (JSON-quoted) and kind codes.
 */
function argsBuilder(spec: EventSpec, n: number): ArgsBuilder {
  let list = BUILDERS[spec.id];
  if (list === undefined) BUILDERS[spec.id] = list = [];
  let fn = list[n];
  if (fn === undefined) {
    const fields = spec.params.slice(0, n).map((ps, i) => `${JSON.stringify(ps.name)}: d(b, at[${2 * i}], at[${2 * i + 1}], ${ps.code})`);
    fn = new Function('b', 'at', 'd', `return { ${fields.join(', ')} };`) as ArgsBuilder;
    list[n] = fn;
  }
  return fn;
}

function skip(ctx: DecodeContext, type: number, reason: SkipReason): null {
  ctx.skippedType = type;
  ctx.skipReason = reason;
  return null;
}

/**
 * v1 events do not store their parameter count: it is the largest count, up to what the event
 * table knows, whose lengths add up exactly to the event length (libscap does the same). -1 when
 * none does.
 */
function inferParamCount(b: Buffer, lens: number, end: number, max: number, width: number): number {
  for (let n = max; n >= 0; n--) {
    let v = lens + n * width;
    if (v > end) continue;
    for (let i = 0; i < n; i++) {
      const q = lens + i * width;
      v += width === 2 ? b[q]! | (b[q + 1]! << 8) : b.readUInt32LE(q);
    }
    if (v === end) return n;
    if (v < end) return -1;
  }
  return -1;
}

// Codes of PARAM_KINDS (event-table.ts), spelled out for the switch below.
const I64 = 0, U64 = 1, BIG = 2, U32 = 3, I32 = 4, U16 = 5, U8 = 6, STR = 7, STRS = 8, BYTES = 9, ADDR = 10,
  TUPLE = 11, FDLIST = 12, SCID = 13, DYN = 14, OFLAGS = 15, CLONE = 16, ACCESS = 17, PROT = 18, MMAP = 19, FCNTL = 20,
  PTRACE = 21, PDYN = 22, BDYN = 23, RESOLVE = 24, EXVAT = 25;

/** Set by an `oflags` parameter holding PPM_O_F_CREATED; the decoder turns it into `created: 1`. */
let sawCreated = false;

function decodeParam(b: Buffer, p: number, end: number, code: number): RawArg {
  switch (code) {
    case I64:
    case I32:
      return readSigned(b, p, end);
    case U64:
    case U32:
    case U16:
    case U8:
    case SCID:
      return readUnsigned(b, p, end);
    case BIG:
      return end - p === 8 ? b.readBigUInt64LE(p) : BigInt(readSmall(b, p, end));
    case STR:
      return readString(b, p, end);
    case STRS:
      return readStrings(b, p, end);
    case BYTES:
      return b.subarray(p, end);
    case ADDR:
      return readSockAddr(b, p, end);
    case TUPLE:
      return readSockTuple(b, p, end);
    case FDLIST:
      return readFdList(b, p, end);
    case DYN:
      return readDynamic(b, p, end);
    case OFLAGS: {
      const ppm = readSmall(b, p, end);
      // The only PPM open bit without a Linux counterpart that rules care about.
      if ((ppm & PPM_O_F_CREATED) !== 0) sawCreated = true;
      return openFlagsToLinux(ppm);
    }
    case CLONE:
      return cloneFlagsToLinux(readSmall(b, p, end));
    case ACCESS:
      return accessModeToLinux(readSmall(b, p, end));
    case PROT:
      return protToLinux(readSmall(b, p, end));
    case MMAP:
      return mmapFlagsToLinux(readSmall(b, p, end));
    case FCNTL:
      return fcntlCmdToLinux(readSmall(b, p, end));
    case PTRACE:
      return ptraceRequestToLinux(readSmall(b, p, end));
    case PDYN:
      return readTagged(b, p, end, false);
    case BDYN:
      return readTagged(b, p, end, true);
    case RESOLVE:
      return resolveFlagsToLinux(readSmall(b, p, end));
    case EXVAT:
      return execveatFlagsToLinux(readSmall(b, p, end));
    default:
      throw new Error(`unknown parameter kind code ${code}`);
  }
}

function num(v: RawArg | undefined): number | undefined {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined;
}

function str(v: RawArg | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** execve/clone exits describe the (new) process: hand the state engine its facts. */
function processFacts(rec: RawRecord, spec: EventSpec, ctx: DecodeContext): void {
  const a = rec.args;
  const tid = num(a['tid']);
  const pid = num(a['pid']);
  const ptid = num(a['ptid']);
  const spawn = SPAWN_EVENTS.has(spec.name);
  const isCloneParent = spawn && rec.res !== null && rec.res > 0;
  if (!isCloneParent && tid !== undefined && pid !== undefined) {
    ctx.tgid.set(tid, pid);
    rec.pid = pid;
  }
  if (isCloneParent && rec.res !== null) {
    const flags = num(a['flags']) ?? 0;
    // The child's tgid, known before its own clone exit arrives.
    if (!ctx.tgid.has(rec.res)) ctx.tgid.set(rec.res, (flags & CLONE_THREAD) !== 0 ? rec.pid : rec.res);
    return;
  }
  if (rec.res !== null && rec.res < 0) return;
  const facts: ProcessFacts = {};
  if (ptid !== undefined) facts.ppid = ctx.tgid.get(ptid) ?? ptid;
  const vpid = num(a['vpid']);
  if (vpid !== undefined && vpid > 0) facts.vpid = vpid;
  const uid = num(a['uid']);
  if (uid !== undefined) facts.uid = uid;
  const gid = num(a['gid']);
  if (gid !== undefined) facts.gid = gid;
  const comm = str(a['comm']);
  if (comm !== undefined) facts.comm = comm;
  const exe = str(a['exe']);
  const args = a['args'];
  if (exe !== undefined) facts.argv = [exe, ...(Array.isArray(args) ? args : [])];
  const exepath = str(a['trusted_exepath']);
  if (exepath !== undefined && exepath !== '') facts.exepath = exepath;
  const cwd = str(a['cwd']);
  if (cwd !== undefined) facts.cwd = cwd;
  const cgroups = a['cgroups'];
  if (Array.isArray(cgroups)) facts.cgroup = cgroups.join('\n');
  const tty = num(a['tty']);
  if (tty !== undefined) facts.tty = tty;
  const loginuid = num(a['loginuid']);
  if (loginuid !== undefined) facts.loginuid = loginuid === 0xffffffff ? -1 : loginuid; // i32 in the table; u32 in newer drivers
  const cap = num(a['cap_effective']);
  if (cap !== undefined) facts.capEffective = cap;
  if (spawn) facts.startTs = rec.ts;
  const exeFlags = spawn ? undefined : num(a['flags']);
  if (exeFlags !== undefined) {
    facts.exeUpperLayer = (exeFlags & PPM_EXE_UPPER_LAYER) !== 0;
    facts.exeFromMemfd = (exeFlags & PPM_EXE_FROM_MEMFD) !== 0;
  }
  rec.facts = facts;
}
