import { CompressionTypes } from './client.js';
import { describe, expect, it } from 'vitest';
import { BusConfigError } from '../errors.js';
import { kafkaClientConfig, validateKafkaOptions } from './options.js';

describe('Kafka bus options', () => {
  it('fills defaults and builds the kafkajs configuration', () => {
    const v = validateKafkaOptions({ brokers: ['127.0.0.1:9092', 'kafka-2.example:9093'] });
    expect(v).toMatchObject({ clientId: 'saker', compression: CompressionTypes.None, transactionalIdPrefix: 'saker', partitionsConsumedConcurrently: 12 });
    expect(kafkaClientConfig(v)).toMatchObject({ brokers: ['127.0.0.1:9092', 'kafka-2.example:9093'], clientId: 'saker' });
    expect(kafkaClientConfig(v).ssl).toBeUndefined();
    expect(v).toMatchObject({ maxPackBytes: 256 * 1024, maxWaitTimeInMs: 250 });
  });

  it('passes TLS material and SASL credentials through', () => {
    const v = validateKafkaOptions({
      brokers: ['b:9093'],
      tls: { ca: 'CA PEM', cert: 'CERT', key: 'KEY', rejectUnauthorized: true },
      sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' },
      compression: 'gzip',
    });
    const c = kafkaClientConfig(v);
    expect(c.ssl).toEqual({ ca: 'CA PEM', cert: 'CERT', key: 'KEY', rejectUnauthorized: true });
    expect(c.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'u', password: 'p' });
    expect(v.compression).toBe(CompressionTypes.GZIP);
    expect(kafkaClientConfig(validateKafkaOptions({ brokers: ['b:1'], tls: true })).ssl).toBe(true);
  });

  it.each([
    [{ brokers: [] }, /at least one broker/],
    [{ brokers: ['no-port'] }, /not host:port/],
    [{ brokers: ['b:1'], clientId: 'bad id' }, /client id/],
    [{ brokers: ['b:1'], sasl: { mechanism: 'gssapi', username: 'u', password: 'p' } }, /SASL mechanism/],
    [{ brokers: ['b:1'], sasl: { mechanism: 'plain', username: 'u', password: '' } }, /password/],
    [{ brokers: ['b:1'], tls: { cert: 'x' } }, /both cert and key/],
    [{ brokers: ['b:1'], compression: 'zstd' }, /not available/],
    [{ brokers: ['b:1'], partitionsConsumedConcurrently: 0 }, /positive integer/],
    [{ brokers: ['b:1'], maxPackBytes: 512 }, /between 1 KiB and 900 KiB/],
    [{ brokers: ['b:1'], maxPackBytes: 2 << 20 }, /between 1 KiB and 900 KiB/],
    [{ brokers: ['b:1'], maxWaitTimeInMs: 0 }, /positive integer/],
  ])('rejects %j', (o, re) => {
    expect(() => validateKafkaOptions(o as never)).toThrow(BusConfigError);
    expect(() => validateKafkaOptions(o as never)).toThrow(re);
  });
});
