import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { SubscriptionHealth } from '../bus/bus.js';
import { startStatusServer } from './status-server.js';

describe('status endpoint', () => {
  it('serves /metrics and a /healthz that follows the consumer state', async () => {
    let health: SubscriptionHealth = { state: 'starting', assigned: {} };
    const s = await startStatusServer({ port: 0, metrics: () => 'saker_evaluator_up 1\n', health: () => health, logger: pino({ level: 'silent' }) });
    try {
      const base = `http://127.0.0.1:${s.port}`;
      const m = await fetch(`${base}/metrics`);
      expect(m.status).toBe(200);
      expect(m.headers.get('content-type')).toMatch(/^text\/plain; version=0.0.4/);
      expect(await m.text()).toBe('saker_evaluator_up 1\n');
      expect((await fetch(`${base}/healthz`)).status).toBe(503);
      health = { state: 'running', assigned: { ev: [0, 1] } };
      const h = await fetch(`${base}/healthz`);
      expect(h.status).toBe(200);
      expect(await h.json()).toEqual(health);
      expect((await fetch(`${base}/nope`)).status).toBe(404);
      expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
    } finally {
      await s.close();
    }
  });
});
