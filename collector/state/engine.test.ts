import { describe, expect, it } from 'vitest';
import { shortLivedChildren } from '../../bench/collector-workload.js';
import { createPipeline } from '../pipeline.js';
import { CollectorConfigError } from '../errors.js';
import { StateEngine } from './engine.js';

describe('state engine', () => {
  it('gives a process nothing describes the unknown uid and gid, not root', () => {
    const p = createPipeline({ host: { id: 'h', name: 'h' } });
    p.state.seedUser(0, 'root');
    const e = p.enrich({ type: 'openat', dir: 'EXIT', ts: 1n, cpu: 0, tid: 4242, pid: 4242, res: 3, args: { name: '/etc/shadow', flags: 0 } });
    expect(e.proc).toMatchObject({ pid: 4242, uid: 4294967295, gid: 4294967295, user: null });
    // What the record itself says wins.
    const f = p.enrich({ type: 'openat', dir: 'EXIT', ts: 2n, cpu: 0, tid: 4343, pid: 4343, res: 3, args: { name: '/tmp/x', flags: 0 }, facts: { uid: 0, gid: 0 } });
    expect(f.proc).toMatchObject({ uid: 0, user: 'root' });
  });

  it('stays bounded through a million short-lived processes, some of whose exits are lost', () => {
    const maxThreads = 4096;
    const p = createPipeline({ host: { id: 'h', name: 'h' }, stateOptions: { maxThreads } });
    p.state.seedProcess({ pid: 1, ppid: 0, comm: 'systemd', exepath: '/usr/lib/systemd/systemd' });
    p.state.seedProcess({ pid: 50, ppid: 1, comm: 'make', exepath: '/usr/bin/make' });
    let maxSeen = 0;
    let n = 0;
    let lastChildEvent = null as ReturnType<typeof p.enrich> | null;
    for (const rec of shortLivedChildren(1_000_000, { parent: 50, pidBase: 100_000, loseExitEvery: 100 })) {
      const e = p.enrich(rec);
      if (rec.type === 'openat') lastChildEvent = e;
      if (++n % 50_000 === 0) maxSeen = Math.max(maxSeen, p.state.threads.size);
    }
    const sizes = p.state.sizes();
    // 10,000 exits were lost; only the cap reclaims those.
    expect(p.state.counters.evictedThreads).toBeGreaterThanOrEqual(10_000 - maxThreads);
    expect(maxSeen).toBeLessThanOrEqual(maxThreads + 1);
    expect(sizes.threads).toBeLessThanOrEqual(maxThreads + 1);
    expect(sizes.processes).toBeLessThanOrEqual(maxThreads + 1);
    expect(sizes.fds).toBeLessThanOrEqual(2 * (maxThreads + 1));
    // The busy parent is never the one evicted, and children still see it as their parent.
    expect(p.state.processes.has(50)).toBe(true);
    expect(lastChildEvent!.ancestors.map((a) => a.name)).toEqual(['make', 'systemd']);
    expect(lastChildEvent!.fd).toMatchObject({ num: 3, name: '/tmp/f999' });
    expect(p.state.counters.records).toBe(6_000_000 - 10_000);
  }, 120_000);

  it('caps a process fd table', () => {
    const s = new StateEngine({ maxFdsPerProcess: 10 });
    s.seedProcess({ pid: 7 });
    for (let fd = 0; fd < 25; fd++) s.apply({ type: 'openat', dir: 'EXIT', ts: 1n, cpu: 0, tid: 7, pid: 7, res: fd, args: { dirfd: -100, name: `/f${fd}`, flags: 0 } });
    expect(s.sizes().fds).toBe(10);
    expect(s.counters.evictedFds).toBe(15);
    expect(s.lookupFd(s.threads.get(7)!, 24)?.name).toBe('/f24');
  });

  it('resolves a thread it has not seen through the resolver, and rejects bad options', () => {
    const s = new StateEngine({ resolveMissing: (pid) => ({ pid, ppid: 1, comm: 'late', exepath: '/bin/late', cwd: '/srv' }) });
    const th = s.apply({ type: 'read', dir: 'EXIT', ts: 1n, cpu: 0, tid: 9, pid: 9, res: 0, args: { fd: 0 } });
    expect(s.procView(th)).toMatchObject({ pid: 9, ppid: 1, name: 'late', exepath: '/bin/late', cwd: '/srv/' });
    expect(s.counters.missingThreads).toBe(1);
    // Its unknown parents were resolved along with it.
    const chain = new StateEngine({
      resolveMissing: (pid) => (pid === 30 ? { pid: 30, ppid: 20, comm: 'child' } : pid === 20 ? { pid: 20, ppid: 1, comm: 'parent' } : pid === 1 ? { pid: 1, ppid: 0, comm: 'init' } : null),
    });
    const t = chain.apply({ type: 'read', dir: 'EXIT', ts: 1n, cpu: 0, tid: 30, pid: 30, res: 0, args: {} });
    expect(chain.ancestors(t.proc).map((a) => a.name)).toEqual(['parent', 'init']);
    expect(() => new StateEngine({ maxThreads: 0 })).toThrow(CollectorConfigError);
    expect(() => s.seedFd(12345, { num: 1, typeChar: 'f' })).toThrow(/not seeded/);
  });
});
