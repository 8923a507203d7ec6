// Capture then replay: the events read back from the file are the events written, and judging
// them gives the same alerts as judging the live events.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../rules/index.js';
import type { Alert, Event } from '../../schemas/types.generated.js';
import { generateWorkload, seedWorkload } from '../../bench/collector-workload.js';
import { CaptureError } from '../errors.js';
import { createPipeline } from '../pipeline.js';
import { createCaptureWriter, openCaptureReader } from './capture-file.js';
import { replayEvents } from './replay.js';

const dir = mkdtempSync(join(tmpdir(), 'saker-capture-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RULES = `
- rule: Shell reads passwd
  desc: a shell child opens /etc/passwd
  condition: evt.type in (open, openat) and proc.name = sh and fd.name = /etc/passwd
  output: "passwd read (proc=%proc.name parent=%proc.pname gparent=%proc.aname[2] file=%fd.name container=%container.id)"
  priority: WARNING
  tags: [filesystem]
- rule: Write in web root
  desc: a file created under the web root
  condition: evt.type = openat and evt.arg.flags contains O_CREAT and fd.name startswith /var/www
  output: "created %fd.name by %proc.cmdline user=%user.name flags=%evt.arg.flags"
  priority: NOTICE
- rule: Accept in container
  desc: an inbound connection in a container
  condition: evt.type = accept4 and container.id != host and fd.sport = 80
  output: "accept %fd.name in %container.id"
  priority: INFO
`;

function big(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `${v}n` : v;
}

describe('capture files', () => {
  it('capture then replay gives the same events and the same alerts', async () => {
    const rulesFile = join(dir, 'rules.yaml');
    writeFileSync(rulesFile, RULES);
    const engine = createEngine({ files: [rulesFile], match: 'all' });
    const pipeline = createPipeline({ host: { id: 'cafe', name: 'capture-host' } });
    seedWorkload(pipeline.state, 20);
    const live: Event[] = generateWorkload({ servers: 20, records: 20_000, recordsPerChild: 20 }).map((r) => pipeline.enrich(r));
    const liveAlerts: Alert[] = live.flatMap((e) => engine.judge(e));
    expect(new Set(liveAlerts.map((a) => a.rule))).toEqual(new Set(['Shell reads passwd', 'Write in web root', 'Accept in container']));

    const file = join(dir, 'events.avro');
    const writer = createCaptureWriter(file, { blockSize: 16_384 });
    for (const e of live) await writer.write(e);
    expect(await writer.close()).toBe(live.length);

    const reader = openCaptureReader(file);
    const back: Event[] = [];
    for await (const e of reader) back.push(e);
    expect(back.length).toBe(live.length);
    for (let i = 0; i < live.length; i += 97) expect(JSON.stringify(back[i], big)).toBe(JSON.stringify(live[i], big));
    expect(JSON.stringify(back, big)).toBe(JSON.stringify(live, big));
    expect(reader.progress().bytesRead).toBe(reader.progress().total);

    const replayed: Alert[] = [];
    const stats = await replayEvents(openCaptureReader(file), (e) => engine.judge(e), { allEvents: true, onAlert: (a) => { replayed.push(a); } });
    expect(stats).toMatchObject({ events: live.length, judged: live.length, skipped: 0, alerts: liveAlerts.length });
    expect(JSON.stringify(replayed, big)).toBe(JSON.stringify(liveAlerts, big));
    expect(replayed.find((a) => a.rule === 'Shell reads passwd')!.output).toMatch(/^passwd read \(proc=sh parent=nginx gparent=containerd-shim file=\/etc\/passwd container=abababababab\)$/);

    // Without allEvents, Falco's default-dropped types (read, close...) are not judged.
    const def = await replayEvents(openCaptureReader(file), (e) => engine.judge(e), { onAlert: () => undefined });
    expect(def.skipped).toBe(live.filter((e) => ['read', 'close', 'fstat', 'write'].includes(e.type)).length);

  });

  it('fails clearly on a missing file, a non-Avro file and a foreign Avro file', async () => {
    expect(() => openCaptureReader(join(dir, 'nope.avro'))).toThrow(CaptureError);
    const junk = join(dir, 'junk.avro');
    writeFileSync(junk, 'this is not avro at all');
    await expect(replayEvents(openCaptureReader(junk), () => [], { onAlert: () => undefined })).rejects.toThrow(/cannot read capture .*junk\.avro/);
    const foreign = join(dir, 'foreign.avro');
    const avro = (await import('avsc')).default;
    const enc = avro.createFileEncoder(foreign, { type: 'record', name: 'Other', fields: [{ name: 'x', type: 'int' }] });
    enc.end({ x: 1 });
    await new Promise((r) => setTimeout(r, 200));
    await expect(replayEvents(openCaptureReader(foreign), () => [], { onAlert: () => undefined })).rejects.toThrow(/not a Saker capture/);
  });

  it('replays at the recorded pace with speed real', async () => {
    const pipeline = createPipeline({ host: { id: 'cafe', name: 'pace' } });
    pipeline.state.seedProcess({ pid: 5, comm: 'x' });
    const events = [0n, 150n, 300n].map((ms) => pipeline.enrich({ type: 'getpid', dir: 'EXIT', ts: 1_700_000_000_000_000_000n + ms * 1_000_000n, cpu: 0, tid: 5, pid: 5, res: 5, args: {} }));
    async function* source(): AsyncGenerator<Event> { yield* events; }
    const t0 = performance.now();
    const stats = await replayEvents(source(), () => [], { speed: 'real', onAlert: () => undefined });
    expect(stats.events).toBe(3);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    const t1 = performance.now();
    await replayEvents(source(), () => [], { speed: 'max', onAlert: () => undefined });
    expect(performance.now() - t1).toBeLessThan(100);
  });
});
