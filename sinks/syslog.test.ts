// Runs a private rsyslogd (Debian package rsyslog) with its own config: UDP and TCP inputs on
// free loopback ports, a Unix stream socket (imptcp) and a Unix datagram socket (imuxsock),
// everything written to a file in a temp dir with the parsed syslog fields.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleAlert } from '../schemas/examples.js';
import type { Alert } from '../schemas/types.generated.js';
import { SinkConfigError, SinkError } from './errors.js';
import { formatAlertText } from './format.js';
import { formatSyslogMessage, frameForStream } from './syslog-format.js';
import { openSyslogSink } from './syslog.js';

const RSYSLOGD = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((p) => existsSync(p));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const dir = mkdtempSync(join(tmpdir(), 'saker-rsyslog-'));
const out = join(dir, 'received.log');
const streamSocket = join(dir, 'stream.sock');
const dgramSocket = join(dir, 'dgram.sock');
let udpPort = 0;
let tcpPort = 0;
let rsyslogd: ChildProcess | undefined;

/** What rsyslog parsed, one line per message: PRI|version|timestamp|host|app|procid|msgid|msg */
interface Received { pri: number; version: string; timestamp: string; host: string; app: string; procid: string; msgid: string; msg: string }

function received(): Received[] {
  if (!existsSync(out)) return [];
  // Only complete lines: rsyslogd may be half-way through writing the last one.
  const text = readFileSync(out, 'utf8');
  return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean).map((line) => {
    const [pri, version, timestamp, host, app, procid, msgid, ...msg] = line.split('|');
    return { pri: Number(pri), version: version!, timestamp: timestamp!, host: host!, app: app!, procid: procid!, msgid: msgid!, msg: msg.join('|').trimStart() };
  });
}

async function waitFor(predicate: (r: Received[]) => boolean, what: string): Promise<Received[]> {
  for (let i = 0; i < 200; i++) {
    const r = received();
    if (predicate(r)) return r;
    await sleep(50);
  }
  throw new Error(`rsyslogd did not receive ${what} within 10 s; got: ${JSON.stringify(received())}`);
}

beforeAll(async () => {
  if (RSYSLOGD === undefined) {
    throw new Error('rsyslogd is not installed: the syslog sink tests need a real rsyslogd. Install the Debian package rsyslog (scripts/setup-debian does).');
  }
  udpPort = await freePort();
  tcpPort = await freePort();
  const config = join(dir, 'rsyslog.conf');
  writeFileSync(config, `
global(workDirectory="${dir}")
module(load="imudp")
module(load="imtcp")
module(load="imptcp")
module(load="imuxsock" SysSock.Use="off")
input(type="imudp" address="127.0.0.1" port="${udpPort}")
input(type="imtcp" address="127.0.0.1" port="${tcpPort}")
input(type="imptcp" path="${streamSocket}" unlink="on")
input(type="imuxsock" Socket="${dgramSocket}")
template(name="fields" type="string" string="%pri%|%protocol-version%|%timereported:::date-rfc3339%|%hostname%|%app-name%|%procid%|%msgid%|%msg%\\n")
action(type="omfile" file="${out}" template="fields")
`);
  const check = spawnSync(RSYSLOGD, ['-N1', '-f', config], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`rsyslogd rejected the test config: ${check.stderr}`);
  rsyslogd = spawn(RSYSLOGD, ['-n', '-f', config, '-i', join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  rsyslogd.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  // Ready when the TCP port accepts and both socket files exist.
  for (let i = 0; ; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const c = connect(tcpPort, '127.0.0.1', () => { c.destroy(); resolve(true); });
      c.on('error', () => resolve(false));
    });
    if (up && existsSync(streamSocket) && existsSync(dgramSocket)) break;
    if (i > 100 || rsyslogd.exitCode !== null) throw new Error(`rsyslogd did not start: ${stderr}`);
    await sleep(50);
  }
});

afterAll(async () => {
  if (rsyslogd && rsyslogd.exitCode === null) {
    rsyslogd.kill('SIGTERM');
    await new Promise((resolve) => rsyslogd!.once('exit', resolve));
  }
  rmSync(dir, { recursive: true, force: true });
});

const alertNamed = (rule: string, priority = 'Warning'): Alert => ({ ...exampleAlert(), rule, priority, output: `${rule} happened` });

