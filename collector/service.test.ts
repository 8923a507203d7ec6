import { describe, expect, it } from 'vitest';
import { createMemoryBus } from '../bus/memory.js';
import { eventCodec } from '../schemas/codec.js';
import type { Event } from '../schemas/types.generated.js';
import type { RawRecord } from './raw-record.js';
import { runCollector } from './service.js';
import { StateEngine } from './state/engine.js';
import { CollectorConfigError } from './errors.js';
import { createEngine } from '../rules/index.js';
import { defaultRuleFiles } from '../cli/paths.js';

async function* batches(...list: RawRecord[][]): AsyncGenerator<RawRecord[]> {
  for (const b of list) yield b;
}

const rec = (type: string, tid: number, extra: Partial<RawRecord> = {}): RawRecord =>
  ({ type, dir: 'EXIT', ts: 1_700_000_000_000_000_000n + BigInt(tid), cpu: 0, tid, pid: tid, res: 0, args: {}, ...extra });

describe('runCollector', () => {
  it('publishes events keyed host:tgid, quarantines bad records, keeps going', async () => {
    const bus = createMemoryBus();
    const state = new StateEngine();
    state.seedProcess({ pid: 10, comm: 'a' });
    state.seedProcess({ pid: 20, comm: 'b' });
    const seen: Event[] = [];
    const bad = { ...rec('openat', 10), ts: 5 as unknown as bigint };
    const stats = await runCollector({
      source: batches(
        [rec('openat', 10, { res: 3, args: { dirfd: -100, name: '/etc/hosts', flags: 0 } }), bad, rec('read', 20, { args: { fd: 1 } })],
        [rec('close', 10, { args: { fd: 3 } }), rec('getpid', 20)],
      ),
      host: { id: 'h1', name: 'host-1' }, state,
      bus: { bus, eventsTopic: 'ev', deadLetterTopic: 'dlq', maxBatch: 2 },
      onEvents: (events) => { seen.push(...events); },
      eventTypes: new Set(['openat', 'read', 'close']),
    });
    expect(stats).toEqual({ records: 5, events: 3, stateOnly: 1, quarantined: 1, published: 3 });
    const out = bus.read('ev');
    expect(out.map((m) => m.key)).toEqual(['h1:10', 'h1:20', 'h1:10']);
    expect(out.map((m) => eventCodec.decode(m.value).type)).toEqual(['openat', 'read', 'close']);
    expect(eventCodec.decode(out[2]!.value).fd).toMatchObject({ num: 3, name: '/etc/hosts' });
    expect(seen.map((e) => e.seq)).toEqual([1, 2, 3]);
    const dlq = bus.read('dlq');
    expect(dlq).toHaveLength(1);
    expect(dlq[0]!.headers).toEqual({ stage: 'collector', error: 'openat: ts must be a bigint (ns since the epoch), not number' });
    expect(JSON.parse(dlq[0]!.value.toString())).toMatchObject({ type: 'openat', tid: 10 });
  });

  it("emits a `container` event (Falco's container event) on the container's pid 1 once a runtime describes it", async () => {
    const state = new StateEngine();
    const ID = 'abcdef012345';
    state.seedProcess({ pid: 700, comm: 'containerd-shim' });
    state.seedProcess({ pid: 701, ppid: 700, vpid: 1, comm: 'nginx', containerId: ID });
    state.seedProcess({ pid: 702, ppid: 701, vpid: 7, comm: 'nginx', containerId: ID });
    const seen: Event[] = [];
    async function* source(): AsyncGenerator<RawRecord[]> {
      yield [rec('openat', 702, { res: 3, args: { dirfd: -100, name: '/etc/hosts', flags: 0 } })];
      // What the metadata resolver does when the runtime answers (collector/containers).
      state.seedContainer({ id: ID, name: 'web', image: 'nginx:1.27', privileged: true, mounts: [] });
      state.announceContainer(ID, 1_700_000_000_500_000_000n);
      state.announceContainer('no-such-container', 1_700_000_000_500_000_000n); // nothing left of it: no record
      yield [rec('read', 702, { args: { fd: 3 } })];
    }
    const stats = await runCollector({ source: source(), host: { id: 'h1', name: 'host-1' }, state, onEvents: (events) => { seen.push(...events); } });
    expect(seen.map((e) => e.type)).toEqual(['openat', 'read', 'container']);
    expect(stats.events).toBe(3);
    const c = seen[2]!;
    expect(c.proc).toMatchObject({ pid: 701, vpid: 1, name: 'nginx' });
    expect(c.container).toMatchObject({ id: ID, name: 'web', image: 'nginx:1.27', privileged: true });
    expect(c.args.find((a) => a.name === 'image')?.text).toBe('nginx:1.27');
    const fired = createEngine({ files: defaultRuleFiles(), match: 'all' }).judge(c).map((a) => a.rule);
    expect(fired).toContain('Privileged container started');
    expect(state.takeContainerAnnouncements()).toEqual([]);
  });

  it('needs somewhere to send events', async () => {
    await expect(runCollector({ source: batches(), host: { id: 'h', name: 'h' } })).rejects.toThrow(CollectorConfigError);
  });
});
