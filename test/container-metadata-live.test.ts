// Container metadata on the real kernel (root): a shell moves itself into a cgroup laid out like
// Docker's (cgroup v2 `docker-<id>.scope`), the probe reports that cgroup, the collector asks a
// runtime socket about the id, and the container's later events carry name, image, privileged
// and mounts; a program started as pid 1 of a new pid namespace there (a container start) then
// fires the default container rules. No engine runs here: a real HTTP server on a unix socket
// answers the Engine API (collector/containers/fake-engine.test-helper.ts).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRuleFiles } from '../cli/paths.js';
import { openContainerMetadata, type ContainerMetadata } from '../collector/containers/metadata.js';
import { startFakeEngine, type FakeEngine } from '../collector/containers/fake-engine.test-helper.js';
import { runCollector, type CollectorStats } from '../collector/service.js';
import { bootstrapState } from '../collector/sources/bootstrap.js';
import { readSystemFiles } from '../collector/sources/system-files.js';
import { openProbe, selectSyscalls, type Probe } from '../probe/index.js';
import { requireRoot, sleep } from '../probe/test-support.js';
import { createEngine } from '../rules/index.js';
import type { Event } from '../schemas/types.generated.js';

const TYPES = ['execve', 'openat', 'procexit'];
const ID = randomBytes(32).toString('hex');

describe('live: container metadata from a runtime socket', () => {
  let probe: Probe;
  let done: Promise<CollectorStats>;
  let engine: FakeEngine;
  let meta: ContainerMetadata;
  let cgroupDir: string;
  const events: Event[] = [];

  beforeAll(async () => {
    requireRoot();
    const v2 = readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')).find((m) => m[2] === 'cgroup2')?.[1];
    if (v2 === undefined) throw new Error('no cgroup2 mount in /proc/mounts: cannot lay out a container cgroup');
    cgroupDir = join(v2, `docker-${ID}.scope`);
    mkdirSync(cgroupDir);
    engine = await startFakeEngine({
      [ID]: { kind: 'inspect', name: 'live-runner', image: 'gitlab/gitlab-runner:v17.0.0', privileged: true, mounts: [
        { Type: 'bind', Source: '/var/run/docker.sock', Destination: '/var/run/docker.sock', Mode: '', RW: true, Propagation: 'rprivate' },
      ] },
    });
    const sys = readSystemFiles();
    const { state } = bootstrapState({ users: sys.users, groups: sys.groups });
    probe = await openProbe({ syscalls: selectSyscalls(TYPES).syscalls, flushMs: 5 });
    meta = await openContainerMetadata({ sockets: [engine.socket] });
    meta.attach(state);
    done = runCollector({
      source: probe, host: sys.host, state, eventTypes: new Set(TYPES),
      onEvents: (batch) => { for (const e of batch) if (e.container.id === ID.slice(0, 12)) events.push(e); },
    });
  });

  afterAll(async () => {
    await probe?.close();
    await done;
    meta?.close();
    await engine?.close();
    for (let i = 0; cgroupDir && i < 50; i++) {
      try {
        rmdirSync(cgroupDir);
        break;
      } catch {
        await sleep(100); // its last processes are still exiting
      }
    }
  });

  it('later events of the container carry its metadata; its pid-1 start fires the container rules', async () => {
    const script = [
      `echo $$ > ${cgroupDir}/cgroup.procs`,
      'cat /etc/hostname >/dev/null', // the container's first events: the lookup starts here
      'sleep 1',
      'cat /etc/hostname >/dev/null',
      'unshare --pid --fork /bin/sh -c "cat /etc/hostname >/dev/null"',
    ].join(' && ');
    const shell = await new Promise<number>((resolve, reject) => {
      const c = spawn('/bin/sh', ['-c', script], { stdio: 'ignore' });
      c.on('error', reject);
      c.on('exit', (code) => (code === 0 ? resolve(c.pid!) : reject(new Error(`sh exited ${code}`))));
    });
    const deadline = Date.now() + 30_000;
    const isPid1Start = (e: Event): boolean => e.type === 'execve' && e.res === 0 && e.proc.vpid === 1;
    const catsNow = (): Event[] => events.filter((e) => e.type === 'openat' && e.fd?.name === '/etc/hostname' && e.proc.name === 'cat');
    // The shell has exited: wait for the collector to deliver its last records.
    while ((!events.some(isPid1Start) || catsNow().length < 3) && Date.now() < deadline) await sleep(25);
    const cats = catsNow();
    expect(cats.length, `events of container ${ID.slice(0, 12)} from shell ${shell}`).toBeGreaterThanOrEqual(3);
    const want = {
      id: ID.slice(0, 12), name: 'live-runner', image: 'gitlab/gitlab-runner:v17.0.0', privileged: true,
      mounts: [{ source: '/var/run/docker.sock', dest: '/var/run/docker.sock', mode: '', rdwr: true, propagation: 'rprivate' }],
    };
    expect(cats[1]!.container).toEqual(want);
    expect(cats[2]!.container).toEqual(want);
    expect(meta.stats()).toMatchObject({ lookups: 1, found: 1 });

    const start = events.find(isPid1Start);
    expect(start, 'an exec as pid 1 of the new pid namespace').toBeDefined();
    const fired = createEngine({ files: defaultRuleFiles(), match: 'all' }).judge(start!).map((a) => a.rule);
    expect(fired).toContain('Privileged container started');
    expect(fired).toContain('Container with a sensitive mount started');
  });
});
