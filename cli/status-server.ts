// A service's status endpoint (node:http, no framework), for the long-running commands
// (`saker evaluator`, `saker collect`, `saker sinks`): GET /metrics (Prometheus text) and GET
// /healthz (200 while the service's state is 'running', 503 otherwise, its health as JSON either
// way).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';

/** What /healthz answers: `state` decides the status code, the rest is detail. */
export interface ServiceHealth {
  state: string;
}

export interface StatusServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Default 127.0.0.1: metrics are not for the whole network unless asked. */
  host?: string;
  metrics: () => string;
  health: () => ServiceHealth;
  logger: Logger;
}

export interface StatusServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startStatusServer(o: StatusServerOptions): Promise<StatusServer> {
  const log = o.logger.child({ name: 'status' });
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    try {
      if (path === '/metrics') {
        const body = o.metrics();
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
      } else if (path === '/healthz') {
        const h = o.health();
        res.writeHead(h.state === 'running' ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(h) + '\n');
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /healthz\n');
      }
    } catch (err) {
      log.error({ err }, 'status request failed');
      res.writeHead(500).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ host: o.host ?? '127.0.0.1', port }, 'serving /metrics and /healthz');
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
