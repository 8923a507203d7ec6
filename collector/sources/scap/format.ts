// The .scap capture format (Falco / sysdig / libscap), as read by Saker.
//
// A capture is a gzip stream or plain bytes holding pcapng-style blocks, all little-endian:
//
//   block      = type:u32  total_length:u32  body[total_length - 12]  total_length:u32
//                (total_length counts the 8-byte header and the 4-byte trailer; bodies are
//                 padded to 4 bytes)
//
//   SHB 0x0A0D0D0A  section header: magic:u32 = 0x1A2B3C4D, major:u16 (1), minor:u16,
//                   section_length:u64, then pcapng options up to the trailer (skipped)
//   MI  0x201 (0x8002ABCD)  machine info: num_cpus:u32 memory_size:u64 max_pid:u64
//                   hostname:char[128] boot_ts:u64 flags:u64 reserved:u64 reserved:u64
//   PL  process list, one entry per thread until fewer than 4 bytes remain:
//       V9  0x215              len:u32 (entry length, counting this field)
//       all tid:u64 pid:u64 ptid:u64
//       V6+ 0x212..0x215       sid:u64
//       V8+ 0x214,0x215        vpgid:u64
//       all comm:str16 exe:str16
//       V7+ 0x213..0x215       exepath:str16
//       all args:str16 cwd:str16 fdlimit:u64 flags:u32 uid:u32 gid:u32
//       V2+ 0x207.. (0x8013ABCD) vmsize_kb:u32 vmrss_kb:u32 vmswap_kb:u32 pfmajor:u64 pfminor:u64
//       V3+ 0x209.. (0x8014ABCD) env:str16
//       V4+ 0x210..            vtid:i64 vpid:i64 cgroups:str16
//       V5+ 0x211..            root:str16
//       V9 only, each present while the entry's len allows: [pidns_init_start_ts:u64 tty:u32
//         — only when more than 29 bytes remain, libs >= 0.10 wrote them here] loginuid:u32
//         exe_writable:u8 cap_inheritable:u64 cap_permitted:u64 cap_effective:u64
//         exe_upper_layer:u8 exe_ino:u64 exe_ino_ctime:u64 exe_ino_mtime:u64 exe_from_memfd:u8
//         exe_lower_layer:u8 pgid:i64; unknown trailing bytes are skipped
//       (V1 0x202 / 0x8000ABCD has none of the optional groups)
//   FDL 0x203 (0x8001ABCD), V2 0x218: tid:u64, then entries until fewer than 4 bytes remain:
//       [V2: len:u32, counting itself] fd:i64 ino:u64 type:u8 info (by type):
//         3 ipv4 sock:    sip:u32 dip:u32 sport:u16 dport:u16 l4proto:u8
//         4 ipv6 sock:    sip:16 dip:16 sport:u16 dport:u16 l4proto:u8
//         5 ipv4 server:  ip:u32 port:u16 l4proto:u8
//         6 ipv6 server:  ip:16 port:u16 l4proto:u8
//         8 unix sock:    source:u64 dest:u64 path:str16
//         16 file v2:     open_flags:u32 (PPM_O_*) name:str16 [dev:u32 if len allows]
//         1,2,7,9..15,17..21 (file, dir, fifo, event, ...): name:str16
//   IL  0x205 (0x8011ABCD), V2 0x219: entries until fewer than 4 bytes remain:
//       [V2: len:u32, entry = len + 4 bytes] type:u16 namelen:u16, then by type
//         1 ipv4: addr:u32 netmask:u32 bcast:u32 linkspeed:u64 name[namelen]
//         2 ipv6: addr:16 netmask:16 bcast:16 linkspeed:u64 name[namelen]
//         3 ipv4, no linkspeed / 4 ipv6, no linkspeed: as above without linkspeed
//   UL  0x206 (0x8012ABCD), V2 0x220: entries until fewer than 4 bytes remain:
//       [V2: len:u32, counting itself] type:u8, user (0): uid:u32 gid:u32 name:str16 home:str16 shell:str16
//                              group (1): gid:u32 name:str16
//   EV  0x204 (0x8010ABCD) v1 event:       cpu:u16 event_v1
//   EV  0x216 v2 event, 0x221 v2 large:    cpu:u16 event_v2
//   EVF 0x208 v1 / 0x217 v2 / 0x222 v2 large, with flags: cpu:u16 flags:u32 event
//       event_v1 = ts:u64 tid:u64 len:u32 type:u16 lens:u16[n] params   (22-byte header; n is
//                  not stored: it is the count whose lengths add up exactly to len)
//       event_v2 = ts:u64 tid:u64 len:u32 type:u16 nparams:u32 lens[nparams] params (26-byte
//                  header); lens are u16, or u32 for the large-payload event types
//                  (pluginevent 322, container_json_2 324, asyncevent 402)
//       len counts the event header, lens and params.
//   str16 = length:u16 bytes[length] (not NUL-terminated)
//   Any other block type is skipped and counted.

