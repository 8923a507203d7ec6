// runSinks on the real in-process bus, with a real file sink and a Slack sink posting to a
// local node:http server that fails on command.
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryBus } from '../bus/memory.js';
import { alertCodec, eventCodec } from '../schemas/codec.js';
import { exampleAlert, exampleEvent } from '../schemas/examples.js';
import type { Alert } from '../schemas/types.generated.js';
import { SinkConfigError } from './errors.js';
import { openFileSink } from './file.js';
import { runSinks } from './service.js';
import { createSlackSink } from './slack.js';

const dir = mkdtempSync(join(tmpdir(), 'saker-sinks-service-'));
let server: Server;
let webhook = '';
let failures: number[] = []; // statuses to answer before answering 200
let slackRules: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let data = '';
    req.on('data', (d: Buffer) => (data += d.toString()));
    req.on('end', () => {
      const status = failures.shift() ?? 200;
      if (status === 200) slackRules.push(...(JSON.parse(data) as { attachments: Array<{ title: string }> }).attachments.map((a) => a.title));
      res.writeHead(status).end(status === 200 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  webhook = `http://127.0.0.1:${(server.address() as { port: number }).port}/services/x`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  failures = [];
  slackRules = [];
});

const alert = (rule: string): Alert => ({ ...exampleAlert(), rule });

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function fileRules(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { rule: string }).rule);
}

describe('runSinks', () => {
  it('delivers every alert to every sink and quarantines undecodable messages', async () => {
    const bus = createMemoryBus();
    const path = join(dir, 'all.jsonl');
    await bus.publish('saker.alerts', [
      { key: 'h', value: alertCodec.encode(alert('a1')) },
      { key: 'h', value: Buffer.from('not avro at all') },
      { key: 'h', value: eventCodec.encode(exampleEvent()) }, // an event on the alerts topic
      { key: 'h', value: alertCodec.encode(alert('a2')) },
    ]);
    const sinks = [await openFileSink({ path, reopenOnSighup: false }), createSlackSink({ webhookUrl: webhook, maxAttempts: 1 })];
    const runner = await runSinks({ bus, topic: 'saker.alerts', groupId: 'sinks', sinks, deadLetterTopic: 'saker.alerts.dlq' });
    await bus.publish('saker.alerts', [{ key: 'h', value: alertCodec.encode(alert('a3')) }]);
    await until(() => fileRules(path).length === 3 && slackRules.length === 3, 'three alerts in both sinks');
    expect(runner.health().state).toBe('running');
    await runner.stop();
    expect(fileRules(path)).toEqual(['a1', 'a2', 'a3']);
    expect(slackRules).toEqual(['a1', 'a2', 'a3']);
    const dead = bus.read('saker.alerts.dlq');
    expect(dead).toHaveLength(2);
    expect(dead[0]!.value.toString()).toBe('not avro at all');
    expect(dead[0]!.headers).toMatchObject({ 'saker-dlq-reason': 'decode', 'saker-origin-topic': 'saker.alerts', 'saker-origin-offset': '1' });
    expect(dead[0]!.headers!['saker-dlq-error']).toMatch(/bad magic/);
    expect(dead[1]!.headers!['saker-dlq-error']).toMatch(/unknown writer schema fingerprint/);
    expect(runner.stats).toMatchObject({ alerts: 3, delivered: { file: 3, slack: 3 }, deadLetters: { decode: 2, sink: 0 } });
    // stop() closed the sinks.
    await expect(sinks[0]!.send([alert('late')])).rejects.toThrow(/send after close/);
    await bus.close();
  });

  it('retries a failing sink without repeating the alerts to the sinks that succeeded', async () => {
    const bus = createMemoryBus({ retryDelayMs: 20 });
    const path = join(dir, 'retry.jsonl');
    // Slack answers 503 five times: the sink gives up at once (maxAttempts 1), runSinks tries
    // twice per delivery, the bus delivers the batch again until it goes through.
    failures = [503, 503, 503, 503, 503];
    await bus.publish('saker.alerts', [alert('r1'), alert('r2')].map((a) => ({ key: 'h', value: alertCodec.encode(a) })));
    const runner = await runSinks({
      bus, topic: 'saker.alerts', groupId: 'sinks', deadLetterTopic: 'dlq', attempts: 2, retryDelayMs: 10,
      sinks: [await openFileSink({ path, reopenOnSighup: false }), createSlackSink({ webhookUrl: webhook, maxAttempts: 1 })],
    });
    await until(() => slackRules.length === 2, 'slack to recover');
    await runner.stop();
    expect(slackRules).toEqual(['r1', 'r2']);
    expect(fileRules(path)).toEqual(['r1', 'r2']); // written once, not once per redelivery
    expect(runner.stats.failures).toBe(5);
    expect(runner.stats.alerts).toBe(2);
    expect(bus.read('dlq')).toHaveLength(0);
    await bus.close();
  });

  it('sends what a sink refuses for good to the dead-letter topic, and the other sinks still deliver', async () => {
    const bus = createMemoryBus();
    const path = join(dir, 'refused.jsonl');
    failures = [404];
    await bus.publish('saker.alerts', [{ key: 'h', value: alertCodec.encode(alert('x1')) }]);
    const runner = await runSinks({
      bus, topic: 'saker.alerts', groupId: 'sinks', deadLetterTopic: 'dlq',
      sinks: [await openFileSink({ path, reopenOnSighup: false }), createSlackSink({ webhookUrl: webhook })],
    });
    await until(() => bus.read('dlq').length === 1, 'the dead letter');
    await runner.stop();
    expect(fileRules(path)).toEqual(['x1']);
    const [dead] = bus.read('dlq');
    expect(alertCodec.decode(dead!.value).rule).toBe('x1');
    expect(dead!.headers).toMatchObject({ 'saker-dlq-reason': 'sink', 'saker-dlq-sink': 'slack' });
    expect(dead!.headers!['saker-dlq-error']).toMatch(/HTTP 404/);
    expect(runner.stats.deadLetters.sink).toBe(1);
    await bus.close();
  });

  it('validates its options', async () => {
    const bus = createMemoryBus();
    const sinks = [createSlackSink({ webhookUrl: webhook })];
    await expect(runSinks({ bus, topic: 'a', groupId: 'g', sinks: [], deadLetterTopic: 'd' })).rejects.toThrow(SinkConfigError);
    await expect(runSinks({ bus, topic: 'a', groupId: 'g', sinks, deadLetterTopic: 'a' })).rejects.toThrow(/must differ/);
    await expect(runSinks({ bus, topic: 'a', groupId: 'g', sinks, deadLetterTopic: 'd', attempts: 0 })).rejects.toThrow(/attempts/);
    await bus.close();
  });
});
