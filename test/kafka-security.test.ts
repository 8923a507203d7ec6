// Kafka security options on a real broker: a broker of this file's own (scripts/kafka with a
// SASL_PLAINTEXT listener offering PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512, and a TLS listener that
// requires client certificates, from a test CA it makes with openssl), in a temp state dir, stopped
// and deleted at the end. The bus publishes and consumes through each mechanism and over mutual
// TLS; a wrong password, a missing client certificate and an untrusted broker certificate are
// refused with errors that say so (and never carry the password); a real `saker evaluator`
// process, given its password in a file, judges events over SCRAM and logs its configuration with
// the password redacted; `saker replay` moves a capture to Kafka and back over mutual TLS.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIPELINE_RULES, expectedRule, pipelineEvent, pipelineKey } from '../bench/pipeline-events.js';
import { startWorker, stopWorker, waitHealthy } from '../bench/pipeline-workers.js';
import { BusAuthenticationError } from '../bus/errors.js';
import { createKafkaBus, type KafkaBusOptions, type SaslMechanism } from '../bus/kafka/index.js';
import { topicLayout } from '../bus/topics.js';
import { alertCodec, eventCodec } from '../schemas/codec.js';
import { runSaker } from './harness/cli-io.js';
import { ROOT } from './harness/kafka.js';

const run = promisify(execFile);
const USER = 'saker';
const PASSWORD = randomBytes(12).toString('hex');
let home: string;
let env: NodeJS.ProcessEnv;
let sasl: string;
let tlsBrokers: string;
const tlsFile = (name: string): string => join(home, 'tls', name);

/** A port that is free, with the next one free too (scripts/kafka's controller takes port + 1). */
async function freePortPair(): Promise<number> {
  const listenOn = (port: number) => new Promise<boolean>((res) => {
    const s = createServer();
    s.once('error', () => res(false));
    s.listen(port, '127.0.0.1', () => s.close(() => res(true)));
  });
  for (let i = 0; i < 50; i++) {
    const port = 30_000 + Math.floor(Math.random() * 20_000);
    if ((await listenOn(port)) && (await listenOn(port + 1))) return port;
  }
  throw new Error('no two free adjacent ports');
}

function options(mechanism: SaslMechanism, password = PASSWORD): KafkaBusOptions {
  return { brokers: [sasl], clientId: `security-${mechanism}`, transactionalIdPrefix: `security-${mechanism}`, sasl: { mechanism, username: USER, password } };
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'saker-kafka-sasl-'));
  const taken = new Set<number>();
  const pair = async (): Promise<number> => {
    for (;;) {
      const p = await freePortPair();
      if (!taken.has(p) && !taken.has(p + 1)) {
        taken.add(p).add(p + 1);
        return p;
      }
    }
  };
  const [port, saslPort, tlsPort] = [await pair(), await pair(), await pair()];
  env = {
    ...process.env, KAFKA_PORT: String(port), KAFKA_SASL_PORT: String(saslPort), KAFKA_SASL_USER: USER, KAFKA_SASL_PASSWORD: PASSWORD,
    KAFKA_TLS_PORT: String(tlsPort), KAFKA_HOME_DIR: home,
  };
  await run(resolve(ROOT, 'scripts/kafka'), ['start'], { env, timeout: 300_000 });
  sasl = `127.0.0.1:${saslPort}`;
  tlsBrokers = `127.0.0.1:${tlsPort}`;
}, 300_000);

afterAll(async () => {
  if (env) await run(resolve(ROOT, 'scripts/kafka'), ['stop'], { env, timeout: 60_000 }).catch(() => undefined);
  if (home) rmSync(home, { recursive: true, force: true });
});

/** 20 messages published and read back through a transactional consumer, with these options. */
async function expectRoundTrip(o: KafkaBusOptions, tag: string): Promise<void> {
  const bus = createKafkaBus(o);
  const topic = `security.${tag}.${randomBytes(3).toString('hex')}`;
  const sent = Array.from({ length: 20 }, (_, i) => `${tag}-${i}`);
  try {
    await bus.ensureTopics([{ name: topic, partitions: 2, config: {} }]);
    await bus.publish(topic, sent.map((v, i) => ({ key: `k${i}`, value: Buffer.from(v) })));
    const seen: string[] = [];
    const sub = await bus.consume({ topics: [topic], groupId: `${topic}.g`, handler: async (b) => {
      for (const m of b.messages) seen.push(m.value.toString());
      return [];
    } });
    for (const deadline = Date.now() + 30_000; seen.length < sent.length && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 50));
    await sub.stop();
    expect(seen.sort()).toEqual([...sent].sort());
  } finally {
    await bus.close();
  }
}

