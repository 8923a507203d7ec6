// Fire / look-alike events for the rules of 30-network.yaml and 40-container.yaml.
import { type Actor, type ContainerSpec, type RuleCases, connection, event, withArgs, exec, open, openRead, openWrite } from '../event-builder.js';

const admin: Partial<Actor> = { user: 'alice', uid: 1000, loginuid: 1000 };
const ctr = (extra: Partial<ContainerSpec> = {}): ContainerSpec => ({ id: '9b1c2d3e4f50', image: 'docker.io/library/nginx:1.27', ...extra });
const runtime = ['containerd-shim -namespace moby -id 9b1c2d3e4f50', 'systemd'];

export const networkCases: RuleCases[] = [
  {
    rule: 'System binary made or accepted a network connection',
    fires: {
      'bash reverse shell (/dev/tcp)': connection({ cmd: 'bash -i', ancestors: ['sh -c', 'nginx'] }, 'connect', '203.0.113.7', 4444),
      'cat accepting a connection': connection({ cmd: 'cat' }, 'accept', '198.51.100.9', 8080),
      'awk calling home': connection({ cmd: 'gawk BEGIN { s = "/inet/tcp/0/203.0.113.7/53" }' }, 'connect', '203.0.113.7', 53),
    },
    quiet: {
      'curl downloads': connection({ cmd: 'curl https://deb.debian.org', ...admin }, 'connect', '151.101.2.132', 443),
      'sshd accepts a login': connection({ cmd: 'sshd -D', ancestors: ['systemd'] }, 'accept', '198.51.100.20', 22),
      'bash health check to the host itself': connection({ cmd: 'bash -c echo > /dev/tcp/127.0.0.1/8080', ancestors: ['kubelet'] }, 'connect', '127.0.0.1', 8080),
    },
  },
  {
    rule: 'Packet socket created in container',
    fires: {
      'tcpdump in a container': withArgs({ cmd: 'tcpdump -i eth0', container: ctr(), ancestors: runtime }, 'socket', { domain: 'AF_PACKET', type: 'SOCK_RAW', proto: '768' }),
    },
    quiet: {
      'an IP socket in a container': withArgs({ cmd: 'nginx', container: ctr(), ancestors: runtime }, 'socket', { domain: 'AF_INET', type: 'SOCK_STREAM', proto: '0' }),
      'a packet socket on the host': withArgs({ cmd: 'tcpdump -i eth0', ...admin }, 'socket', { domain: 'AF_PACKET', type: 'SOCK_RAW', proto: '768' }),
      'a DHCP client in a container': withArgs({ cmd: 'udhcpc -i eth0', container: ctr(), ancestors: runtime }, 'socket', { domain: 'AF_PACKET', type: 'SOCK_DGRAM', proto: '8' }),
    },
  },
];

export const containerCases: RuleCases[] = [
  {
    rule: 'Privileged container started',
    fires: {
      'docker run --privileged': exec({ cmd: 'nginx -g daemon off;', vpid: 1, container: ctr({ privileged: true }), ancestors: runtime }),
      'the container event of a Falco capture': event({ cmd: 'dockerd', container: ctr({ privileged: true }), ancestors: [] }, { type: 'container', args: [{ name: 'json', text: '{"container":{"id":"9b1c2d3e4f50","privileged":true}}', raw: null }] }),
    },
    quiet: {
      'an ordinary container': exec({ cmd: 'nginx -g daemon off;', vpid: 1, container: ctr(), ancestors: runtime }),
      'the container event of an ordinary container': event({ cmd: 'dockerd', container: ctr(), ancestors: [] }, { type: 'container', args: [] }),
      'a later program in a privileged container': exec({ cmd: 'nginx -s reload', vpid: 57, container: ctr({ privileged: true }), ancestors: ['nginx'] }),
      'a trusted node agent image': exec({ cmd: 'falco', vpid: 1, container: ctr({ privileged: true, image: 'docker.io/falcosecurity/falco:0.39.2' }), ancestors: runtime }),
    },
  },
  {
    rule: 'Container with a sensitive mount started',
    fires: {
      'the Docker socket': exec({ cmd: 'sh', vpid: 1, container: ctr({ mounts: [['/var/run/docker.sock', '/var/run/docker.sock']] }), ancestors: runtime }),
      'the host root': exec({ cmd: 'sh', vpid: 1, container: ctr({ mounts: [['/data', '/data'], ['/', '/host']] }), ancestors: runtime }),
      'a path below /proc': exec({ cmd: 'sh', vpid: 1, container: ctr({ mounts: [['/proc/sys', '/host/proc/sys']] }), ancestors: runtime }),
      '/etc of the host': exec({ cmd: 'sh', vpid: 1, container: ctr({ mounts: [['/etc', '/host/etc']] }), ancestors: runtime }),
    },
    quiet: {
      'the runtime\'s own files and a data volume': exec({
        cmd: 'nginx', vpid: 1, ancestors: runtime,
        container: ctr({ mounts: [['/var/lib/docker/containers/9b1c/hosts', '/etc/hosts'], ['/srv/data', '/data'], ['/etcd-data', '/var/lib/etcd']] }),
      }),
    },
  },
  {
    rule: 'Drop and execute new binary in container',
    fires: {
      'a miner downloaded and run': exec({ cmd: 'xmrig -o pool:3333', upperLayer: true, exepath: '/tmp/xmrig', container: ctr(), ancestors: ['sh -c', 'nginx'] }),
    },
    quiet: {
      'a program from the image': exec({ cmd: 'nginx -s reload', container: ctr(), ancestors: ['sh'] }),
      'a new binary on the host (not a container)': exec({ cmd: 'app', upperLayer: true, exepath: '/home/alice/app', ...admin }),
    },
  },
  {
    rule: 'Container escape via cgroup release_agent',
    fires: {
      'release_agent written from a container': openWrite({ cmd: 'sh -c echo /cmd > /tmp/cgrp/release_agent', container: ctr({ privileged: true }), ancestors: ['bash'] }, '/tmp/cgrp/release_agent'),
    },
    quiet: {
      'read in a container': openRead({ cmd: 'cat /sys/fs/cgroup/release_agent', container: ctr(), ancestors: ['bash'] }, '/sys/fs/cgroup/release_agent'),
      'written on the host': open({ cmd: 'systemd' }, '/sys/fs/cgroup/rdma/release_agent', 'O_WRONLY'),
    },
  },
];
