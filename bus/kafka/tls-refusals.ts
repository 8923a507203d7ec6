// TLS refusals, seen as they happen. kafkajs wraps a socket's TLS error in a retriable
// KafkaJSConnectionError and retries the connect for ~10 s (its default back-off) before giving
// up, although a certificate the client does not trust, or a broker refusing the client's, will
// not change on a retry. The bus gives kafkajs a socket factory (the same sockets kafkajs'
// default makes: kafkajs src/network/socketFactory.js is the mirror) that reports such errors,
// and its connects end at the first one (connectOrRefused), so a misconfigured client fails in
// one handshake with Node's own error (code and message) as the cause.
import { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import type { ISocketFactory } from 'kafkajs';

/** Node's codes for a certificate this client does not trust (the broker's, or its chain). */
const CERTIFICATE_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_UNTRUSTED', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Kafka's own client keeps connections alive the same way (kafkajs' default factory). */
const KEEP_ALIVE_DELAY_MS = 60_000;

/**
 * The TLS code when `code` says that retrying the same settings cannot help: a certificate we
 * refused, or an alert from the broker refusing ours (ERR_SSL_*).
 */
export function isTlsRefusalCode(code: unknown): code is string {
  return typeof code === 'string' && (CERTIFICATE_CODES.has(code) || code.startsWith('ERR_SSL_'));
}

/** Where a bus's sockets report TLS refusals. */
export class TlsRefusals {
  private readonly events = new EventEmitter();

  /** kafkajs' socket factory, reporting TLS refusals here. */
  socketFactory(): ISocketFactory {
    return ({ host, port, ssl, onConnect }) => {
      const socket = ssl
        ? tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
        : net.connect({ host, port }, onConnect);
      socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
      socket.on('error', (err: NodeJS.ErrnoException) => {
        if (isTlsRefusalCode(err.code)) this.events.emit('refused', err);
      });
      return socket;
    };
  }

  /**
   * `connecting`, or Node's TLS error as soon as a socket of this bus is refused; then
   * `abandon` stops the connect's retries.
   */
  connectOrRefused(connecting: Promise<void>, abandon: () => Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onRefused = (err: Error): void => {
        abandon().catch(() => undefined);
        reject(err);
      };
      this.events.once('refused', onRefused);
      connecting.then(resolve, reject).finally(() => this.events.off('refused', onRefused));
    });
  }
}
