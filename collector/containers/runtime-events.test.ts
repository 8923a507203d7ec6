import { describe, expect, it } from 'vitest';
import { encodeMessage } from './protobuf.js';
import { dockerEventContainerId, envelopeContainerId } from './runtime-events.js';

const ID = 'ab'.repeat(32);

describe('runtime event streams', () => {
  it('reads the created container from a Docker/podman event line, and nothing from others', () => {
    // As podman's compat service writes it (Docker's has the same fields).
    const line = JSON.stringify({ status: 'create', id: ID, from: 'img', Type: 'container', Action: 'create', Actor: { ID, Attributes: { name: 'web' } }, time: 1 });
    expect(dockerEventContainerId(line)).toBe(ID);
    expect(dockerEventContainerId(JSON.stringify({ Type: 'container', Action: 'start', Actor: { ID } }))).toBeNull();
    expect(dockerEventContainerId(JSON.stringify({ Type: 'image', Action: 'create', Actor: { ID } }))).toBeNull();
    expect(dockerEventContainerId('{"Type":"container"')).toBeNull();
    expect(dockerEventContainerId('')).toBeNull();
  });

  it('reads the created container from a containerd envelope, and nothing from other topics', () => {
    const envelope = (topic: string, id: string) => encodeMessage([
      [2, 'default'],
      [3, topic],
      [4, encodeMessage([[1, 'containerd.events.ContainerCreate'], [2, encodeMessage([[1, id], [2, 'docker.io/library/busybox:latest']])]])],
    ]);
    expect(envelopeContainerId(envelope('/containers/create', ID))).toBe(ID);
    expect(envelopeContainerId(envelope('/tasks/start', ID))).toBeNull();
    expect(envelopeContainerId(Buffer.from([0x1a, 0x7f]))).toBeNull();
  });
});
