// The Slack sink: posts alerts to a Slack incoming webhook, in order, up to
// maxAlertsPerMessage (default 20) alerts per message so an alert storm does not become a
// storm of requests (Slack allows about one message per second per webhook).
// Request body (application/json):
//   {"text": "<the alerts' text lines, mrkdwn-escaped, one per line>",
//    "attachments": [{"color": "#e01e5a", "title": "<rule>", "text": "<output>",
//      "fields": [{"title": "priority", "value": "Warning", "short": true},
//                 {"title": "hostname", ...}, {"title": "time", ...}, {"title": "tags", ...}],
//      "footer": "saker"}, ... one attachment per alert]}
// Retries: 429 (waiting Retry-After when given), 5xx, timeouts and network errors are retried
// with exponential backoff; after the last attempt the SinkError is retriable (a later batch
// redelivery may succeed). Any other 4xx (invalid_payload, no_service: the webhook was
// revoked...) is not retriable.
// The webhook URL is a secret (whoever has it can post): it never appears in errors or logs;
// the logger redacts any `webhookUrl`/`url` key as a second line of defence.
import type { Logger } from 'pino';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Alert } from '../schemas/types.generated.js';
import { SinkConfigError, SinkError } from './errors.js';
import { formatAlertText, normalizePriority, rfc3339Nanos, type TimeFormat } from './format.js';
import { describeError, sinkLogger, type Sink } from './sink.js';

export interface SlackSinkOptions {
  /** https://hooks.slack.com/services/... (secret). */
  webhookUrl: string;
  /** Per request (default 10000 ms). */
  timeoutMs?: number;
  /** Alerts per webhook message, 1..100 (default 20). */
  maxAlertsPerMessage?: number;
  /** Attempts per message, first included (default 5). */
  maxAttempts?: number;
  /** First backoff delay, doubled each retry up to maxBackoffMs (defaults 500 ms, 30 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
  timeFormat?: TimeFormat;
  logger?: Logger;
}

const COLORS: Record<string, string> = {
  Emergency: '#8b0000', Alert: '#8b0000', Critical: '#e01e5a', Error: '#e01e5a',
  Warning: '#ecb22e', Notice: '#2eb67d', Informational: '#36c5f0', Debug: '#cccccc',
};

/** Slack mrkdwn treats &, < and > as control characters. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attachment(alert: Alert): object {
  const priority = normalizePriority(alert.priority) ?? alert.priority;
  const fields = [
    { title: 'priority', value: priority, short: true },
    { title: 'hostname', value: escape(alert.hostname), short: true },
    { title: 'time', value: rfc3339Nanos(alert.time), short: true },
  ];
  if (alert.tags.length > 0) fields.push({ title: 'tags', value: escape([...alert.tags].sort().join(', ')), short: true });
  return { color: COLORS[priority] ?? '#cccccc', title: escape(alert.rule), text: escape(alert.output), fields, footer: 'saker' };
}

/** The webhook message for one or more alerts. */
export function slackPayload(alerts: readonly Alert[], timeFormat: TimeFormat = 'iso8601'): object {
  return {
    text: alerts.map((a) => escape(formatAlertText(a, { timeFormat }))).join('\n'),
    attachments: alerts.map(attachment),
  };
}

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1) throw new SinkConfigError(`slack sink: ${name} must be a positive integer, got ${value}`);
  return v;
}

/** Outcome of one request: done, retry (after a delay, if the server said), or give up. */
type Attempt = { kind: 'ok' } | { kind: 'retry'; reason: string; afterMs?: number } | { kind: 'fail'; reason: string };

export function createSlackSink(options: SlackSinkOptions): Sink {
  let url: URL;
  try {
    url = new URL(options.webhookUrl);
  } catch {
    throw new SinkConfigError('slack sink: webhookUrl is not a valid URL'); // the value itself is a secret
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new SinkConfigError('slack sink: webhookUrl must be an http(s) URL');
  const timeoutMs = positiveInt('timeoutMs', options.timeoutMs, 10_000);
  const maxAttempts = positiveInt('maxAttempts', options.maxAttempts, 5);
  const perMessage = positiveInt('maxAlertsPerMessage', options.maxAlertsPerMessage, 20);
  if (perMessage > 100) throw new SinkConfigError(`slack sink: maxAlertsPerMessage must be at most 100 (Slack's limit of attachments), got ${perMessage}`);
  const backoffMs = positiveInt('backoffMs', options.backoffMs, 500);
  const maxBackoffMs = positiveInt('maxBackoffMs', options.maxBackoffMs, 30_000);
  const endpoint = url.host; // safe to show: the secret is in the path
  const log = sinkLogger(options.logger, 'slack').child(
    {},
    { redact: { paths: ['webhookUrl', 'url', '*.webhookUrl', '*.url'], censor: '[secret]' } },
  );
  let closed = false;
  const inFlight = new Set<AbortController>();

  const post = async (body: string): Promise<Attempt> => {
    const abort = new AbortController();
    inFlight.add(abort);
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: abort.signal, redirect: 'error' });
      const text = (await res.text()).slice(0, 200);
      if (res.ok) return { kind: 'ok' };
      const reason = `HTTP ${res.status} from ${endpoint}${text ? ` (${text.replace(/\s+/g, ' ')})` : ''}`;
      if (res.status === 429) {
        const retryAfter = Number(res.headers.get('retry-after'));
        return { kind: 'retry', reason, afterMs: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : undefined };
      }
      if (res.status >= 500) return { kind: 'retry', reason };
      return { kind: 'fail', reason };
    } catch (err) {
      if (closed) return { kind: 'fail', reason: 'sink closed during the request' };
      const reason = abort.signal.aborted ? `no answer from ${endpoint} within ${timeoutMs} ms` : `request to ${endpoint} failed: ${describeError(err)}`;
      return { kind: 'retry', reason };
    } finally {
      clearTimeout(timer);
      inFlight.delete(abort);
    }
  };

  const deliver = async (alerts: readonly Alert[]): Promise<void> => {
    const body = JSON.stringify(slackPayload(alerts, options.timeFormat));
    let delay = backoffMs;
    for (let attempt = 1; ; attempt++) {
      const result = await post(body);
      if (result.kind === 'ok') return;
      if (result.kind === 'fail') throw new SinkError('slack', `${result.reason}; not retrying`, { retriable: false });
      if (attempt >= maxAttempts || closed) throw new SinkError('slack', `${result.reason}; gave up after ${attempt} attempts`, { retriable: true });
      const wait = Math.min(result.afterMs ?? delay, maxBackoffMs);
      log.warn({ attempt, waitMs: wait, reason: result.reason, alerts: alerts.length }, 'slack delivery failed, retrying');
      await sleep(wait);
      delay = Math.min(delay * 2, maxBackoffMs);
    }
  };

  return {
    name: 'slack',
    async send(alerts) {
      if (closed) throw new SinkError('slack', 'send after close', { retriable: false });
      for (let i = 0; i < alerts.length; i += perMessage) await deliver(alerts.slice(i, i + perMessage));
    },
    async close() {
      closed = true;
      for (const abort of inFlight) abort.abort();
    },
  };
}
