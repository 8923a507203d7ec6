// Container metadata on the real kernel with real container runtimes (root): podman (Debian's,
// with runc: crun refuses this machine's hybrid cgroup layout) and a private containerd (ctr)
// each run a privileged container with the host's /etc bind-mounted, from an image imported from
// a busybox rootfs (no registry is reachable). The probe reports the container's cgroup, the
// collector asks podman's Docker-compatible API service or containerd's gRPC API about the id,
// and the container's later events carry its name, image, privileged flag and mounts; a program
// started as pid 1 of a new pid namespace inside it (a container start) then fires the default
// container rules.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRuleFiles } from '../cli/paths.js';
import { openContainerMetadata, type ContainerMetadata } from '../collector/containers/metadata.js';
import { runCollector, type CollectorStats } from '../collector/service.js';
import { bootstrapState } from '../collector/sources/bootstrap.js';
import { readSystemFiles } from '../collector/sources/system-files.js';
import { openProbe, selectSyscalls, type Probe } from '../probe/index.js';
import { requireRoot, sleep } from '../probe/test-support.js';
import { createEngine } from '../rules/index.js';
import type { Event } from '../schemas/types.generated.js';

const run = promisify(execFile);
const TYPES = ['execve', 'openat', 'procexit'];
// `container` events come from the collector (a runtime described the container), not the probe.
const EVENT_TYPES = new Set([...TYPES, 'container']);
const TAG = randomBytes(4).toString('hex');
const IMAGE = `localhost/saker-live:${TAG}`;
const NAME = `saker-live-${TAG}`;
// This machine: runc (crun rejects hybrid cgroups), and limits podman may set without privilege.
const LIMITS = ['--network', 'none', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];
const RUN_FLAGS = ['--runtime', 'runc', 'run', '--rm', ...LIMITS];

function requireTools(): void {
  const missing = ['/usr/bin/podman', '/usr/sbin/runc', '/bin/busybox', '/usr/bin/containerd', '/usr/bin/ctr'].filter((p) => !existsSync(p));
  if (missing.length > 0) throw new Error(`missing ${missing.join(', ')}: scripts/setup-debian installs podman, runc, containerd and busybox-static`);
}

/** A one-binary image: busybox (static) and its applets, imported without a registry. */
async function importImage(dir: string): Promise<void> {
  const root = join(dir, 'rootfs');
  mkdirSync(join(root, 'bin'), { recursive: true });
  mkdirSync(join(root, 'etc'));
  copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
  for (const applet of ['sh', 'cat', 'sleep', 'unshare']) symlinkSync('busybox', join(root, 'bin', applet));
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  await run('tar', ['-C', root, '-cf', join(dir, 'rootfs.tar'), '.']);
  await run('podman', ['import', join(dir, 'rootfs.tar'), IMAGE], { timeout: 120_000 });
}

/** Starts a daemon and waits for its socket; its stderr is kept for the failure message. */
async function startDaemon(what: string, argv: string[], socket: string): Promise<ChildProcess> {
  const daemon = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  daemon.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  for (const deadline = Date.now() + 30_000; !existsSync(socket); await sleep(50)) {
    if (daemon.exitCode !== null || Date.now() > deadline) throw new Error(`${what} did not listen on ${socket}: ${stderr}`);
  }
  return daemon;
}

/** A containerd of its own (state, snapshots and sockets in `dir`), without the CRI plugin. */
async function startContainerd(dir: string): Promise<ChildProcess> {
  const config = join(dir, 'containerd.toml');
  writeFileSync(config, [
    'version = 2', `root = "${dir}/containerd-root"`, `state = "${dir}/containerd-state"`,
    'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
    '[grpc]', `  address = "${dir}/containerd.sock"`, '[ttrpc]', `  address = "${dir}/containerd.sock.ttrpc"`,
  ].join('\n'));
  return startDaemon('containerd', ['containerd', '-c', config], join(dir, 'containerd.sock'));
}

/** The default rules that judge a privileged container with /etc mounted as it starts. */
function expectContainerStartRules(e: Event): void {
  const fired = createEngine({ files: defaultRuleFiles(), match: 'all' }).judge(e).map((a) => a.rule);
  expect(fired).toContain('Privileged container started');
  expect(fired).toContain('Container with a sensitive mount started');
}

