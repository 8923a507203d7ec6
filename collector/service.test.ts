import { describe, expect, it } from 'vitest';
import { createMemoryBus } from '../bus/memory.js';
import { eventCodec } from '../schemas/codec.js';
import type { Event } from '../schemas/types.generated.js';
import type { RawRecord } from './raw-record.js';
import { runCollector } from './service.js';
import { StateEngine } from './state/engine.js';
import { CollectorConfigError } from './errors.js';

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

  it('needs somewhere to send events', async () => {
    await expect(runCollector({ source: batches(), host: { id: 'h', name: 'h' } })).rejects.toThrow(CollectorConfigError);
  });
});
