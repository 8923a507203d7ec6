// Container id from a cgroup path. The runtimes name the leaf after the 64-hex container id:
//   cgroup v1  docker:      /docker/<id>
//              kubernetes:  /kubepods/burstable/pod<uid>/<id>
//   cgroup v2  docker:      /system.slice/docker-<id>.scope
//              containerd:  .../cri-containerd-<id>.scope
//              cri-o:       .../crio-<id>.scope   (crio-conmon-<id>.scope is the monitor: host)
//              podman:      .../libpod-<id>.scope[/container]   (libpod-conmon-<id>: host)
// A /proc/PID/cgroup text has one `hierarchy:controllers:path` line per hierarchy; any line may
// carry the id. Falco reports the first 12 characters, and `host` when there is none.

export const HOST_CONTAINER_ID = 'host';

const ID = /(?:^|\/)(?:(?:docker|cri-containerd|crio|libpod|containerd)-)?([0-9a-f]{64})(?:\.scope)?(?=\/|$)/;

export function containerIdFromCgroup(cgroup: string | null | undefined): string {
  if (!cgroup) return HOST_CONTAINER_ID;
  for (const line of cgroup.split('\n')) {
    const path = cgroupPath(line);
    if (path.includes('conmon-')) continue;
    const m = ID.exec(path);
    if (m) return m[1]!.slice(0, 12);
  }
  return HOST_CONTAINER_ID;
}

function cgroupPath(line: string): string {
  // `0::/system.slice/...` or `4:cpu,cpuacct:/docker/...`; a bare path is accepted too.
  const first = line.indexOf(':');
  if (first < 0) return line.trim();
  const second = line.indexOf(':', first + 1);
  return second < 0 ? line.trim() : line.slice(second + 1).trim();
}
