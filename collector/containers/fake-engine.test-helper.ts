// A real HTTP server on a unix socket answering the Docker Engine API paths the collector reads,
// for tests on machines without a container engine. Bodies follow the shape of the Engine API's
// GET /containers/{id}/json (ContainerInspectResponse), trimmed of nothing the runtime sends.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Behaviour =
  | { kind: 'inspect'; name: string; image: string; privileged: boolean; mounts: InspectMount[] }
  | { kind: 'slow'; ms: number }
  | { kind: 'malformed' };

export interface InspectMount { Type: string; Name?: string; Source: string; Destination: string; Driver?: string; Mode: string; RW: boolean; Propagation: string }

export interface FakeEngine {
  socket: string;
  dir: string;
  /** Requests seen, by path. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

export async function startFakeEngine(containers: Record<string, Behaviour>): Promise<FakeEngine> {
  const dir = mkdtempSync(join(tmpdir(), 'saker-engine-'));
  const socket = join(dir, 'docker.sock');
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (path === '/_ping') {
      res.writeHead(200, { 'content-type': 'text/plain', 'api-version': '1.41' }).end('OK');
      return;
    }
    const m = /^\/v1\.41\/containers\/([^/]+)\/json$/.exec(path);
    const id = m === null ? undefined : decodeURIComponent(m[1]!);
    const full = id === undefined ? undefined : Object.keys(containers).find((k) => k.startsWith(id));
    const b = full === undefined ? undefined : containers[full];
    if (b === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `No such container: ${id ?? path}` }));
      return;
    }
    if (b.kind === 'slow') {
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'), b.ms);
      return;
    }
    if (b.kind === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"Id": "' + full + '", "Name": "/half');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(inspectBody(full!, b)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => resolve());
  });
  return {
    socket, dir, hits,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function inspectBody(id: string, b: Extract<Behaviour, { kind: 'inspect' }>): unknown {
  return {
    Id: id,
    Created: '2026-11-29T21:01:06.000000000Z',
    Path: '/docker-entrypoint.sh',
    Args: ['nginx', '-g', 'daemon off;'],
    State: {
      Status: 'running', Running: true, Paused: false, Restarting: false, OOMKilled: false, Dead: false,
      Pid: 4242, ExitCode: 0, Error: '', StartedAt: '2026-11-29T21:01:07.000000000Z', FinishedAt: '0001-01-01T00:00:00Z',
    },
    Image: 'sha256:72f0f3f6e2d8c4e1b7a9f1d0c3b5a7e9f2d4c6b8a0e1f3d5c7b9a2e4f6d8c0b1',
    ResolvConfPath: `/var/lib/docker/containers/${id}/resolv.conf`,
    HostnamePath: `/var/lib/docker/containers/${id}/hostname`,
    HostsPath: `/var/lib/docker/containers/${id}/hosts`,
    LogPath: `/var/lib/docker/containers/${id}/${id}-json.log`,
    Name: `/${b.name}`,
    RestartCount: 0,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: b.privileged ? 'unconfined' : 'docker-default',
    ExecIDs: null,
    HostConfig: {
      Binds: b.mounts.filter((m) => m.Type === 'bind').map((m) => `${m.Source}:${m.Destination}${m.Mode ? ':' + m.Mode : ''}`),
      ContainerIDFile: '', NetworkMode: 'default', PortBindings: {}, RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
      AutoRemove: false, VolumeDriver: '', VolumesFrom: null, CapAdd: null, CapDrop: null, CgroupnsMode: 'private',
      Dns: [], DnsOptions: [], DnsSearch: [], ExtraHosts: null, GroupAdd: null, IpcMode: 'private', Cgroup: '',
      Links: null, OomScoreAdj: 0, PidMode: '', Privileged: b.privileged, PublishAllPorts: false, ReadonlyRootfs: false,
      SecurityOpt: null, UTSMode: '', UsernsMode: '', ShmSize: 67108864, Runtime: 'runc', Isolation: '',
      CpuShares: 0, Memory: 0, NanoCpus: 0, CgroupParent: '', BlkioWeight: 0, PidsLimit: null,
      MaskedPaths: b.privileged ? null : ['/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys'],
      ReadonlyPaths: b.privileged ? null : ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys'],
    },
    GraphDriver: {
      Data: { MergedDir: `/var/lib/docker/overlay2/${id.slice(0, 20)}/merged`, UpperDir: `/var/lib/docker/overlay2/${id.slice(0, 20)}/diff` },
      Name: 'overlay2',
    },
    Mounts: b.mounts,
    Config: {
      Hostname: id.slice(0, 12), Domainname: '', User: '', AttachStdin: false, AttachStdout: true, AttachStderr: true,
      ExposedPorts: { '80/tcp': {} }, Tty: false, OpenStdin: false, StdinOnce: false,
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'NGINX_VERSION=1.25.3'],
      Cmd: ['nginx', '-g', 'daemon off;'], Image: b.image, Volumes: null, WorkingDir: '',
      Entrypoint: ['/docker-entrypoint.sh'], OnBuild: null, Labels: { maintainer: 'NGINX Docker Maintainers' },
      StopSignal: 'SIGQUIT',
    },
    NetworkSettings: {
      Bridge: '', SandboxID: 'b1f6c2d9e3a4', HairpinMode: false, Ports: { '80/tcp': null },
      Networks: { bridge: { IPAddress: '172.17.0.2', IPPrefixLen: 16, Gateway: '172.17.0.1', MacAddress: '02:42:ac:11:00:02' } },
    },
  };
}
