// The in-process bus in a long-running process: consumed messages are dropped once every group
// reading them has committed, and whenIdle() drains before a shutdown.
import { describe, expect, it } from 'vitest';
import { createMemoryBus } from './memory.js';

const msg = (i: number) => ({ key: `k${i % 7}`, value: Buffer.from(String(i)) });

describe('in-process bus retention', () => {
  it('keeps memory bounded by lag when retainConsumed is false, and loses nothing', async () => {
    const bus = createMemoryBus({ retainConsumed: false, partitions: 2, maxBatch: 500 });
    const seen: string[] = [];
    let lastOffset = -1;
    const sub = await bus.consume({
      topics: ['t'], groupId: 'g',
      handler: async (batch) => {
        for (const m of batch.messages) {
          seen.push(m.value.toString());
          lastOffset = Math.max(lastOffset, Number(m.offset));
        }
        return [];
      },
    });
    const total = 50_000;
    for (let i = 0; i < total; i += 1000) await bus.publish('t', Array.from({ length: 1000 }, (_, j) => msg(i + j)));
    await bus.whenIdle();
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    // What is left is at most one trim threshold per partition.
    expect(bus.read('t').length).toBeLessThanOrEqual(2 * 4096);
    // Offsets keep counting past trimmed messages.
    await bus.publish('t', [msg(1), msg(2)]);
    await bus.whenIdle();
    expect(seen).toHaveLength(total + 2);
    expect(lastOffset).toBeGreaterThan(total / 2 - 10);
    await sub.stop();
    await bus.close();
  });

  it('keeps everything by default (tests read topics back)', async () => {
    const bus = createMemoryBus();
    const sub = await bus.consume({ topics: ['t'], groupId: 'g', handler: async () => [] });
    await bus.publish('t', Array.from({ length: 5000 }, (_, i) => msg(i)));
    await bus.whenIdle();
    expect(bus.read('t')).toHaveLength(5000);
    await sub.stop();
    await bus.close();
  });

  it('whenIdle waits for a chain of consumers (events -> alerts -> sink)', async () => {
    const bus = createMemoryBus({ retainConsumed: false });
    let sunk = 0;
    const a = await bus.consume({ topics: ['events'], groupId: 'eval', handler: async (b) => [{ topic: 'alerts', messages: b.messages.map((m) => ({ key: null, value: m.value })) }] });
    const s = await bus.consume({ topics: ['alerts'], groupId: 'sink', handler: async (b) => { sunk += b.messages.length; return []; } });
    await bus.publish('events', Array.from({ length: 3000 }, (_, i) => msg(i)));
    await bus.whenIdle();
    expect(sunk).toBe(3000);
    await a.stop();
    await s.stop();
    await bus.close();
  });
});
