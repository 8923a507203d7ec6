// The runtimes' event streams, read for one thing: the id of each container as it is created,
// so that its metadata can be looked up before its first process runs (a container is created,
// then started; orchestrators leave time between the two). Without them the lookup starts at
// the container's first event and its first exec is judged without name, image or privileges.
//
// Docker Engine API (podman's compat service too):
//   GET /v1.41/events?filters={"type":["container"],"event":["create"]}
//   -> 200, a stream of JSON objects, one per line: { "Type": "container", "Action": "create",
//      "Actor": { "ID": "<64 hex>" }, "id": "<64 hex>" (older field), ... }
// containerd gRPC API (server streaming; framing as in containerd-api.ts):
//   Events.Subscribe  SubscribeRequest { repeated string filters = 1 }  filter topic=="/containers/create"
//   -> stream of Envelope { Timestamp timestamp = 1; string namespace = 2; string topic = 3; Any event = 4 }
//      Any { type_url = 1; bytes value = 2 }, value = ContainerCreate { string id = 1; ... }
// A stream that ends or fails is opened again after a pause (1 s, doubling to 30 s) until closed.
import { request } from 'node:http';
import type { Logger } from 'pino';
import { ContainerRuntimeError } from '../errors.js';
import { grpcFrame, grpcRequest } from './containerd-api.js';
import { API_VERSION } from './docker-api.js';
import { decodeFields, encodeMessage, stringField } from './protobuf.js';

export type OnCreated = (containerId: string) => void;

const DOCKER_EVENTS_PATH = `/${API_VERSION}/events?filters=${encodeURIComponent(JSON.stringify({ type: ['container'], event: ['create'] }))}`;
const CONTAINERD_CREATE_TOPIC = '/containers/create';
/** One event is a few hundred bytes; a longer line or message is not an event. */
const MAX_EVENT_BYTES = 1024 * 1024;
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30_000;

/**
 * Follows one runtime's container creations until `signal` aborts; never rejects. A stream that
 * ends or fails is logged and opened again after a pause.
 */
export async function followCreations(socket: string, containerd: boolean, onCreated: OnCreated, signal: AbortSignal, log: Logger): Promise<void> {
  let pause = RETRY_MIN_MS;
  while (!signal.aborted) {
    const opened = Date.now();
    try {
      await (containerd ? containerdCreations : dockerCreations)(socket, onCreated, signal);
      if (!signal.aborted) log.info({ socket }, 'runtime event stream ended; opening it again');
    } catch (err) {
      if (signal.aborted) return;
      log.warn({ socket, err: (err as Error).message, retryInMs: pause }, 'runtime event stream failed');
    }
    // A stream that stayed up a while was healthy: start the pauses over.
    if (Date.now() - opened > RETRY_MAX_MS) pause = RETRY_MIN_MS;
    await sleep(pause, signal);
    pause = Math.min(RETRY_MAX_MS, pause * 2);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

/**
 * The one way a stream's promise ends: once, releasing the connection; `null` (the stream ended,
 * or `signal` aborted) resolves, an error rejects as a ContainerRuntimeError naming `what`.
 */
function settleOnce(what: string, signal: AbortSignal, release: () => void, resolve: () => void, reject: (err: Error) => void): (err: Error | null) => void {
  let settled = false;
  const onAbort = (): void => settle(null);
  const settle = (err: Error | null): void => {
    if (settled) return;
    settled = true;
    signal.removeEventListener('abort', onAbort);
    release();
    if (err === null) resolve();
    else reject(err instanceof ContainerRuntimeError ? err : new ContainerRuntimeError(`${what}: ${err.message}`, { cause: err, retriable: true }));
  };
  signal.addEventListener('abort', onAbort);
  return settle;
}

/** The Docker Engine API's event stream, filtered to container creations; resolves when it ends. */
export function dockerCreations(socketPath: string, onCreated: OnCreated, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: DOCKER_EVENTS_PATH, method: 'GET', headers: { host: 'docker', accept: 'application/json' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        settle(new ContainerRuntimeError(`${socketPath} GET /events: HTTP ${res.statusCode}`, { retriable: true }));
        return;
      }
      let pending = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        pending += chunk;
        for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
          const id = dockerEventContainerId(pending.slice(0, nl));
          pending = pending.slice(nl + 1);
          if (id !== null) onCreated(id);
        }
        if (pending.length > MAX_EVENT_BYTES) settle(new ContainerRuntimeError(`${socketPath} GET /events: a line longer than ${MAX_EVENT_BYTES} bytes`, { retriable: true }));
      });
      res.on('end', () => settle(null));
      res.on('error', (err) => settle(err));
    });
    const settle = settleOnce(`${socketPath} GET /events`, signal, () => req.destroy(), resolve, reject);
    if (signal.aborted) return settle(null);
    req.on('error', (err) => settle(err));
    req.end();
  });
}