export const SHB_BLOCK = 0x0a0d0d0a;
export const SHB_MAGIC = 0x1a2b3c4d;
export const SHB_MAJOR = 1;

export const MI_BLOCK = [0x201, 0x8002abcd] as const;
export const PL_V1 = [0x202, 0x8000abcd] as const;
export const PL_V2 = [0x207, 0x8013abcd] as const;
export const PL_V3 = [0x209, 0x8014abcd] as const;
export const PL_V4 = 0x210;
export const PL_V5 = 0x211;
export const PL_V6 = 0x212;
export const PL_V7 = 0x213;
export const PL_V8 = 0x214;
export const PL_V9 = 0x215;
export const FDL_V1 = [0x203, 0x8001abcd] as const;
export const FDL_V2 = 0x218;
export const IL_V1 = [0x205, 0x8011abcd] as const;
export const IL_V2 = 0x219;
export const UL_V1 = [0x206, 0x8012abcd] as const;
export const UL_V2 = 0x220;

/** How an event block lays out its body. */
export interface EventBlockKind {
  /** 2: the event header carries nparams. 1: it must be inferred from the lengths. */
  version: 1 | 2;
  /** A u32 of flags follows the cpu id. */
  hasFlags: boolean;
  /** The block may exceed 64 KiB. Parameter length width depends on the event type, not this. */
  large: boolean;
}

export const EVENT_BLOCKS: ReadonlyMap<number, EventBlockKind> = new Map([
  [0x204, { version: 1, hasFlags: false, large: false }],
  [0x8010abcd, { version: 1, hasFlags: false, large: false }],
  [0x216, { version: 2, hasFlags: false, large: false }],
  [0x221, { version: 2, hasFlags: false, large: true }],
  [0x208, { version: 1, hasFlags: true, large: false }],
  [0x217, { version: 2, hasFlags: true, large: false }],
  [0x222, { version: 2, hasFlags: true, large: true }],
]);

/** Event types whose parameter lengths are u32 (EF_LARGE_PAYLOAD). */
export const LARGE_PAYLOAD_EVENTS: ReadonlySet<number> = new Set([322, 324, 402]);

export const EVENT_HEADER_V1 = 22;
export const EVENT_HEADER_V2 = 26;

/** Block type -> process-list version (1..9), for every id a PL block has had. */
export const PL_VERSIONS: ReadonlyMap<number, number> = new Map([
  [PL_V1[0], 1], [PL_V1[1], 1], [PL_V2[0], 2], [PL_V2[1], 2], [PL_V3[0], 3], [PL_V3[1], 3],
  [PL_V4, 4], [PL_V5, 5], [PL_V6, 6], [PL_V7, 7], [PL_V8, 8], [PL_V9, 9],
]);

export function isOneOf(type: number, ids: readonly number[]): boolean {
  return ids.includes(type);
}
