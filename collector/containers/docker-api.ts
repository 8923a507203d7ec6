// The Docker Engine API client over a unix socket (podman's socket serves the same paths).
// Wire format, the subset read (GET /v1.41/containers/{id}/json; {id} may be a 12-char prefix):
//   { "Id": "<64 hex>", "Name": "/web",
//     "Config": { "Image": "nginx:1.25" },
//     "HostConfig": { "Privileged": false },
//     "Mounts": [ { "Source": "/var/run/docker.sock", "Destination": "/var/run/docker.sock",
//                   "Mode": "", "RW": true, "Propagation": "rprivate" } ] }
// 404 means the runtime does not know the id; anything else that is not a 200 with such a body
// is a ContainerRuntimeError.
import { request } from 'node:http';
import type { Container } from '../../schemas/types.generated.js';
import { ContainerRuntimeError } from '../errors.js';

export const API_VERSION = 'v1.41';
/** An inspect answer is a few KiB; more than this is not a container description. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export type Answer = { kind: 'ok'; status: number; body: string } | { kind: 'status'; status: number; body: string };

/** One GET over the unix socket; rejects with ContainerRuntimeError on connect errors and timeouts. */
export function getOverSocket(socketPath: string, path: string, timeoutMs: number, signal?: AbortSignal): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (message: string, cause?: unknown, retriable = true): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      req.destroy();
      reject(new ContainerRuntimeError(`${socketPath} GET ${path}: ${message}`, { cause, retriable }));
    };
    const req = request({ socketPath, path, method: 'GET', headers: { host: 'docker', accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY_BYTES) fail(`answer larger than ${MAX_BODY_BYTES} bytes`, undefined, false);
        else chunks.push(c);
      });
      res.on('error', (err) => fail(err.message, err));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const status = res.statusCode ?? 0;
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ kind: status === 200 ? 'ok' : 'status', status, body });
      });
    });
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
    const onAbort = (): void => fail('closed', undefined, false);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort);
    req.on('error', (err) => fail(err.message, err));
    req.end();
  });
}

/** The Container fields of an inspect answer; throws ContainerRuntimeError when the body is not one. */
export function parseInspect(id: string, body: string): Container {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (err) {
    throw new ContainerRuntimeError(`container ${id}: inspect answer is not JSON`, { cause: err, retriable: false });
  }
  if (!isObject(doc)) throw new ContainerRuntimeError(`container ${id}: inspect answer is not an object`, { retriable: false });
  const name = typeof doc.Name === 'string' ? doc.Name.replace(/^\//, '') : null;
  const config = isObject(doc.Config) ? doc.Config : {};
  const host = isObject(doc.HostConfig) ? doc.HostConfig : {};
  const mounts = Array.isArray(doc.Mounts) ? doc.Mounts : [];
  if (name === null && !isObject(doc.Config)) {
    throw new ContainerRuntimeError(`container ${id}: inspect answer has neither Name nor Config`, { retriable: false });
  }
  return {
    id,
    name: name === '' ? null : name,
    image: typeof config.Image === 'string' && config.Image !== '' ? config.Image : null,
    privileged: typeof host.Privileged === 'boolean' ? host.Privileged : null,
    mounts: mounts.filter(isObject).filter((m) => typeof m.Destination === 'string').map((m) => ({
      source: typeof m.Source === 'string' ? m.Source : '',
      dest: m.Destination as string,
      mode: typeof m.Mode === 'string' ? m.Mode : '',
      rdwr: typeof m.RW === 'boolean' ? m.RW : true,
      propagation: typeof m.Propagation === 'string' ? m.Propagation : '',
    })),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