/** The created container's id in one line of the Docker event stream, or null. */
export function dockerEventContainerId(line: string): string | null {
  if (line.trim() === '') return null;
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof doc !== 'object' || doc === null) return null;
  const e = doc as { Type?: unknown; Action?: unknown; status?: unknown; id?: unknown; Actor?: { ID?: unknown } };
  if (e.Type !== undefined && e.Type !== 'container') return null;
  const action = e.Action ?? e.status;
  if (action !== undefined && action !== 'create') return null;
  const id = e.Actor?.ID ?? e.id;
  return typeof id === 'string' && id !== '' ? id : null;
}

/** containerd's Events.Subscribe, filtered to container creations; resolves when the stream ends. */
export function containerdCreations(socketPath: string, onCreated: OnCreated, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const method = '/containerd.services.events.v1.Events/Subscribe';
    const { session, req } = grpcRequest(socketPath, method);
    const settle = settleOnce(`${socketPath} ${method}`, signal, () => session.destroy(), resolve, reject);
    if (signal.aborted) return settle(null);
    session.on('error', (err) => settle(err));
    req.on('response', (h) => {
      if (h[':status'] !== 200) settle(new ContainerRuntimeError(`${socketPath} ${method}: HTTP ${String(h[':status'])}`, { retriable: true }));
    });
    let pending: Buffer = Buffer.alloc(0);
    req.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 5) {
        const length = pending.readUInt32BE(1);
        if (pending[0] !== 0 || length > MAX_EVENT_BYTES) {
          settle(new ContainerRuntimeError(`${socketPath} ${method}: not an uncompressed gRPC message of at most ${MAX_EVENT_BYTES} bytes`, { retriable: true }));
          return;
        }
        if (pending.length < 5 + length) break;
        const id = envelopeContainerId(pending.subarray(5, 5 + length));
        pending = pending.subarray(5 + length);
        if (id !== null) onCreated(id);
      }
    });
    req.on('trailers', (h) => {
      if (h['grpc-status'] !== undefined && String(h['grpc-status']) !== '0') settle(new ContainerRuntimeError(`${socketPath} ${method}: grpc-status ${String(h['grpc-status'])}`, { retriable: true }));
    });
    req.on('error', (err) => settle(err));
    req.on('close', () => settle(null));
    // The request stream stays open: closing it would end the subscription on some versions.
    req.write(grpcFrame(encodeMessage([[1, `topic=="${CONTAINERD_CREATE_TOPIC}"`]])));
  });
}

/** The container id of a /containers/create envelope, or null for any other event. */
export function envelopeContainerId(envelope: Buffer): string | null {
  try {
    const fields = decodeFields(envelope);
    if (stringField(fields, 3) !== CONTAINERD_CREATE_TOPIC) return null;
    const any = fields.get(4)?.[0];
    const value = any === undefined ? undefined : decodeFields(any).get(2)?.[0];
    const id = value === undefined ? '' : stringField(decodeFields(value), 1);
    return id === '' ? null : id;
  } catch {
    return null;
  }
}
