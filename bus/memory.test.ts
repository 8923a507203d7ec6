import { describe, expect, it } from 'vitest';
import { createMemoryBus } from './memory.js';
import type { ConsumedBatch } from './bus.js';
import { BusConfigError } from './errors.js';

const msg = (s: string, key: string | null = 'k') => ({ key, value: Buffer.from(s) });

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!cond()) throw new Error('condition not reached');
}

describe('in-process bus', () => {
  it('delivers published messages in order and publishes the handler output with the commit', async () => {
    const bus = createMemoryBus({ maxBatch: 3 });
    const seen: string[] = [];
    const sub = await bus.consume({
      topics: ['in'],
      groupId: 'g',
      handler: async (b: ConsumedBatch) => {
        seen.push(...b.messages.map((m) => `${m.offset}:${m.value.toString()}`));
        return [{ topic: 'out', messages: b.messages.map((m) => ({ key: m.key, value: Buffer.from(m.value.toString().toUpperCase()) })) }];
      },
    });
    await bus.publish('in', ['a', 'b', 'c', 'd', 'e'].map((s) => msg(s)));
    await until(() => seen.length === 5);
    expect(seen).toEqual(['0:a', '1:b', '2:c', '3:d', '4:e']);
    await until(() => bus.read('out').length === 5);
    expect(bus.read('out').map((m) => m.value.toString())).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(sub.health().state).toBe('running');
    await sub.stop();
    expect(sub.health().state).toBe('stopped');
    await bus.close();
  });

  it('redelivers a batch whose handler threw, and its output appears once (onCommitted once)', async () => {
    const bus = createMemoryBus({ retryDelayMs: 1 });
    let calls = 0;
    const committed: string[][] = [];
    await bus.consume({
      topics: ['in'],
      groupId: 'g',
      handler: async (b) => {
        calls++;
        if (calls === 1) throw new Error('transient');
        return [{ topic: 'out', messages: b.messages.map((m) => ({ key: null, value: m.value })) }];
      },
      onCommitted: (b, published) => {
        // Called after the commit: the output is already visible.
        committed.push([...b.messages.map((m) => m.value.toString()), `visible ${bus.read('out').length} of ${published[0]!.messages.length}`]);
      },
    });
    await bus.publish('in', [msg('x'), msg('y')]);
    await until(() => bus.read('out').length === 2);
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toBe(2);
    expect(bus.read('out').map((m) => m.value.toString())).toEqual(['x', 'y']);
    expect(committed).toEqual([['x', 'y', 'visible 2 of 2']]);
    await bus.close();
  });

  it('resumes a group from its committed offset, and keys keep their partition', async () => {
    const bus = createMemoryBus({ partitions: 4 });
    await bus.publish('in', Array.from({ length: 40 }, (_, i) => msg(String(i), `key-${i % 5}`)));
    const byKey = new Map<string, Set<number>>();
    for (const m of bus.read('in')) byKey.set(m.key!, (byKey.get(m.key!) ?? new Set()).add(m.partition));
    for (const parts of byKey.values()) expect(parts.size).toBe(1);
    let count = 0;
    const first = await bus.consume({ topics: ['in'], groupId: 'g', handler: async (b) => ((count += b.messages.length), []) });
    await until(() => count === 40);
    await first.stop();
    await bus.publish('in', [msg('late')]);
    let again = 0;
    await bus.consume({ topics: ['in'], groupId: 'g', handler: async (b) => ((again += b.messages.length), []) });
    await until(() => again === 1);
    await bus.close();
  });

  it('rejects bad options and a second member of a group', async () => {
    expect(() => createMemoryBus({ partitions: 0 })).toThrow(BusConfigError);
    const bus = createMemoryBus();
    await bus.consume({ topics: ['t'], groupId: 'g', handler: async () => [] });
    await expect(bus.consume({ topics: ['t'], groupId: 'g', handler: async () => [] })).rejects.toThrow(/one per group/);
    await expect(bus.consume({ topics: [], groupId: 'h', handler: async () => [] })).rejects.toThrow(BusConfigError);
    await bus.close();
    await expect(bus.publish('t', [msg('x')])).rejects.toThrow(/closed/);
  });
});
