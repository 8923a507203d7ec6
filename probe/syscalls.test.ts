// The syscall table against the system's <sys/syscall.h>, and the event-type mapping.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { syscallConfig } from './native.js';
import { selectSyscalls, STATE_SYSCALLS, SYSCALLS, tracepointsFor } from './syscalls.js';

describe('syscall table', () => {
  test('numbers match <sys/syscall.h> (x86_64)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'saker-nr-'));
    try {
      const src = '#include <stdio.h>\n#include <sys/syscall.h>\nint main(void) {\n' +
        SYSCALLS.map((s) => `  printf("%s %d\\n", "${s.name}", SYS_${s.name});\n`).join('') + '  return 0;\n}\n';
      writeFileSync(join(dir, 'nr.c'), src);
      execFileSync('cc', ['-o', join(dir, 'nr'), join(dir, 'nr.c')]);
      const fromHeader = execFileSync(join(dir, 'nr'), { encoding: 'utf8' }).trim().split('\n');
      expect(fromHeader).toEqual(SYSCALLS.map((s) => `${s.name} ${s.nr}`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('names and numbers are unique, arguments fit the record, blobs fit the config', () => {
    expect(new Set(SYSCALLS.map((s) => s.name)).size).toBe(SYSCALLS.length);
    expect(new Set(SYSCALLS.map((s) => s.nr)).size).toBe(SYSCALLS.length);
    for (const s of SYSCALLS) {
      expect(s.nr).toBeLessThan(512);
      for (const a of s.args) expect(a.index).toBeLessThan(6);
    }
    const { conf } = syscallConfig(SYSCALLS.map((s) => s.name));
    for (const c of conf) expect(c.blobKinds.length).toBeLessThanOrEqual(4);
    expect(conf.find((c) => c.nr === 316)).toEqual({ nr: 316, special: 0, tuple: 0, blobKinds: [1, 1], blobArgs: [1, 3] });
    expect(conf.find((c) => c.nr === 59)).toEqual({ nr: 59, special: 1, tuple: 0, blobKinds: [0], blobArgs: [0] });
  });
});

describe('selectSyscalls', () => {
  test('maps event types, adds the state set, lists what it cannot produce', () => {
    const sel = selectSyscalls(new Set(['openat', 'ptrace', 'container', 'k8s']));
    expect(sel.unsupported).toEqual(['container', 'k8s']);
    expect(sel.syscalls).toContain('ptrace');
    for (const s of STATE_SYSCALLS) expect(sel.syscalls).toContain(s);
    expect(selectSyscalls(['ptrace'], { state: false })).toEqual({ syscalls: ['ptrace'], unsupported: [] });
    const all = selectSyscalls('all', { state: false }).syscalls;
    expect(all).toHaveLength(SYSCALLS.length + 1);
    expect(all).toContain('procexit');
  });

  test('tracepoints: exec has enter and exit, umount2 is the kernel\'s umount, procexit is sched', () => {
    expect(tracepointsFor(['execve', 'umount2', 'procexit'])).toEqual([
      'syscalls/sys_enter_execve', 'syscalls/sys_exit_execve', 'syscalls/sys_exit_umount', 'sched/sched_process_exit',
    ]);
    expect(() => tracepointsFor(['nosuch'])).toThrow(/unknown syscall nosuch/);
  });
});
