// Codec throughput: encode and decode of a realistic event (an openat in a container, 7 args,
// 4 ancestors) and alert, one core. Run: npm run bench:codec. Prints messages/s, median of 5
// rounds of about a second each, after a warm-up.
import { alertCodec, eventCodec, eventFromJson, eventToJson } from '../schemas/codec.js';
import { exampleAlert, exampleEvent } from '../schemas/examples.js';

const ROUNDS = 5;
const ROUND_MS = 1000;

/** Runs `fn` in batches for about ROUND_MS and returns calls per second. */
function round(fn: () => void): number {
  const batch = 1000;
  let calls = 0;
  const start = process.hrtime.bigint();
  let elapsedNs = 0n;
  while (elapsedNs < BigInt(ROUND_MS) * 1_000_000n) {
    for (let i = 0; i < batch; i++) fn();
    calls += batch;
    elapsedNs = process.hrtime.bigint() - start;
  }
  return (calls * 1e9) / Number(elapsedNs);
}

function measure(name: string, fn: () => void): void {
  round(fn); // warm-up: let the JIT settle
  const rates = Array.from({ length: ROUNDS }, () => round(fn)).sort((a, b) => a - b);
  const median = rates[Math.floor(ROUNDS / 2)]!;
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(`${name.padEnd(28)} ${fmt(median).padStart(10)} /s  (min ${fmt(rates[0]!)}, max ${fmt(rates[ROUNDS - 1]!)})`);
}

const event = exampleEvent();
const eventBytes = eventCodec.encode(event);
const alert = exampleAlert();
const alertBytes = alertCodec.encode(alert);
const eventJsonText = JSON.stringify(eventToJson(event));

console.log(`event: ${eventBytes.length} bytes on the wire; alert: ${alertBytes.length} bytes; node ${process.version}`);
let sink = 0;
measure('event encode', () => { sink += eventCodec.encode(event).length; });
measure('event decode', () => { sink += eventCodec.decode(eventBytes).cpu; });
measure('alert encode', () => { sink += alertCodec.encode(alert).length; });
measure('alert decode', () => { sink += alertCodec.decode(alertBytes).eventSeq; });
measure('event JSON line -> Event', () => { sink += eventFromJson(JSON.parse(eventJsonText)).cpu; });
if (sink === 42) console.log(''); // keeps the results observable to the optimiser
