import { describe, expect, it } from 'vitest';
import { StateEngine } from './engine.js';

const ID = 'a1b2c3d4e5f6';

describe('container announcements', () => {
  it('announces a container on its first process (pid 1 of it first) when it has processes', () => {
    const s = new StateEngine();
    s.seedProcess({ pid: 500, ppid: 1, comm: 'runc', containerId: ID, vpid: 7 });
    s.seedProcess({ pid: 501, ppid: 500, comm: 'sh', containerId: ID, vpid: 1 });
    s.seedContainer({ id: ID, name: 'web', image: 'nginx:1.25', privileged: true });
    s.announceContainer(ID, 10n);
    expect(s.takeContainerAnnouncements()).toEqual([
      { type: 'container', dir: 'EXIT', ts: 10n, cpu: 0, tid: 501, pid: 501, res: 0, args: { id: ID, name: 'web', image: 'nginx:1.25' } },
    ]);
    expect(s.takeContainerAnnouncements()).toEqual([]);
  });

  it('announces a container described before it ran anything at its first event, once', () => {
    const s = new StateEngine();
    s.seedContainer({ id: ID, name: 'web', image: 'nginx:1.25', privileged: true });
    s.announceContainer(ID, 10n);
    expect(s.takeContainerAnnouncements()).toEqual([]);
    s.seedProcess({ pid: 700, ppid: 1, comm: 'sh', containerId: ID, vpid: 1 });
    const p = s.processes.get(700)!;
    expect(s.container(p, 25n)).toMatchObject({ id: ID, name: 'web', privileged: true });
    expect(s.takeContainerAnnouncements()).toEqual([
      { type: 'container', dir: 'EXIT', ts: 25n, cpu: 0, tid: 700, pid: 700, res: 0, args: { id: ID, name: 'web', image: 'nginx:1.25' } },
    ]);
    s.container(p, 30n);
    expect(s.takeContainerAnnouncements()).toEqual([]);
  });
});
