// The Slack sink against a local node:http server standing in for hooks.slack.com: it answers
// from a script of responses and records every request.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { exampleAlert } from '../schemas/examples.js';
import { SinkConfigError, SinkError } from './errors.js';
import { createSlackSink, slackPayload } from './slack.js';

type Reply = { status: number; body?: string; headers?: Record<string, string> } | 'hang';

let server: Server;
let base = '';
let script: Reply[] = [];
let requests: Array<{ path: string; contentType: string | undefined; body: unknown }> = [];
const SECRET_PATH = '/services/T0000/B0000/s3cr3tT0k3n';

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let data = '';
    req.on('data', (d: Buffer) => (data += d.toString()));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: JSON.parse(data) });
      const reply = script.shift() ?? { status: 200, body: 'ok' };
      if (reply === 'hang') return; // never answers: the client's timeout must fire
      res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  script = [];
  requests = [];
});

/** A real pino logger writing into memory, to check what the sink logs. */
function capturingLogger(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk: Buffer, _enc, cb) { lines.push(chunk.toString()); cb(); } });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

const fast = { backoffMs: 10, maxBackoffMs: 50 };

describe('slack sink', () => {
  it('posts the alerts in order, one webhook message per alert with maxAlertsPerMessage 1', async () => {
    const sink = createSlackSink({ webhookUrl: base + SECRET_PATH, maxAlertsPerMessage: 1 });
    const second = { ...exampleAlert(), rule: 'Second <rule> & co', priority: 'CRITICAL' };
    await sink.send([exampleAlert(), second]);
    await sink.close();
    expect(requests.map((r) => r.path)).toEqual([SECRET_PATH, SECRET_PATH]);
    expect(requests[0]!.contentType).toBe('application/json');
    expect(requests[0]!.body).toEqual(slackPayload([exampleAlert()]));
    const body = requests[1]!.body as { text: string; attachments: Array<{ title: string; color: string; fields: Array<{ title: string; value: string }> }> };
    expect(body.text).toMatch(/^2023-11-14T22:13:20\.123456789\+0000: Critical Sensitive file opened/);
    expect(body.attachments[0]!.title).toBe('Second &lt;rule&gt; &amp; co');
    expect(body.attachments[0]!.color).toBe('#e01e5a');
    expect(body.attachments[0]!.fields).toContainEqual({ title: 'tags', value: 'T1555, filesystem, mitre_credential_access', short: true });
  });

  it('groups a storm of alerts into few messages', async () => {
    const sink = createSlackSink({ webhookUrl: base + SECRET_PATH });
    const alerts = Array.from({ length: 45 }, (_, i) => ({ ...exampleAlert(), rule: `storm ${i}` }));
    await sink.send(alerts);
    expect(requests).toHaveLength(3); // 20 + 20 + 5
    const titles = requests.flatMap((r) => (r.body as { attachments: Array<{ title: string }> }).attachments.map((a) => a.title));
    expect(titles).toEqual(alerts.map((a) => a.rule));
    expect((requests[2]!.body as { text: string }).text.split('\n')).toHaveLength(5);
    expect(() => createSlackSink({ webhookUrl: base, maxAlertsPerMessage: 101 })).toThrow(/at most 100/);
  });

  it('retries 5xx and 429 (honouring Retry-After), then succeeds', async () => {
    script = [{ status: 500 }, { status: 429, headers: { 'retry-after': '0' } }, { status: 503 }, { status: 200 }];
    const sink = createSlackSink({ webhookUrl: base + SECRET_PATH, ...fast });
    await sink.send([exampleAlert()]);
    expect(requests).toHaveLength(4);
  });

  it('does not retry other 4xx: not retriable, with Slack\'s reason', async () => {
    script = [{ status: 404, body: 'no_service' }];
    const sink = createSlackSink({ webhookUrl: base + SECRET_PATH, ...fast });
    const error = await sink.send([exampleAlert(), exampleAlert()]).catch((err: unknown) => err); // one message
    expect(error).toBeInstanceOf(SinkError);
    expect((error as SinkError).retriable).toBe(false);
    expect((error as Error).message).toBe(`slack: HTTP 404 from ${new URL(base).host} (no_service); not retrying`);
    expect(requests).toHaveLength(1);
  });

  it('gives up after maxAttempts with a retriable error', async () => {
    script = [{ status: 502 }, { status: 502 }, { status: 502 }];
    const sink = createSlackSink({ webhookUrl: base + SECRET_PATH, maxAttempts: 3, ...fast });
    const error = await sink.send([exampleAlert()]).catch((err: unknown) => err);
    expect((error as SinkError).retriable).toBe(true);
    expect((error as Error).message).toMatch(/HTTP 502 .*gave up after 3 attempts/);
    expect(requests).toHaveLength(3);
  });

  it('times out a server that does not answer, and retries', async () => {
    script = ['hang', { status: 200 }];
    const sink = createSlackSink({ webhookUrl: base + SECRET_PATH, timeoutMs: 200, ...fast });
    await sink.send([exampleAlert()]);
    expect(requests).toHaveLength(2);
  });

  it('never puts the webhook URL in errors or logs', async () => {
    const { logger, lines } = capturingLogger();
    script = [{ status: 500 }, { status: 500 }, { status: 403, body: 'invalid_token' }];
    const sink = createSlackSink({ webhookUrl: base + SECRET_PATH, logger, ...fast });
    const error = await sink.send([exampleAlert()]).catch((err: unknown) => err);
    // A careless caller logging the options is redacted too.
    logger.child({ name: 'sinks.slack' }, { redact: ['webhookUrl'] }).info({ webhookUrl: base + SECRET_PATH }, 'configured');
    const unreachable = createSlackSink({ webhookUrl: `http://127.0.0.1:1${SECRET_PATH}`, maxAttempts: 1, logger });
    const netError = await unreachable.send([exampleAlert()]).catch((err: unknown) => err);
    const everything = [String(error), String(netError), JSON.stringify(error), ...lines].join('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2); // the retry warnings were logged
    expect(everything).not.toContain('s3cr3tT0k3n');
    expect(everything).toContain('[Redacted]');
    expect(String(netError)).toMatch(/request to 127\.0\.0\.1:1 failed/);
    expect(() => createSlackSink({ webhookUrl: `not a url ${SECRET_PATH}` })).toThrow(SinkConfigError);
    try {
      createSlackSink({ webhookUrl: `not a url ${SECRET_PATH}` });
    } catch (err) {
      expect(String(err)).not.toContain('s3cr3tT0k3n');
    }
  });

  it('validates its options', () => {
    expect(() => createSlackSink({ webhookUrl: 'ftp://example.com/x' })).toThrow(/http\(s\) URL/);
    expect(() => createSlackSink({ webhookUrl: base, maxAttempts: 0 })).toThrow(/maxAttempts/);
  });
});
