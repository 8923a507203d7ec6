// The syslog sink: sends each alert as one syslog message (format: syslog-format.ts) to a
// syslog server such as a local rsyslogd, over
//   udp   one datagram per alert (no delivery guarantee: UDP reports no loss),
//   tcp   one connection kept open, reconnected on the next send after a failure,
//   unix  a Unix *stream* socket (rsyslog's imptcp `path=`). /dev/log is a datagram socket,
//         which Node cannot write to; that case fails with a clear error.
// Stream transports resolve send() once the batch is written to the socket.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Alert } from '../schemas/types.generated.js';
import { SinkConfigError, SinkError } from './errors.js';
import { createAlertFormatter, type AlertFormat, type FormatOptions } from './format.js';
import { describeError, sinkLogger, type Sink } from './sink.js';
import { facilityNumber, formatSyslogMessage, frameForStream, truncateUtf8, type FacilityName, type SyslogHeader, type SyslogProtocol } from './syslog-format.js';

export type SyslogTransport =
  | { type: 'udp'; host?: string; port?: number }
  | { type: 'tcp'; host?: string; port?: number }
  | { type: 'unix'; path: string };

export interface SyslogSinkOptions extends FormatOptions {
  transport: SyslogTransport;
  /** Default 'rfc5424'. */
  protocol?: SyslogProtocol;
  /** Default 'user', as Falco's syslog_output (LOG_USER). */
  facility?: FacilityName | number;
  /** APP-NAME / TAG (default 'saker'). */
  appName?: string;
  /** MSG: the alert as a text line (default) or a JSON line. */
  format?: AlertFormat;
  /** Longest message in bytes; longer ones are cut (default 8192, rsyslog's default limit). */
  maxMessageBytes?: number;
  /** Stream transports: give up connecting after this long (default 5000 ms). */
  connectTimeoutMs?: number;
  logger?: Logger;
}

function validate(o: SyslogSinkOptions): void {
  const t = o.transport;
  if (t === undefined || !['udp', 'tcp', 'unix'].includes(t.type)) throw new SinkConfigError(`syslog sink: transport.type must be udp, tcp or unix`);
  if (t.type === 'unix' && (typeof t.path !== 'string' || t.path === '')) throw new SinkConfigError('syslog sink: transport.path is required for unix');
  if (t.type !== 'unix' && t.port !== undefined && (!Number.isInteger(t.port) || t.port < 1 || t.port > 65535)) {
    throw new SinkConfigError(`syslog sink: port must be 1..65535, got ${t.port}`);
  }
  const max = o.maxMessageBytes;
  if (max !== undefined && (!Number.isInteger(max) || max < 480 || max > 65000)) {
    throw new SinkConfigError(`syslog sink: maxMessageBytes must be an integer from 480 to 65000, got ${max}`);
  }
  if (o.protocol !== undefined && o.protocol !== 'rfc5424' && o.protocol !== 'rfc3164') {
    throw new SinkConfigError(`syslog sink: protocol must be rfc5424 or rfc3164, got ${JSON.stringify(o.protocol)}`);
  }
}

function describeTarget(t: SyslogTransport): string {
  return t.type === 'unix' ? `unix:${t.path}` : `${t.type}://${t.host ?? '127.0.0.1'}:${t.port ?? 514}`;
}

/** Creates the sink; for tcp and unix it connects now, so a wrong address fails at startup. */
export async function openSyslogSink(options: SyslogSinkOptions): Promise<Sink> {
  validate(options);
  const protocol = options.protocol ?? 'rfc5424';
  const header: SyslogHeader = {
    protocol,
    facility: facilityNumber(options.facility ?? 'user'),
    appName: options.appName ?? 'saker',
    procId: String(process.pid),
  };
  const format = createAlertFormatter({ ...options, format: options.format ?? 'text' });
  const log = sinkLogger(options.logger, 'syslog');
  const transport = options.transport;
  const target = describeTarget(transport);
  const maxBytes = options.maxMessageBytes ?? 8192;
  const messages = (alerts: readonly Alert[]) => alerts.map((a) => truncateUtf8(formatSyslogMessage(a, format(a), header), maxBytes));

  if (transport.type === 'udp') {
    const host = transport.host ?? '127.0.0.1';
    const port = transport.port ?? 514;
    const socket: UdpSocket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    socket.on('error', (err) => log.warn({ err: describeError(err), target }, 'udp socket error'));
    socket.unref();
    let closed = false;
    const sendOne = (msg: string) =>
      new Promise<void>((resolve, reject) => socket.send(Buffer.from(msg, 'utf8'), port, host, (err) => (err ? reject(err) : resolve())));
    return {
      name: 'syslog',
      async send(alerts) {
        if (closed) throw new SinkError('syslog', 'send after close', { retriable: false });
        try {
          for (const msg of messages(alerts)) await sendOne(msg);
        } catch (err) {
          throw new SinkError('syslog', `sending to ${target} failed: ${describeError(err)}`, { retriable: true, cause: err });
        }
      },
      async close() {
        if (closed) return;
        closed = true;
        await new Promise<void>((resolve) => socket.close(() => resolve()));
      },
    };
  }

  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  let socket: Socket | null = null;
  let closed = false;

  const open = (): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const s = transport.type === 'unix' ? connect({ path: transport.path }) : connect({ host: transport.host ?? '127.0.0.1', port: transport.port ?? 514 });
      const timer = setTimeout(() => s.destroy(new Error(`no connection within ${connectTimeoutMs} ms`)), connectTimeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        s.off('error', reject);
        s.setNoDelay(true);
        // A server that closes or fails the connection: forget it; the next send reconnects.
        s.on('error', (err) => log.warn({ err: describeError(err), target }, 'syslog connection failed'));
        s.on('close', () => {
          if (socket === s) socket = null;
        });
        resolve(s);
      });
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });

  const connectError = (err: unknown): SinkError => {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPROTOTYPE') {
      return new SinkError('syslog', `${target} is a datagram socket (like /dev/log); Node can only write to Unix stream sockets: use rsyslog's imptcp with path=, or udp/tcp`, { retriable: false, cause: err });
    }
    // Refused, missing socket file, timeout: the server may be (re)starting.
    return new SinkError('syslog', `cannot connect to ${target}: ${describeError(err)}`, { retriable: code !== 'EACCES', cause: err });
  };

  try {
    socket = await open();
  } catch (err) {
    throw connectError(err);
  }

  return {
    name: 'syslog',
    async send(alerts) {
      if (closed) throw new SinkError('syslog', 'send after close', { retriable: false });
      if (alerts.length === 0) return;
      const data = messages(alerts).map((m) => frameForStream(m, protocol)).join('');
      if (socket === null || socket.destroyed) {
        try {
          socket = await open();
          log.info({ target }, 'reconnected');
        } catch (err) {
          throw connectError(err);
        }
      }
      const s = socket;
      try {
        await new Promise<void>((resolve, reject) => s.write(data, 'utf8', (err) => (err ? reject(err) : resolve())));
      } catch (err) {
        s.destroy();
        throw new SinkError('syslog', `writing to ${target} failed: ${describeError(err)}`, { retriable: true, cause: err });
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      const s = socket;
      socket = null;
      if (s && !s.destroyed) await new Promise<void>((resolve) => s.end(() => resolve()));
    },
  };
}