describe('syslog sink with a real rsyslogd', () => {
  it('delivers RFC 5424 over UDP with PRI from facility and priority', async () => {
    const sink = await openSyslogSink({ transport: { type: 'udp', port: udpPort }, facility: 'local3' });
    await sink.send([alertNamed('udp-critical', 'Critical'), alertNamed('udp-info', 'informational')]);
    await sink.close();
    const got = await waitFor((r) => r.filter((m) => m.msg.includes('udp-')).length === 2, 'two UDP messages');
    const critical = got.find((m) => m.msg.includes('udp-critical'))!;
    expect(critical.pri).toBe(19 * 8 + 2); // local3, critical
    expect(got.find((m) => m.msg.includes('udp-info'))!.pri).toBe(19 * 8 + 6);
    expect(critical).toMatchObject({ version: '1', host: 'web-01', app: 'saker', procid: String(process.pid), msgid: 'alert' });
    expect(critical.timestamp).toBe('2023-11-14T22:13:20.123456Z'); // the event's time, µs
    expect(critical.msg).toBe(formatAlertText(alertNamed('udp-critical', 'Critical')));
  });

  it('delivers RFC 5424 over TCP with octet counting, many alerts in one batch', async () => {
    const sink = await openSyslogSink({ transport: { type: 'tcp', port: tcpPort } });
    const batch = Array.from({ length: 50 }, (_, i) => alertNamed(`tcp-${i}`));
    batch[7] = { ...batch[7]!, output: 'multi\nline output with ünïcödé' };
    await sink.send(batch);
    await sink.send([alertNamed('tcp-last')]);
    await sink.close();
    const got = await waitFor((r) => r.some((m) => m.msg.includes('tcp-last')), 'the TCP batch');
    const tcp = got.filter((m) => m.msg.includes('tcp-'));
    expect(tcp).toHaveLength(50);
    expect(tcp.map((m) => m.msg.match(/tcp-\w+/)![0])).toEqual([...batch.filter((_, i) => i !== 7).map((a) => a.rule), 'tcp-last']);
    expect(got.some((m) => m.msg.includes('ünïcödé'))).toBe(true);
    expect(tcp[0]!.pri).toBe(1 * 8 + 4); // user (Falco's default facility), warning
  });

  it('delivers RFC 3164 over a Unix stream socket', async () => {
    const sink = await openSyslogSink({ transport: { type: 'unix', path: streamSocket }, protocol: 'rfc3164', facility: 'daemon', format: 'json' });
    await sink.send([alertNamed('unix-3164', 'Error')]);
    await sink.close();
    const got = await waitFor((r) => r.some((m) => m.msg.includes('unix-3164')), 'the RFC 3164 message');
    const m = got.find((x) => x.msg.includes('unix-3164'))!;
    expect(m.pri).toBe(3 * 8 + 3);
    expect(m).toMatchObject({ host: 'web-01', app: 'saker', procid: String(process.pid) });
    expect(JSON.parse(m.msg)).toMatchObject({ rule: 'unix-3164', priority: 'Error', hostname: 'web-01' });
  });

  it('cuts an oversized alert instead of failing forever', async () => {
    const sink = await openSyslogSink({ transport: { type: 'udp', port: udpPort }, maxMessageBytes: 2000 });
    await sink.send([{ ...alertNamed('udp-huge'), output: 'udp-huge ' + 'é'.repeat(100_000) }]);
    await sink.close();
    const got = await waitFor((r) => r.some((m) => m.msg.includes('udp-huge')), 'the cut message');
    const m = got.find((x) => x.msg.includes('udp-huge'))!;
    expect(m.msg.endsWith('é')).toBe(true); // cut on a character boundary
    expect(Buffer.byteLength(m.msg)).toBeLessThan(2000);
  });

  it('explains that a Unix datagram socket (like /dev/log) cannot be used', async () => {
    const error = await openSyslogSink({ transport: { type: 'unix', path: dgramSocket } }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(SinkError);
    expect((error as SinkError).retriable).toBe(false);
    expect((error as Error).message).toMatch(/is a datagram socket \(like \/dev\/log\)/);
  });

  it('reports a server that is not there as retriable', async () => {
    const port = await freePort();
    const error = await openSyslogSink({ transport: { type: 'tcp', port } }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(SinkError);
    expect((error as SinkError).retriable).toBe(true);
    expect((error as Error).message).toMatch(new RegExp(`cannot connect to tcp://127.0.0.1:${port}: .*ECONNREFUSED`));
  });

  it('validates its options', async () => {
    await expect(openSyslogSink({ transport: { type: 'carrier-pigeon' } as never })).rejects.toThrow(SinkConfigError);
    await expect(openSyslogSink({ transport: { type: 'udp', port: 70000 } })).rejects.toThrow(/port must be/);
    await expect(openSyslogSink({ transport: { type: 'udp' }, facility: 'local9' as 'local0' })).rejects.toThrow(/facility must be/);
  });
});

describe('syslog message format', () => {
  it('frames and formats as documented', () => {
    const header = { protocol: 'rfc5424' as const, facility: 1, appName: 'saker', procId: '42' };
    const msg = formatSyslogMessage(exampleAlert(), 'LINE', header);
    expect(msg).toBe('<12>1 2023-11-14T22:13:20.123456Z web-01 saker 42 alert - LINE');
    expect(frameForStream(msg, 'rfc5424')).toBe(`${Buffer.byteLength(msg)} ${msg}`);
    const old = formatSyslogMessage({ ...exampleAlert(), hostname: 'bad host name' }, 'a\nb', { ...header, protocol: 'rfc3164' });
    expect(old).toBe('<12>Nov 14 22:13:20 badhostname saker[42]: a b');
    expect(frameForStream(old, 'rfc3164')).toBe(`${old}\n`);
  });
});
