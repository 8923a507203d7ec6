// containerd's API over its unix socket: gRPC unary calls on node:http2, protobuf by hand
// (protobuf.ts): the lookup needs three calls and five fields, not a gRPC stack.
//
// gRPC over HTTP/2 (grpc's PROTOCOL-HTTP2.md): POST /<package>.<Service>/<Method>, content-type
// application/grpc, te: trailers; containerd reads the namespace from the containerd-namespace
// header. Body, each way: 1 byte compressed flag (0), 4 bytes big-endian length, the message.
// grpc-status comes in the trailers (or in the headers of a trailers-only answer): 0 is OK.
// Messages (containerd api/services/{version,namespaces,containers}/v1, field numbers):
//   Version.Version      Empty -> VersionResponse { version = 1 }
//   Namespaces.List      { filter = 1 } -> { repeated Namespace namespaces = 1 }, Namespace { name = 1 }
//   Containers.List      { repeated string filters = 1 } -> { repeated Container containers = 1 }
//   Container            { id = 1; map<string,string> labels = 2; image = 3; Any spec = 5 }
//   Any                  { type_url = 1; bytes value = 2 }: here the OCI runtime spec, as JSON
import { connect, type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';
import { connect as netConnect } from 'node:net';
import type { Container, Mount } from '../../schemas/types.generated.js';
import { ContainerRuntimeError } from '../errors.js';
import { decodeFields, encodeMessage, stringField, stringMap, type Fields } from './protobuf.js';

/** Label names that carry a container's name: Kubernetes (CRI) and nerdctl. */
const NAME_LABELS = ['io.kubernetes.container.name', 'nerdctl/name'];
const PROPAGATIONS = new Set(['rprivate', 'private', 'rshared', 'shared', 'rslave', 'slave']);

interface CallOptions { namespace?: string; timeoutMs: number; signal?: AbortSignal }

/**
 * A call's HTTP/2 session over the socket and its request stream (unary or streaming alike); the
 * caller writes its framed message (grpcFrame) and destroys the session when done.
 */
export function grpcRequest(socketPath: string, method: string, namespace?: string): { session: ClientHttp2Session; req: ClientHttp2Stream } {
  const session = connect('http://containerd', { createConnection: () => netConnect(socketPath) });
  const headers: Record<string, string> = { ':method': 'POST', ':path': method, 'content-type': 'application/grpc', te: 'trailers' };
  if (namespace) headers['containerd-namespace'] = namespace;
  return { session, req: session.request(headers) };
}

/** A message as gRPC sends it: 1 byte compressed flag (0), 4 bytes big-endian length, the bytes. */
export function grpcFrame(message: Buffer): Buffer {
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  message.copy(frame, 5);
  return frame;
}

/** One unary call; resolves with the answer's message bytes, rejects with ContainerRuntimeError. */
export function grpcUnary(socketPath: string, method: string, message: Buffer, o: CallOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const { session, req } = grpcRequest(socketPath, method, o.namespace);
    let settled = false;
    const finish = (err: Error | null, body?: Buffer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      session.close();
      session.destroy();
      if (err) reject(err instanceof ContainerRuntimeError ? err : new ContainerRuntimeError(`${socketPath} ${method}: ${err.message}`, { cause: err, retriable: true }));
      else resolve(body!);
    };
    const onAbort = (): void => finish(new ContainerRuntimeError(`${socketPath} ${method}: aborted`, { retriable: false }));
    const timer = setTimeout(() => finish(new ContainerRuntimeError(`${socketPath} ${method}: no answer within ${o.timeoutMs} ms`, { retriable: true })), o.timeoutMs);
    o.signal?.addEventListener('abort', onAbort);
    session.on('error', (err) => finish(err));
    const chunks: Buffer[] = [];
    let status: string | undefined;
    let detail = '';
    const statusFrom = (h: Record<string, unknown>): void => {
      if (h['grpc-status'] !== undefined) status = String(h['grpc-status']);
      if (h['grpc-message'] !== undefined) detail = decodeURIComponent(String(h['grpc-message']));
    };
    req.on('response', (h) => {
      if (h[':status'] !== 200) finish(new ContainerRuntimeError(`${socketPath} ${method}: HTTP ${String(h[':status'])}`, { retriable: false }));
      statusFrom(h);
    });
    req.on('trailers', statusFrom);
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('error', (err) => finish(err));
    req.on('end', () => {
      if (status !== '0') {
        finish(new ContainerRuntimeError(`${socketPath} ${method}: grpc-status ${status ?? 'missing'}${detail ? ` (${detail})` : ''}`, { retriable: status === '14' || status === '4' }));
        return;
      }
      const body = Buffer.concat(chunks);
      if (body.length < 5 || body[0] !== 0 || body.readUInt32BE(1) !== body.length - 5) {
        finish(new ContainerRuntimeError(`${socketPath} ${method}: answer is not one uncompressed gRPC message`, { retriable: false }));
        return;
      }
      finish(null, body.subarray(5));
    });
    // A stream reset or a session that goes away ends here without 'end'.
    req.on('close', () => finish(new ContainerRuntimeError(`${socketPath} ${method}: stream closed before an answer`, { retriable: true })));
    req.end(grpcFrame(message));
  });
}

