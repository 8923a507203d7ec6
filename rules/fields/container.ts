// container.* fields (and the k8s.* names upstream rules use, which Saker does not collect).
import type { Container, Mount } from '../../schemas/types.generated.js';
import { globToRegExp } from '../operators.js';
import { type FieldDef, type FieldType, type FieldValue, type Reader, simple, uncollected } from './types.js';

function containerField(name: string, type: FieldType, desc: string, read: (c: Container) => FieldValue): FieldDef {
  return simple(name, type, desc, (e) => read(e.container));
}

/** `registry:5000/team/app:1.2@sha256:..` -> repository `registry:5000/team/app`, tag `1.2`. */
export function splitImage(image: string): { repository: string; tag: string | undefined } {
  const noDigest = image.split('@')[0]!;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  if (colon > slash) return { repository: noDigest.slice(0, colon), tag: noDigest.slice(colon + 1) };
  return { repository: noDigest, tag: undefined };
}

const mountText = (m: Mount): string => `${m.source}:${m.dest}:${m.mode}:${m.rdwr}:${m.propagation}`;

/**
 * container.mount.X[ARG]: ARG is a mount index, or a path matched against the other end; as in
 * libsinsp the path may be a glob (`container.mount.dest[/proc*]`, upstream's sensitive_mount).
 */
function mountField(name: string, desc: string, pick: (m: Mount) => string, other: ((m: Mount) => string) | null): FieldDef {
  return {
    name, type: 'string', desc, arg: 'required',
    bind(arg): Reader {
      if (arg === undefined || arg === '') throw new Error(`${name} needs an argument: a mount index or a path`);
      if (/^\d+$/.test(arg)) {
        const i = Number(arg);
        return (e) => {
          const m = e.container.mounts[i];
          return m ? pick(m) : undefined;
        };
      }
      if (other === null) throw new Error(`${name} takes a mount index`);
      const glob = /[*?[]/.test(arg) ? globToRegExp(arg, false) : null;
      const matches = glob ? (path: string) => glob.test(path) : (path: string) => path === arg;
      return (e) => {
        for (const m of e.container.mounts) if (matches(other(m))) return pick(m);
        return undefined;
      };
    },
  };
}

export const containerFields: FieldDef[] = [
  containerField('container.id', 'string', "Container id (12 characters), or 'host'.", (c) => c.id),
  containerField('container.name', 'string', 'Container name.', (c) => c.name ?? undefined),
  containerField('container.image', 'string', 'Container image, as given to the runtime.', (c) => c.image ?? undefined),
  containerField('container.image.repository', 'string', 'Image repository (the image without tag or digest).', (c) =>
    c.image === null ? undefined : splitImage(c.image).repository),
  containerField('container.image.tag', 'string', 'Image tag.', (c) => (c.image === null ? undefined : splitImage(c.image).tag)),
  containerField('container.privileged', 'bool', 'The container runs privileged.', (c) => c.privileged ?? undefined),
  containerField('container.mounts', 'string', 'All mounts, as source:dest:mode:rdwr:propagation, comma-separated.', (c) =>
    c.mounts.map(mountText).join(',')),
  containerField('container.info', 'string', 'Container id and name, for outputs.', (c) =>
    c.id === 'host' ? 'host' : `id=${c.id} name=${c.name ?? '<NA>'}`),
  mountField('container.mount', 'A mount (by index or source path) as source:dest:mode:rdwr:propagation.', mountText, (m) => m.source),
  mountField('container.mount.source', 'Source of a mount, by index or by destination path.', (m) => m.source, (m) => m.dest),
  mountField('container.mount.dest', 'Destination of a mount, by index or by source path.', (m) => m.dest, (m) => m.source),
  mountField('container.mount.mode', 'Mode of a mount, by index or by source path.', (m) => m.mode, (m) => m.source),
  uncollected('container.type', 'string', 'Container runtime type'),
  uncollected('container.image.id', 'string', 'Container image id'),
  uncollected('container.start_ts', 'abstime', 'Container start time'),
  uncollected('container.healthcheck', 'string', 'Container health check'),
  uncollected('k8s.ns.name', 'string', 'Kubernetes namespace'),
  uncollected('k8s.pod.name', 'string', 'Kubernetes pod name'),
  uncollected('k8s.pod.id', 'string', 'Kubernetes pod id'),
];
