// Container metadata from a runtime socket, through the real state engine and enrichment: a
// real HTTP server on a unix socket answers the Docker Engine API (no engine runs here).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRuleFiles } from '../../cli/paths.js';
import { createEngine } from '../../rules/index.js';
import type { Event } from '../../schemas/types.generated.js';
import { createPipeline, type Pipeline } from '../pipeline.js';
import type { RawRecord } from '../raw-record.js';
import { openContainerMetadata, type ContainerMetadataOptions } from './metadata.js';
import { startFakeEngine, type FakeEngine } from './fake-engine.test-helper.js';

const T0 = 1_760_000_000_000_000_000n;
const WEB = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
const PRIV = 'b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1';
const SOCKMOUNT = 'c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2';
const SLOW = 'd4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3';
const BROKEN = 'e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4';
const GONE = 'f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5';
const GONE_LATER = '7f8e9d0c1b2a3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e';
const EXTRA = ['0718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6',
  '18293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f607', '293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718'];
const inspectPath = (id: string): string => `/v1.41/containers/${id.slice(0, 12)}/json`;

let engine: FakeEngine;

beforeAll(async () => {
  const plain = { kind: 'inspect' as const, privileged: false, mounts: [] };
  engine = await startFakeEngine({
    [WEB]: { kind: 'inspect', name: 'web', image: 'nginx:1.25', privileged: false, mounts: [
      { Type: 'volume', Name: 'webdata', Source: '/var/lib/docker/volumes/webdata/_data', Destination: '/usr/share/nginx/html', Driver: 'local', Mode: 'z', RW: true, Propagation: '' },
      { Type: 'bind', Source: '/srv/web/static', Destination: '/usr/share/nginx/static', Mode: 'ro', RW: false, Propagation: 'rprivate' },
    ] },
    [PRIV]: { kind: 'inspect', name: 'debug-shell', image: 'ubuntu:24.04', privileged: true, mounts: [] },
    [SOCKMOUNT]: { kind: 'inspect', name: 'ci-runner', image: 'gitlab/gitlab-runner:v17.0.0', privileged: false, mounts: [
      { Type: 'bind', Source: '/var/run/docker.sock', Destination: '/var/run/docker.sock', Mode: '', RW: true, Propagation: 'rprivate' },
    ] },
    [SLOW]: { kind: 'slow', ms: 1500 },
    [BROKEN]: { kind: 'malformed' },
    ...Object.fromEntries(EXTRA.map((id, i) => [id, { ...plain, name: `extra-${i}`, image: 'busybox:1.36' }])),
  });
});

afterAll(async () => {
  await engine?.close();
});

function logSink(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({ write(chunk: Buffer, _enc, cb) { for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l)); cb(); } });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

interface Host { p: Pipeline; pid: number; run: (r: Partial<RawRecord> & Pick<RawRecord, 'type'>) => Event }

/** A pipeline with one process in container `id` (docker cgroup v2 layout). */
function hostWith(id: string, opts: { vpid?: number } = {}): Host {
  const p = createPipeline({ host: { id: 'h', name: 'h' } });
  p.state.seedUser(0, 'root');
  p.state.seedProcess({ pid: 1, ppid: 0, comm: 'systemd', exepath: '/usr/lib/systemd/systemd', startTs: T0 - 1000n });
  p.state.seedProcess({ pid: 900, ppid: 1, comm: 'containerd-shim', exepath: '/usr/bin/containerd-shim-runc-v2', startTs: T0 - 900n });
  const pid = 1000;
  p.state.seedProcess({
    pid, ppid: 900, vpid: opts.vpid ?? 7, comm: 'sh', exepath: '/bin/sh', startTs: T0 - 500n,
    cgroup: `0::/system.slice/docker-${id}.scope`,
  });
  let ts = T0;
  const run: Host['run'] = (r) => {
    ts += 10n;
    return p.enrich({ dir: 'EXIT', ts, cpu: 0, tid: pid, pid, res: 0, args: {}, ...r });
  };
  return { p, pid, run };
}

const openRec = { type: 'openat', res: 3, args: { fd: 3, dirfd: -100, name: '/etc/hostname', flags: 0, mode: 0 } } as const;