describe('live: container metadata from a real runtime (podman)', () => {
  let dir: string;
  let socket: string;
  let service: ChildProcess | undefined;
  let containerd: ChildProcess | undefined;
  let ctrSocket: string;
  let probe: Probe;
  let done: Promise<CollectorStats>;
  let meta: ContainerMetadata;
  const events: Event[] = [];

  beforeAll(async () => {
    requireRoot();
    requireTools();
    dir = mkdtempSync(join(tmpdir(), 'saker-podman-'));
    socket = join(dir, 'podman.sock');
    await importImage(dir);
    service = await startDaemon('podman system service', ['podman', 'system', 'service', '--time=0', `unix://${socket}`], socket);
    containerd = await startContainerd(dir);
    ctrSocket = join(dir, 'containerd.sock');
    // The same image in containerd: podman writes it as an OCI archive, ctr imports it.
    await run('podman', ['save', '--format', 'oci-archive', '-o', join(dir, 'image.tar'), IMAGE], { timeout: 120_000 });
    await run('ctr', ['--address', ctrSocket, 'images', 'import', join(dir, 'image.tar')], { timeout: 120_000 });
    const sys = readSystemFiles();
    const { state } = bootstrapState({ users: sys.users, groups: sys.groups });
    probe = await openProbe({ syscalls: selectSyscalls(TYPES).syscalls, flushMs: 5 });
    meta = await openContainerMetadata({ sockets: [socket, ctrSocket] });
    meta.attach(state);
    done = runCollector({
      source: probe, host: sys.host, state, eventTypes: EVENT_TYPES,
      onEvents: (batch) => { for (const e of batch) if (e.container.id !== 'host') events.push(e); },
    });
  }, 180_000);

  afterAll(async () => {
    await probe?.close();
    await done;
    meta?.close();
    service?.kill('SIGTERM');
    containerd?.kill('SIGTERM');
    if (containerd && containerd.exitCode === null) await new Promise((r) => containerd!.once('exit', r));
    await run('podman', ['rmi', '--force', IMAGE]).catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // Each container runs the same script; its first `cat` starts the metadata lookup.
  const SCRIPT = [
    'cat /etc/passwd >/dev/null',
    'sleep 1',
    'cat /etc/passwd >/dev/null',
    'unshare -p -f /bin/sh -c "cat /etc/passwd >/dev/null"',
  ].join(' && ');

  /** The container's later events carry `want`; its pid-1 start inside fires the container rules. */
  async function expectMetadataAndRules(id: string, want: { name: string | null; image: string }): Promise<void> {
    const mine = (): Event[] => events.filter((e) => e.container.id === id);
    // busybox's shell runs its applets through /proc/self/exe, so they are named `exe` (as the
    // kernel's comm says): the `unshare` is the `exe` parent of the second pid-1 shell.
    const isPid1Start = (e: Event): boolean => e.type === 'execve' && e.res === 0 && e.proc.vpid === 1 && e.proc.name === 'sh' && e.ancestors[0]?.name === 'exe';
    const cats = (): Event[] => mine().filter((e) => e.type === 'openat' && e.fd?.name === '/etc/passwd' && e.proc.name === 'exe');
    // The container has exited: wait for the collector to deliver its last records.
    for (const deadline = Date.now() + 30_000; (!mine().some(isPid1Start) || cats().length < 3) && Date.now() < deadline;) await sleep(25);
    expect(cats().length, `events of container ${id}`).toBeGreaterThanOrEqual(3);
    const later = cats()[1]!.container;
    expect(later).toMatchObject({ id, name: want.name, image: want.image, privileged: true });
    expect(later.mounts).toContainEqual(expect.objectContaining({ source: '/etc', dest: '/host/etc', rdwr: false }));
    expect(cats()[2]!.container).toEqual(later);

    // Falco's container event, emitted when the runtime answered: the container's start judged
    // with its metadata, although its first exec came before the answer.
    const announced = mine().filter((e) => e.type === 'container');
    expect(announced, 'one container event').toHaveLength(1);
    expect(announced[0]!.container).toEqual(later);
    expectContainerStartRules(announced[0]!);

    const start = mine().find(isPid1Start);
    expect(start, 'an exec as pid 1 of the new pid namespace').toBeDefined();
    expect(start!.container).toEqual(later);
    expectContainerStartRules(start!);
  }

  it('podman: a privileged container carries its name, image, privileged flag and mounts; its pid-1 start fires the container rules', async () => {
    const cidFile = join(dir, 'cid');
    await run('podman', [...RUN_FLAGS, '--privileged', '--name', NAME, '--cidfile', cidFile, '-v', `${socket}:/var/run/docker.sock`, '-v', '/etc:/host/etc:ro', IMAGE, '/bin/sh', '-c', SCRIPT], { timeout: 120_000 });
    const id = readFileSync(cidFile, 'utf8').trim().slice(0, 12);
    expect(id).toMatch(/^[0-9a-f]{12}$/);
    await expectMetadataAndRules(id, { name: NAME, image: IMAGE });
    const podmanEvents = events.filter((e) => e.container.id === id);
    expect(podmanEvents.find((e) => e.container.mounts.length > 0)!.container.mounts).toContainEqual(expect.objectContaining({ source: socket, dest: '/var/run/docker.sock', rdwr: true }));
  }, 180_000);

  it('containerd (ctr): the same, from its gRPC API, with the name from the nerdctl/name label', async () => {
    const id = randomBytes(32).toString('hex');
    await run('ctr', ['--address', ctrSocket, 'run', '--rm', '--privileged', '--label', `nerdctl/name=${NAME}-ctr`, '--mount', 'type=bind,src=/etc,dst=/host/etc,options=rbind:ro', IMAGE, id, '/bin/sh', '-c', SCRIPT], { timeout: 120_000 });
    await expectMetadataAndRules(id.slice(0, 12), { name: `${NAME}-ctr`, image: IMAGE });
    expect(meta.stats()).toMatchObject({ found: 2 });
  }, 180_000);

  /**
   * Created, then started: the runtime's event stream reported the creation, the lookup finished
   * before the start, so the container's very first event already carries its metadata and its
   * start (the entrypoint's exec as pid 1) fires the container rules by itself.
   */
  async function expectDescribedFromTheStart(create: () => Promise<string>, start: () => Promise<void>, want: { name: string; image: string }): Promise<void> {
    const before = meta.stats();
    const id = await create();
    for (const deadline = Date.now() + 30_000; meta.stats().found === before.found && Date.now() < deadline;) await sleep(25);
    expect(meta.stats().created, 'the creation came through the runtime event stream').toBeGreaterThan(before.created);
    expect(meta.stats().found).toBe(before.found + 1);
    const mine = (): Event[] => events.filter((e) => e.container.id === id && e.type !== 'container');
    expect(mine(), 'no event of the container before its start').toEqual([]);
    await start();
    const isStart = (e: Event): boolean => e.type === 'execve' && e.res === 0 && e.proc.vpid === 1 && e.proc.name === 'sh';
    for (const deadline = Date.now() + 30_000; !mine().some(isStart) && Date.now() < deadline;) await sleep(25);
    const want1 = { id, name: want.name, image: want.image, privileged: true };
    expect(mine()[0]?.container, `the first event of container ${id}`).toMatchObject(want1);
    const entrypoint = mine().find(isStart);
    expect(entrypoint, 'the entrypoint exec as pid 1').toBeDefined();
    expect(entrypoint!.container).toMatchObject(want1);
    expectContainerStartRules(entrypoint!);
  }

  const ENTRYPOINT = ['/bin/sh', '-c', 'cat /etc/passwd >/dev/null'];

  it('podman, created then started: the container is described from its first event (runtime event stream)', async () => {
    const name = `${NAME}-cs`;
    await expectDescribedFromTheStart(
      async () => (await run('podman', ['--runtime', 'runc', 'create', ...LIMITS, '--privileged', '--name', name, '-v', '/etc:/host/etc:ro', IMAGE, ...ENTRYPOINT], { timeout: 120_000 })).stdout.trim().slice(0, 12),
      async () => {
        await run('podman', ['start', '--attach', name], { timeout: 120_000 });
        await run('podman', ['rm', '--force', name], { timeout: 120_000 });
      },
      { name, image: IMAGE },
    );
  }, 180_000);

  it('containerd (ctr), created then started: the same, from containerd\'s event stream', async () => {
    const id = randomBytes(32).toString('hex');
    const name = `${NAME}-ctr-cs`;
    const ctr = (...args: string[]) => run('ctr', ['--address', ctrSocket, ...args], { timeout: 120_000 });
    await expectDescribedFromTheStart(
      async () => {
        // `--`: else ctr's own flag parser takes the entrypoint's `-c` for its --config.
        await ctr('containers', 'create', '--privileged', '--label', `nerdctl/name=${name}`, '--mount', 'type=bind,src=/etc,dst=/host/etc,options=rbind:ro', IMAGE, id, '--', ...ENTRYPOINT);
        return id.slice(0, 12);
      },
      async () => {
        await ctr('tasks', 'start', id);
        await ctr('containers', 'rm', id);
      },
      { name, image: IMAGE },
    );
  }, 180_000);
});
