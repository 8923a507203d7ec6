// Codec throughput: encode and decode of a realistic event (an openat in a container, 7 args,
// 4 ancestors) and alert, one core. Run: npm run bench:codec. Prints messages per second of
// CPU time (user+system of this process: on a shared machine, wall time also measures the
// neighbours) and per wall second, median of 5 rounds of about a second each, after a warm-up.
// Last, the evaluator's judge stage with the default rules, decoding eagerly and lazily.
import { alertCodec, eventCodec, eventFromJson, eventToJson } from '../schemas/codec.js';
import { exampleAlert, exampleEvent } from '../schemas/examples.js';

const ROUNDS = 5;
const ROUND_MS = 1000;

const cpuMicros = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** Runs `fn` in batches for about ROUND_MS; returns calls per CPU second and per wall second. */
function round(fn: () => void): { cpu: number; wall: number } {
  const batch = 1000;
  let calls = 0;
  const start = process.hrtime.bigint();
  const cpuStart = cpuMicros();
  let elapsedNs = 0n;
  while (elapsedNs < BigInt(ROUND_MS) * 1_000_000n) {
    for (let i = 0; i < batch; i++) fn();
    calls += batch;
    elapsedNs = process.hrtime.bigint() - start;
  }
  return { cpu: (calls * 1e6) / Math.max(1, cpuMicros() - cpuStart), wall: (calls * 1e9) / Number(elapsedNs) };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function measure(name: string, fn: () => void): void {
  round(fn); // warm-up: let the JIT settle
  const rounds = Array.from({ length: ROUNDS }, () => round(fn));
  const cpu = rounds.map((r) => r.cpu);
  console.log(
    `${name.padEnd(40)} ${fmt(median(cpu)).padStart(10)} /CPU-s (min ${fmt(Math.min(...cpu))}, max ${fmt(Math.max(...cpu))})` +
      `  ${fmt(median(rounds.map((r) => r.wall))).padStart(10)} /wall-s`,
  );
}

const event = exampleEvent();
const eventBytes = eventCodec.encode(event);
const alert = exampleAlert();
const alertBytes = alertCodec.encode(alert);
const eventJsonText = JSON.stringify(eventToJson(event));
// 10,000 distinct events (files, pids, sequence numbers vary), decoded in turn: closer to a
// consumed batch than one buffer decoded again and again.
const distinct = Array.from({ length: 10_000 }, (_, i) => {
  const e = exampleEvent();
  e.seq = i;
  e.ts += BigInt(i) * 1000n;
  e.proc.pid = e.proc.tid = 1000 + (i % 997);
  e.fd!.name = e.fd!.nameRaw = `/var/lib/app/data-${i % 2000}.db`;
  e.args[2]!.text = e.fd!.name;
  return eventCodec.encode(e);
});
let next = 0;

console.log(`event: ${eventBytes.length} bytes on the wire; alert: ${alertBytes.length} bytes; node ${process.version}`);
let sink = 0;
measure('event encode', () => { sink += eventCodec.encode(event).length; });
measure('event decode (one buffer)', () => { sink += eventCodec.decode(eventBytes).cpu; });
measure('event decode (10k distinct)', () => { sink += eventCodec.decode(distinct[next++ % distinct.length]!).cpu; });
measure('event decodeLazy (10k distinct)', () => { sink += eventCodec.decodeLazy(distinct[next++ % distinct.length]!).cpu; });
// What a typical rule reads: type, direction, process name, file name, container id, user.
measure('  + read 6 fields', () => {
  const e = eventCodec.decodeLazy(distinct[next++ % distinct.length]!);
  sink += e.type.length + e.dir.length + e.proc.name.length + e.fd!.name.length + e.container.id.length + (e.proc.user?.length ?? 0);
});
measure('alert encode', () => { sink += alertCodec.encode(alert).length; });
measure('alert decode', () => { sink += alertCodec.decode(alertBytes).eventSeq; });
measure('event JSON line -> Event', () => { sink += eventFromJson(JSON.parse(eventJsonText)).cpu; });
if (sink === 42) console.log(''); // keeps the results observable to the optimiser

// The evaluator's judge stage (decode -> judge -> encode alerts) on the same 10k events with
// the default rules, decoding eagerly and lazily: what decodeLazy buys on the hot path.
const { createEngine } = await import('../rules/index.js');
const { defaultRuleFiles } = await import('../rules/default/index.js');
const { createJudgeStage } = await import('../evaluator/stage.js');
const { EvaluatorMetrics } = await import('../evaluator/metrics.js');
const engine = createEngine({ files: defaultRuleFiles() });
const batch = { topic: 'events', partition: 0, messages: distinct.map((value, i) => ({ key: null, value, topic: 'events', partition: 0, offset: String(i), timestamp: 0, headers: {} })) };
for (const [label, codec] of [['decode', eventCodec], ['decodeLazy', { ...eventCodec, decode: eventCodec.decodeLazy }]] as const) {
  const stage = createJudgeStage({ judge: engine, eventCodec: codec, alertCodec, alertsTopic: 'a', deadLetterTopic: 'd', metrics: new EvaluatorMetrics() });
  await stage(batch); // warm-up
  const cpuStart = cpuMicros();
  let events = 0;
  while (cpuMicros() - cpuStart < ROUND_MS * 1000 * 2) {
    await stage(batch);
    events += batch.messages.length;
  }
  console.log(`${`judge stage, default rules, ${label}`.padEnd(40)} ${fmt((events * 1e6) / (cpuMicros() - cpuStart)).padStart(10)} /CPU-s`);
}