async function open(options: ContainerMetadataOptions) {
  const { logger, lines } = logSink();
  const meta = await openContainerMetadata({ logger, ...options });
  return { meta, lines };
}

describe('container metadata from a runtime socket', () => {
  it('fills name, image, privileged and mounts after the first event; one lookup for many events', async () => {
    const { meta } = await open({ sockets: [engine.socket] });
    expect(meta.sockets).toEqual([engine.socket]);
    const h = hostWith(WEB);
    meta.attach(h.p.state);
    await meta.idle(); // the snapshot's containers are looked up at attach
    const before = engine.hits.get(inspectPath(WEB)) ?? 0;
    expect(before).toBe(1);
    const e = h.run(openRec);
    expect(e.container).toEqual({
      id: WEB.slice(0, 12), name: 'web', image: 'nginx:1.25', privileged: false, mounts: [
        { source: '/var/lib/docker/volumes/webdata/_data', dest: '/usr/share/nginx/html', mode: 'z', rdwr: true, propagation: '' },
        { source: '/srv/web/static', dest: '/usr/share/nginx/static', mode: 'ro', rdwr: false, propagation: 'rprivate' },
      ],
    });
    // It was running before: described, not announced as started.
    expect(h.p.state.takeContainerAnnouncements()).toEqual([]);
    meta.close();
  });

  it('a container first seen in an event: that event lacks the metadata, later ones carry it', async () => {
    const { meta } = await open({ sockets: [engine.socket] });
    // An empty state: the process arrives with an exec (a new container's first program).
    const p = createPipeline({ host: { id: 'h', name: 'h' } });
    meta.attach(p.state);
    let ts = T0;
    const rec = (r: Partial<RawRecord> & Pick<RawRecord, 'type'>): Event => p.enrich({ dir: 'EXIT', ts: (ts += 10n), cpu: 0, tid: 2000, pid: 2000, res: 0, args: {}, ...r });
    const hitsBefore = engine.hits.get(inspectPath(PRIV)) ?? 0;
    const first = rec({ type: 'execve', facts: { argv: ['bash'], exepath: '/usr/bin/bash', comm: 'bash', cgroup: `0::/system.slice/docker-${PRIV}.scope` } });
    expect(first.container).toMatchObject({ id: PRIV.slice(0, 12), name: null, image: null, privileged: null });
    for (let i = 0; i < 50; i++) expect(rec(openRec).container.name).toBeNull();
    await meta.idle();
    expect((engine.hits.get(inspectPath(PRIV)) ?? 0) - hitsBefore).toBe(1);
    expect(rec(openRec).container).toMatchObject({ id: PRIV.slice(0, 12), name: 'debug-shell', image: 'ubuntu:24.04', privileged: true, mounts: [] });
    expect(meta.stats()).toMatchObject({ lookups: 1, found: 1, notFound: 0, errors: 0 });
    // A new container: announced once, on its process, for the collector's `container` event.
    const announced = p.state.takeContainerAnnouncements();
    expect(announced).toHaveLength(1);
    expect(announced[0]).toMatchObject({ type: 'container', tid: 2000, pid: 2000, args: { id: PRIV.slice(0, 12), name: 'debug-shell', image: 'ubuntu:24.04' } });
    meta.close();
  });

  it('no socket: nothing is looked up, said once at info, events carry the id', async () => {
    const notSocket = join(engine.dir, 'plain-file');
    writeFileSync(notSocket, 'x');
    const { meta, lines } = await open({ sockets: [join(engine.dir, 'absent.sock'), notSocket] });
    expect(meta.sockets).toEqual([]);
    const info = lines.filter((l) => l.level === 30 && String(l.msg).includes('no container runtime socket'));
    expect(info).toHaveLength(1);
    expect(info[0]!.name).toBe('collector.containers');
    const h = hostWith(WEB);
    meta.attach(h.p.state);
    expect(h.run(openRec).container).toMatchObject({ id: WEB.slice(0, 12), name: null, image: null, privileged: null, mounts: [] });
    expect(meta.stats().lookups).toBe(0);
    meta.close();
  });

  it('an id no runtime knows (404) is cached as absent: no second lookup within the TTL', async () => {
    const { meta } = await open({ sockets: [engine.socket] });
    meta.request(GONE.slice(0, 12));
    await meta.idle();
    expect(engine.hits.get(inspectPath(GONE))).toBe(1);
    meta.request(GONE.slice(0, 12));
    meta.request(GONE.slice(0, 12));
    const h = hostWith(GONE);
    meta.attach(h.p.state);
    for (let i = 0; i < 20; i++) expect(h.run(openRec).container).toMatchObject({ id: GONE.slice(0, 12), name: null });
    await meta.idle();
    expect(engine.hits.get(inspectPath(GONE))).toBe(1);
    expect(meta.stats()).toMatchObject({ lookups: 1, notFound: 1, errors: 0 });
    meta.close();
  });

  it('after the TTL the next event of such a container asks again', async () => {
    const { meta } = await open({ sockets: [engine.socket], negativeTtlMs: 200 });
    const h = hostWith(GONE_LATER);
    meta.attach(h.p.state);
    await meta.idle();
    expect(engine.hits.get(inspectPath(GONE_LATER))).toBe(1);
    await new Promise((r) => setTimeout(r, 650)); // expired, and swept (every TTL)
    expect(h.run(openRec).container).toMatchObject({ id: GONE_LATER.slice(0, 12), name: null });
    h.run(openRec);
    await meta.idle();
    expect(engine.hits.get(inspectPath(GONE_LATER))).toBe(2);
    meta.close();
  });

  it('a slow runtime times out: a warning, no metadata, and events keep flowing meanwhile', async () => {
    const { meta, lines } = await open({ sockets: [engine.socket], timeoutMs: 200 });
    const h = hostWith(SLOW);
    meta.attach(h.p.state);
    const t = Date.now();
    for (let i = 0; i < 100; i++) h.run(openRec); // synchronous: the lookup is in the background
    await meta.idle();
    expect(Date.now() - t).toBeLessThan(1400); // gave up at the timeout, not at the answer
    expect(meta.stats()).toMatchObject({ lookups: 1, errors: 1, found: 0 });
    const warn = lines.find((l) => l.level === 40 && l.msg === 'container lookup failed');
    expect(String(warn?.err)).toMatch(/no answer within 200 ms/);
    expect(h.run(openRec).container.name).toBeNull();
    meta.close();
  });

  it('malformed JSON: an error logged, no crash, no metadata', async () => {
    const { meta, lines } = await open({ sockets: [engine.socket] });
    const h = hostWith(BROKEN);
    meta.attach(h.p.state);
    await meta.idle();
    expect(meta.stats()).toMatchObject({ lookups: 1, errors: 1 });
    const warn = lines.find((l) => l.level === 40 && l.msg === 'container lookup failed');
    expect(String(warn?.err)).toMatch(/not JSON/);
    expect(h.run(openRec).container).toMatchObject({ id: BROKEN.slice(0, 12), name: null, image: null });
    meta.close();
  });

  it('keeps at most cacheSize answers, least recently used evicted', async () => {
    const { meta } = await open({ sockets: [engine.socket], cacheSize: 2 });
    const before = EXTRA.map((id) => engine.hits.get(inspectPath(id)) ?? 0);
    for (const id of EXTRA) meta.request(id.slice(0, 12));
    await meta.idle();
    expect(meta.stats()).toMatchObject({ found: 3, cached: 2 });
    // The two most recent are answered from the cache; the first was evicted and is asked again.
    meta.request(EXTRA[2]!.slice(0, 12));
    meta.request(EXTRA[1]!.slice(0, 12));
    meta.request(EXTRA[0]!.slice(0, 12));
    await meta.idle();
    const after = EXTRA.map((id, i) => (engine.hits.get(inspectPath(id)) ?? 0) - before[i]!);
    expect(after).toEqual([2, 1, 1]);
    expect(meta.stats().cached).toBe(2);
    meta.close();
  });

  it('re-seeds from its cache when the state engine clears its container table', async () => {
    const { meta } = await open({ sockets: [engine.socket] });
    const h = hostWith(WEB);
    meta.attach(h.p.state);
    await meta.idle();
    const hits = engine.hits.get(inspectPath(WEB));
    // Past 4096 ids the state engine drops its container table (ids without metadata here).
    for (let i = 0; i < 4100; i++) {
      const pid = 10_000 + i;
      h.p.state.seedProcess({ pid, ppid: 1, comm: 'x', containerId: `c${String(i).padStart(11, '0')}` });
      h.p.state.container(h.p.state.processes.get(pid)!, 0n);
    }
    // Each new id asks the runtime: 4 in flight, 1024 waiting, the rest dropped (bounded).
    expect(meta.stats().dropped).toBe(4100 - 4 - 1024);
    expect(h.run(openRec).container).toMatchObject({ name: 'web', image: 'nginx:1.25' });
    expect(engine.hits.get(inspectPath(WEB))).toBe(hits);
    // The host entry survives the clear.
    const init = h.p.state.processes.get(1)!;
    expect(h.p.state.container(init, 0n)).toMatchObject({ id: 'host', name: 'host' });
    meta.close();
    await meta.idle();
  });

  it('asks the sockets in order: docker does not know the id, podman does', async () => {
    const podman = await startFakeEngine({ [GONE_LATER]: { kind: 'inspect', name: 'pod-web', image: 'quay.io/libpod/alpine:latest', privileged: false, mounts: [] } });
    try {
      const { meta } = await open({ sockets: [engine.socket, podman.socket] });
      const before = engine.hits.get(inspectPath(GONE_LATER)) ?? 0;
      const h = hostWith(GONE_LATER);
      meta.attach(h.p.state);
      await meta.idle();
      expect((engine.hits.get(inspectPath(GONE_LATER)) ?? 0) - before).toBe(1);
      expect(podman.hits.get(inspectPath(GONE_LATER))).toBe(1);
      expect(h.run(openRec).container).toMatchObject({ name: 'pod-web', image: 'quay.io/libpod/alpine:latest', privileged: false });
      meta.close();
    } finally {
      await podman.close();
    }
  });

  it('rejects bad options early', async () => {
    await expect(openContainerMetadata({ sockets: ['relative.sock'] })).rejects.toThrow(/absolute path/);
    await expect(openContainerMetadata({ timeoutMs: 0 })).rejects.toThrow(/timeoutMs/);
  });
});

