// Kafka client settings: the typed options a caller passes (already read from the CLI/config
// file at the edge), their validation, and their translation into kafkajs' configuration.
// Secrets (SASL password, TLS key) stay in memory only; loggers redact them (see REDACT_PATHS).
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { CompressionTypes } from './client.js';
import type { Logger } from 'pino';
import { BusConfigError } from '../errors.js';
import { MAX_PACK_BYTES } from './framing.js';

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';
export type Compression = 'none' | 'gzip';

export interface TlsOptions {
  /** PEM contents (not paths: the edge reads the files). Absent: the system's CAs. */
  ca?: string;
  cert?: string;
  key?: string;
  /** Verify the broker's certificate (default true). */
  rejectUnauthorized?: boolean;
}

export interface SaslOptions {
  mechanism: SaslMechanism;
  username: string;
  password: string;
}

export interface KafkaBusOptions {
  /** host:port of one or more brokers. */
  brokers: string[];
  /** Identifies this process in broker logs and quotas (default 'saker'). */
  clientId?: string;
  /** true: TLS with the system's CAs; an object: explicit PEMs. */
  tls?: boolean | TlsOptions;
  sasl?: SaslOptions;
  /** Producer compression. kafkajs has gzip built in; others would need codec packages. */
  compression?: Compression;
  /**
   * Transactional consumers: prefix of the per-partition transactional ids (default 'saker').
   * Every worker of one service must use the same prefix; different services different ones.
   */
  transactionalIdPrefix?: string;
  /**
   * Partition batches one consumer processes at the same time (default 12). Each batch is its own
   * transaction, so a fetch cycle costs one transaction round when this covers every partition held.
   */
  partitionsConsumedConcurrently?: number;
  /** Broker-side limit for an open transaction before it is aborted (default 60 s). */
  transactionTimeoutMs?: number;
  /** Consumer session timeout: how fast a dead worker's partitions move (default 10 s). */
  sessionTimeoutMs?: number;
  /** Largest fetch per partition (default 1 MiB). */
  maxBytesPerPartition?: number;
  /**
   * Largest packed record the bus writes (default 256 KiB): a publish's messages for one
   * partition travel as few records of this size (framing.ts), not one record each.
   */
  maxPackBytes?: number;
  /** A fetch waits up to this long for data before answering empty (default 250 ms). */
  maxWaitTimeInMs?: number;
  logger?: Logger;
}

/** pino redaction paths for anything that might carry these options. */
export const REDACT_PATHS = ['sasl.password', '*.sasl.password', 'tls.key', '*.tls.key', 'password', '*.password'];

export interface ValidatedKafkaOptions {
  brokers: string[];
  clientId: string;
  tls: boolean | TlsOptions;
  sasl: SaslOptions | null;
  compression: CompressionTypes;
  transactionalIdPrefix: string;
  partitionsConsumedConcurrently: number;
  transactionTimeoutMs: number;
  sessionTimeoutMs: number;
  maxBytesPerPartition: number;
  maxPackBytes: number;
  maxWaitTimeInMs: number;
}

const BROKER = /^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/;
const ID = /^[A-Za-z0-9._-]+$/;

export function validateKafkaOptions(o: KafkaBusOptions): ValidatedKafkaOptions {
  if (!Array.isArray(o.brokers) || o.brokers.length === 0) throw new BusConfigError('at least one broker (host:port) is required');
  for (const b of o.brokers) {
    if (typeof b !== 'string' || !BROKER.test(b)) throw new BusConfigError(`broker '${String(b)}' is not host:port`);
  }
  const clientId = o.clientId ?? 'saker';
  if (!ID.test(clientId)) throw new BusConfigError(`client id '${clientId}' may only contain letters, digits, '.', '_' and '-'`);
  const prefix = o.transactionalIdPrefix ?? 'saker';
  if (!ID.test(prefix)) throw new BusConfigError(`transactional id prefix '${prefix}' may only contain letters, digits, '.', '_' and '-'`);
  let sasl: SaslOptions | null = null;
  if (o.sasl) {
    const { mechanism, username, password } = o.sasl;
    if (!['plain', 'scram-sha-256', 'scram-sha-512'].includes(mechanism)) {
      throw new BusConfigError(`SASL mechanism '${String(mechanism)}' is not one of plain, scram-sha-256, scram-sha-512`);
    }
    if (!username) throw new BusConfigError('SASL needs a username');
    if (!password) throw new BusConfigError('SASL needs a password');
    sasl = { mechanism, username, password };
  }
  if (typeof o.tls === 'object') {
    if ((o.tls.cert === undefined) !== (o.tls.key === undefined)) throw new BusConfigError('a TLS client certificate needs both cert and key');
  }
  if (sasl && !o.tls) {
    // Not an error (some clusters run SASL over plaintext inside a VPC), but worth knowing.
    o.logger?.warn({ mechanism: sasl.mechanism }, 'SASL without TLS: credentials and data cross the network unencrypted');
  }
  const compression = o.compression ?? 'none';
  const codec = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP }[compression];
  if (codec === undefined) {
    throw new BusConfigError(`compression '${String(compression)}' is not available: kafkajs has gzip built in, snappy/lz4/zstd need codec packages Saker does not ship`);
  }
  return {
    brokers: [...o.brokers],
    clientId,
    tls: o.tls ?? false,
    sasl,
    compression: codec,
    transactionalIdPrefix: prefix,
    partitionsConsumedConcurrently: positiveInt('partitionsConsumedConcurrently', o.partitionsConsumedConcurrently ?? 12),
    transactionTimeoutMs: positiveInt('transactionTimeoutMs', o.transactionTimeoutMs ?? 60_000),
    sessionTimeoutMs: positiveInt('sessionTimeoutMs', o.sessionTimeoutMs ?? 10_000),
    maxBytesPerPartition: positiveInt('maxBytesPerPartition', o.maxBytesPerPartition ?? 1 << 20),
    maxPackBytes: packBytes(o.maxPackBytes ?? MAX_PACK_BYTES),
    maxWaitTimeInMs: positiveInt('maxWaitTimeInMs', o.maxWaitTimeInMs ?? 250),
  };
}

/** The broker rejects a record batch above max.message.bytes (1 MiB by default). */
function packBytes(v: number): number {
  positiveInt('maxPackBytes', v);
  if (v < 1024 || v > 900 * 1024) throw new BusConfigError(`maxPackBytes must be between 1 KiB and 900 KiB (under the broker's 1 MiB record batch limit), got ${v}`);
  return v;
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new BusConfigError(`${name} must be a positive integer, got ${v}`);
  return v;
}

/** The kafkajs client configuration (without logging, which index.ts adds). */
export function kafkaClientConfig(v: ValidatedKafkaOptions): KafkaConfig {
  const config: KafkaConfig = { clientId: v.clientId, brokers: v.brokers, connectionTimeout: 5000, requestTimeout: 30_000 };
  if (v.tls) config.ssl = v.tls === true ? true : { ...v.tls };
  if (v.sasl) {
    const { mechanism, username, password } = v.sasl;
    config.sasl = { mechanism, username, password } as SASLOptions;
  }
  return config;
}
