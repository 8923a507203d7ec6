import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../args.js';
import { evaluatorLogger, parseEvaluatorArgs } from './evaluator.js';

const dir = mkdtempSync(join(tmpdir(), 'saker-evaluator-cli-'));
const rules = join(dir, 'r.yaml');
writeFileSync(rules, '- list: l\n  items: [a]\n');

describe('saker evaluator: configuration', () => {
  it('reads flags into typed options with defaults', () => {
    const c = parseEvaluatorArgs(['--brokers', 'k1:9092,k2:9092', '--rules', rules, 'second.yaml', '--group', 'g1', '--priority', 'warning'], {});
    expect(c.kafka).toMatchObject({ brokers: ['k1:9092', 'k2:9092'], clientId: 'saker-evaluator', compression: 'none', partitionsConsumedConcurrently: 12 });
    expect(c.kafka.tls).toBeUndefined();
    expect(c.engine.files).toEqual([rules, 'second.yaml']);
    expect(c.engine.minPriority).toBe('warning');
    expect(c).toMatchObject({ groupId: 'g1', topicPrefix: 'saker', eventsPartitions: 12, createTopics: true, metricsPort: 9464, metricsHost: '127.0.0.1' });
  });

  it('reads TLS PEM files and the SASL password from a file or the environment', () => {
    const ca = join(dir, 'ca.pem');
    const pw = join(dir, 'pw');
    writeFileSync(ca, 'CA');
    writeFileSync(pw, 's3cret\n');
    const base = ['--brokers', 'b:9093', '--rules', rules, '--tls-ca', ca, '--sasl-mechanism', 'scram-sha-256', '--sasl-username', 'svc'];
    const fromFile = parseEvaluatorArgs([...base, '--sasl-password-file', pw], { SAKER_SASL_PASSWORD: 'ignored' });
    expect(fromFile.kafka.tls).toEqual({ ca: 'CA', cert: undefined, key: undefined, rejectUnauthorized: true });
    expect(fromFile.kafka.sasl).toEqual({ mechanism: 'scram-sha-256', username: 'svc', password: 's3cret' });
    expect(parseEvaluatorArgs(base, { SAKER_SASL_PASSWORD: 'env-pw' }).kafka.sasl?.password).toBe('env-pw');
  });

  it.each([
    [['--rules', 'r.yaml'], /--brokers/],
    [['--brokers', 'b:1'], /--rules/],
    [['--brokers', 'b:1', '--rules', 'r', '--compression', 'zstd'], /none or gzip/],
    [['--brokers', 'b:1', '--rules', 'r', '--sasl-mechanism', 'plain', '--sasl-username', 'u'], /password/],
    [['--brokers', 'b:1', '--rules', 'r', '--sasl-mechanism', 'kerberos'], /sasl-mechanism/],
    [['--brokers', 'b:1', '--rules', 'r', '--tls-ca', '/nonexistent/ca.pem'], /nonexistent/],
    [['--brokers', 'b:1', '--rules', 'r', '--metrics-port', 'x'], /metrics-port/],
    [['--brokers', 'b:1', '--rules', 'r', '--bogus'], /bogus/],
  ])('rejects %j with a usage error', (argv, re) => {
    expect(() => parseEvaluatorArgs(argv, {})).toThrow(UsageError);
    expect(() => parseEvaluatorArgs(argv, {})).toThrow(re);
  });

  it('never logs the SASL password or the TLS key', () => {
    let out = '';
    const sink = new Writable({ write(chunk, _e, cb) { out += chunk.toString(); cb(); } });
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    writeFileSync(key, 'PRIVATE-KEY-MATERIAL');
    writeFileSync(cert, 'CERT');
    const config = parseEvaluatorArgs(
      ['--brokers', 'b:1', '--rules', rules, '--tls-cert', cert, '--tls-key', key, '--sasl-mechanism', 'plain', '--sasl-username', 'u'],
      { SAKER_SASL_PASSWORD: 'hunter2-password' },
    );
    const log = evaluatorLogger('info', sink);
    log.info({ config }, 'configuration');
    log.child({ name: 'x' }).info({ sasl: config.kafka.sasl }, 'again');
    expect(out).toContain('"username":"u"');
    expect(out).not.toContain('hunter2-password');
    expect(out).not.toContain('PRIVATE-KEY-MATERIAL');
    expect(out).toContain('[redacted]');
  });
});
