import { describe, expect, it } from 'vitest';
import { containerIdFromCgroup } from './container-id.js';

const ID = 'e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2';

describe('container id from cgroup', () => {
  it.each([
    ['docker, cgroup v1', `12:memory:/docker/${ID}\n11:cpu,cpuacct:/docker/${ID}`],
    ['docker, cgroup v2 (systemd)', `0::/system.slice/docker-${ID}.scope`],
    ['kubernetes + containerd, v1', `4:pids:/kubepods/burstable/pod1234-5678/${ID}`],
    ['kubernetes + containerd, v2', `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice/cri-containerd-${ID}.scope`],
    ['cri-o', `0::/kubepods.slice/kubepods-pod99.slice/crio-${ID}.scope`],
    ['podman, v2', `0::/machine.slice/libpod-${ID}.scope/container`],
    ['podman, v1', `1:name=systemd:/machine.slice/libpod-${ID}.scope`],
  ])('%s', (_name, cgroup) => {
    expect(containerIdFromCgroup(cgroup)).toBe(ID.slice(0, 12));
  });

  it.each([
    ['a user session', '0::/user.slice/user-1000.slice/session-3.scope'],
    ['a system service', '0::/system.slice/ssh.service'],
    ['the podman monitor', `0::/machine.slice/libpod-conmon-${ID}.scope`],
    ['the cri-o monitor', `0::/system.slice/crio-conmon-${ID}.scope`],
    ['nothing', ''],
    ['a short hex name', '0::/docker/abcdef'],
  ])('host for %s', (_name, cgroup) => {
    expect(containerIdFromCgroup(cgroup)).toBe('host');
  });
});