describe('the default container rules, once the metadata is known', () => {
  const rules = createEngine({ files: defaultRuleFiles(), match: 'all' });
  const names = (e: Event): string[] => rules.judge(e).map((a) => a.rule);
  const containerStart = (h: Host): Event => h.run({ type: 'execve', facts: { argv: ['sh', '-c', 'sleep 1000'], exepath: '/bin/sh', comm: 'sh', vpid: 1 } });

  it('a privileged container started fires "Privileged container started"', async () => {
    const { meta } = await open({ sockets: [engine.socket] });
    const unknown = hostWith(PRIV, { vpid: 1 });
    expect(names(containerStart(unknown))).not.toContain('Privileged container started');
    const h = hostWith(PRIV, { vpid: 1 });
    meta.attach(h.p.state);
    await meta.idle();
    const fired = rules.judge(containerStart(h)).find((a) => a.rule === 'Privileged container started');
    expect(fired?.output).toContain('container_name=debug-shell image=ubuntu:24.04');
    meta.close();
  });

  it('a container mounting the Docker socket fires "Container with a sensitive mount started"', async () => {
    const { meta } = await open({ sockets: [engine.socket] });
    const h = hostWith(SOCKMOUNT, { vpid: 1 });
    meta.attach(h.p.state);
    await meta.idle();
    const fired = rules.judge(containerStart(h)).find((a) => a.rule === 'Container with a sensitive mount started');
    expect(fired?.output).toContain('container_name=ci-runner image=gitlab/gitlab-runner:v17.0.0');
    expect(fired?.output).toContain('/var/run/docker.sock:/var/run/docker.sock');
    // The plain web container starts without either rule.
    const { meta: m2 } = await open({ sockets: [engine.socket] });
    const web = hostWith(WEB, { vpid: 1 });
    m2.attach(web.p.state);
    await m2.idle();
    const plain = names(containerStart(web));
    expect(plain).not.toContain('Privileged container started');
    expect(plain).not.toContain('Container with a sensitive mount started');
    meta.close();
    m2.close();
  });
});