/** containerd's version: the start-up check that the socket speaks containerd's API. */
export async function containerdVersion(socketPath: string, timeoutMs: number): Promise<string> {
  const answer = await grpcUnary(socketPath, '/containerd.services.version.v1.Version/Version', Buffer.alloc(0), { timeoutMs });
  return stringField(decodeFields(answer), 1);
}

/**
 * The container whose id starts with `shortId` (the 12 characters of a cgroup path), in whichever
 * namespace holds it (k8s.io for Kubernetes, moby for Docker, default for ctr), or null.
 */
export async function containerdLookup(socketPath: string, shortId: string, timeoutMs: number, signal?: AbortSignal): Promise<Container | null> {
  if (!/^[0-9a-f]{12,64}$/.test(shortId)) throw new ContainerRuntimeError(`'${shortId}' is not a container id`, { retriable: false });
  const list = await grpcUnary(socketPath, '/containerd.services.namespaces.v1.Namespaces/List', Buffer.alloc(0), { timeoutMs, signal });
  const namespaces = (decodeFields(list).get(1) ?? []).map((n) => stringField(decodeFields(n), 1));
  for (const namespace of namespaces) {
    const request = encodeMessage([[1, `id~=^${shortId}`]]);
    const answer = await grpcUnary(socketPath, '/containerd.services.containers.v1.Containers/List', request, { namespace, timeoutMs, signal });
    for (const c of decodeFields(answer).get(1) ?? []) {
      const fields = decodeFields(c);
      if (stringField(fields, 1).startsWith(shortId)) return containerFromContainerd(shortId, fields);
    }
  }
  return null;
}

interface OciSpec {
  process?: { capabilities?: { bounding?: unknown } };
  linux?: { maskedPaths?: unknown };
  mounts?: Array<{ destination?: unknown; type?: unknown; source?: unknown; options?: unknown }>;
}

/** Saker's Container from containerd's: name from its labels, privileged and mounts from its OCI spec. */
export function containerFromContainerd(shortId: string, fields: Fields): Container {
  const labels = stringMap(fields, 2);
  const name = NAME_LABELS.map((l) => labels.get(l)).find((v) => v !== undefined && v !== '') ?? null;
  const image = stringField(fields, 3);
  let spec: OciSpec = {};
  const any = fields.get(5)?.[0];
  if (any) {
    try {
      spec = JSON.parse(stringField(decodeFields(any), 2)) as OciSpec;
    } catch (err) {
      throw new ContainerRuntimeError(`container ${shortId}: its OCI spec is not JSON`, { cause: err, retriable: false });
    }
  }
  const bounding = Array.isArray(spec.process?.capabilities?.bounding) ? (spec.process.capabilities.bounding as unknown[]) : null;
  const masked = Array.isArray(spec.linux?.maskedPaths) ? (spec.linux.maskedPaths as unknown[]) : [];
  // What --privileged means to runtimes: every capability and no masked /proc paths.
  const privileged = bounding === null ? null : bounding.includes('CAP_SYS_ADMIN') && masked.length === 0;
  const mounts: Mount[] = [];
  for (const m of spec.mounts ?? []) {
    if (m.type !== 'bind' || typeof m.destination !== 'string' || typeof m.source !== 'string') continue;
    const options = Array.isArray(m.options) ? m.options.filter((x): x is string => typeof x === 'string') : [];
    mounts.push({ source: m.source, dest: m.destination, mode: '', rdwr: !options.includes('ro'), propagation: options.find((x) => PROPAGATIONS.has(x)) ?? '' });
  }
  return { id: shortId, name, image: image === '' ? null : image, privileged, mounts };
}