describe('Kafka over SASL (real broker)', () => {
  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)('publishes and consumes through SASL %s', async (mechanism) => {
    await expectRoundTrip(options(mechanism), mechanism);
  }, 120_000);

  it('refuses a wrong password with an error that names the user and mechanism, not the password', async () => {
    const wrong = `wrong-${randomBytes(6).toString('hex')}`;
    const bus = createKafkaBus(options('scram-sha-256', wrong));
    const err = await bus.ensureTopics([{ name: 'never', partitions: 1, config: {} }]).then(() => null, (e: unknown) => e);
    await bus.close();
    expect(err).toBeInstanceOf(BusAuthenticationError);
    expect((err as BusAuthenticationError).retriable).toBe(false);
    expect((err as Error).message).toContain(`refused SASL scram-sha-256 for user '${USER}'`);
    expect((err as Error).message).not.toContain(wrong);
  }, 60_000);

  it('a saker evaluator with its password in a file judges events over SCRAM and logs its configuration redacted', async () => {
    const prefix = `security.eval.${randomBytes(3).toString('hex')}`;
    const layout = topicLayout({ prefix });
    const passwordFile = join(home, 'sasl-password');
    writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
    const w = await startWorker('sasl', [
      '--brokers', sasl, '--sasl-mechanism', 'scram-sha-512', '--sasl-username', USER, '--sasl-password-file', passwordFile,
      '--rules', PIPELINE_RULES, '--topic-prefix', prefix, '--group', `${prefix}.evaluators`, '--log-level', 'info',
    ]);
    const bus = createKafkaBus(options('scram-sha-512'));
    try {
      await waitHealthy(w, 60_000);
      const n = 200;
      await bus.publish(layout.events.name, Array.from({ length: n }, (_, i) => {
        const e = pipelineEvent(i);
        return { key: pipelineKey(e), value: eventCodec.encode(e) };
      }));
      const expected = Array.from({ length: n }, (_, i) => i).filter((i) => expectedRule(i) !== null);
      const alerts: number[] = [];
      const sub = await bus.consume({ topics: [layout.alerts.name], groupId: `${prefix}.reader`, handler: async (b) => {
        for (const m of b.messages) alerts.push(alertCodec.decode(m.value).eventSeq);
        return [];
      } });
      for (const deadline = Date.now() + 60_000; alerts.length < expected.length && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 50));
      await sub.stop();
      expect(alerts.sort((a, b) => a - b)).toEqual(expected);
      expect(w.stderr()).toContain('"configuration"');
      expect(w.stderr()).toContain('[redacted]');
      expect(w.stderr()).not.toContain(PASSWORD);
    } finally {
      await bus.close();
      await stopWorker(w);
    }
  }, 180_000);
});

describe('Kafka over mutual TLS (real broker)', () => {
  const pem = (name: string): string => readFileSync(tlsFile(name), 'utf8');

  it('publishes and consumes with the CA and a client certificate', async () => {
    await expectRoundTrip({ brokers: [tlsBrokers], clientId: 'security-tls', transactionalIdPrefix: 'security-tls', tls: { ca: pem('ca.pem'), cert: pem('client.pem'), key: pem('client-key.pem') } }, 'tls');
  }, 120_000);

  it('refuses a client without a certificate, and a broker certificate the client does not trust', async () => {
    const refusedBy = async (tls: KafkaBusOptions['tls']): Promise<unknown> => {
      const bus = createKafkaBus({ brokers: [tlsBrokers], clientId: 'security-tls-refused', tls });
      const err = await bus.ensureTopics([{ name: 'never', partitions: 1, config: {} }]).then(() => null, (e: unknown) => e);
      await bus.close();
      return err;
    };
    // Refused at the first handshake: the cause is Node's TLS error itself, not kafkajs' connection
    // error after its retries (bus/kafka/tls-refusals.ts).
    const firstHandshake = (err: unknown): void => {
      const cause = (err as { cause?: { name?: string; code?: string } }).cause;
      expect(cause?.name).not.toMatch(/^KafkaJS/);
      expect(cause?.code).toBeTypeOf('string');
    };
    const noCert = await refusedBy({ ca: pem('ca.pem') });
    expect(noCert).toBeInstanceOf(BusAuthenticationError);
    expect((noCert as BusAuthenticationError).retriable).toBe(false);
    expect((noCert as Error).message).toMatch(/^TLS with the brokers 127\.0\.0\.1:\d+ failed \(ERR_SSL_\w+\)/);
    firstHandshake(noCert);
    // The system's CAs do not know the test CA.
    const untrusted = await refusedBy(true);
    expect(untrusted).toBeInstanceOf(BusAuthenticationError);
    expect((untrusted as Error).message).toMatch(/failed \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/);
    firstHandshake(untrusted);
  }, 120_000);

  it('saker replay moves a capture to Kafka and back over mutual TLS, with the alerts of a direct replay', async () => {
    const capture = join(ROOT, '../shared/conformance/scap-falco-psp/psp_privileged.scap');
    const prefix = `security.replay.${randomBytes(3).toString('hex')}`;
    const tlsFlags = ['--brokers', tlsBrokers, '--tls-ca', tlsFile('ca.pem'), '--tls-cert', tlsFile('client.pem'), '--tls-key', tlsFile('client-key.pem')];
    const direct = await runSaker(['replay', capture, '--rules', 'default']);
    expect(direct.code, direct.err).toBe(0);
    const published = await runSaker(['replay', capture, '--to-kafka', '--topic-prefix', prefix, ...tlsFlags]);
    expect(published.code, published.err).toBe(0);
    expect(published.err).toMatch(new RegExp(`published \\d+ events to ${prefix.replace(/\./g, '\\.')}\\.events`));
    const back = await runSaker(['replay', `kafka:${prefix}.events`, '--rules', 'default', ...tlsFlags]);
    expect(back.code, back.err).toBe(0);
    const lines = (s: string): string[] => s.trim().split('\n').filter(Boolean).sort();
    expect(lines(back.out).length).toBeGreaterThan(0);
    expect(lines(back.out)).toEqual(lines(direct.out));
  }, 180_000);
});
