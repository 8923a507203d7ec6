import { describe, expect, it } from 'vitest';
import { containerFromContainerd } from './containerd-api.js';
import { decodeFields, encodeMessage } from './protobuf.js';

// A containerd Container message: id = 1, labels = 2 (map entries), image = 3, spec = 5 (Any).
function container(spec: unknown, labels: Record<string, string> = {}, image = 'docker.io/library/nginx:1.27'): ReturnType<typeof decodeFields> {
  const entries = Object.entries(labels).map(([k, v]) => [2, encodeMessage([[1, k], [2, v]])] as const);
  const any = encodeMessage([[1, 'types.containerd.io/opencontainers/runtime-spec/1/Spec'], [2, Buffer.from(JSON.stringify(spec))]]);
  return decodeFields(encodeMessage([[1, 'a'.repeat(64)], ...entries, [3, image], [5, any]]));
}

const ALL_CAPS = ['CAP_CHOWN', 'CAP_NET_ADMIN', 'CAP_SYS_ADMIN', 'CAP_SYS_MODULE'];

describe('containerFromContainerd', () => {
  it('reads a Kubernetes container: name from the CRI label, image, binds with their options', () => {
    const c = container({
      process: { capabilities: { bounding: ['CAP_CHOWN', 'CAP_NET_BIND_SERVICE'] } },
      linux: { maskedPaths: ['/proc/kcore'] },
      mounts: [
        { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid'] },
        { destination: '/etc/hosts', type: 'bind', source: '/var/lib/kubelet/pods/x/etc-hosts', options: ['rbind', 'rprivate', 'rw'] },
        { destination: '/host/etc', type: 'bind', source: '/etc', options: ['rbind', 'ro'] },
      ],
    }, { 'io.kubernetes.container.name': 'web', 'io.kubernetes.pod.name': 'web-7d9' });
    expect(containerFromContainerd('aaaaaaaaaaaa', c)).toEqual({
      id: 'aaaaaaaaaaaa', name: 'web', image: 'docker.io/library/nginx:1.27', privileged: false,
      mounts: [
        { source: '/var/lib/kubelet/pods/x/etc-hosts', dest: '/etc/hosts', mode: '', rdwr: true, propagation: 'rprivate' },
        { source: '/etc', dest: '/host/etc', mode: '', rdwr: false, propagation: '' },
      ],
    });
  });

  it('privileged: every capability and no masked paths; unknown without a spec', () => {
    expect(containerFromContainerd('a', container({ process: { capabilities: { bounding: ALL_CAPS } } })).privileged).toBe(true);
    expect(containerFromContainerd('a', container({ process: { capabilities: { bounding: ALL_CAPS } }, linux: { maskedPaths: ['/proc/kcore'] } })).privileged).toBe(false);
    expect(containerFromContainerd('a', container({})).privileged).toBe(null);
  });

  it('no name label and no image give nulls (a plain `ctr run --rootfs` container)', () => {
    expect(containerFromContainerd('a', container({}, {}, ''))).toMatchObject({ name: null, image: null, mounts: [] });
  });

  it('an OCI spec that is not JSON is an error', () => {
    const any = encodeMessage([[2, 'not json']]);
    expect(() => containerFromContainerd('a', decodeFields(encodeMessage([[1, 'a'], [5, any]])))).toThrow(/OCI spec is not JSON/);
  });
});
