// `saker replay kafka:TOPIC --brokers H:P [--from earliest|ISO-8601|epoch-ms]`: re-judges the
// events already on a topic with today's rules. Reads through the Bus interface with a fresh
// consumer group, started at each partition's first record written at or after --from (from the
// beginning without it); skips the messages of such a record that are older still (a record is
// published once for many events), and stops once the group has caught up with the end of the
// topic, then deletes the group. Alerts of one process keep their order (one partition per
// host:tgid); across processes they interleave.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { createKafkaBus } from '../../bus/kafka/index.js';
import type { Engine } from '../../rules/index.js';
import { eventCodec } from '../../schemas/codec.js';
import type { Alert } from '../../schemas/types.generated.js';
import { UsageError } from '../args.js';
import type { CommandIo } from '../command.js';

export interface KafkaReplayOptions {
  topic: string;
  brokers: string[];
  clientId: string;
  /** Broker timestamp (ms) of the first message judged; 0 = from the earliest. */
  fromMs: number;
  engine: Engine;
  print: (alert: Alert) => void;
  io: CommandIo;
  logger: Logger;
  /** How often the group's lag is checked (ms, default 500). */
  pollMs?: number;
}

/** `earliest`, an ISO-8601 time, or ms since the epoch. */
export function parseFrom(text: string | undefined): number {
  if (text === undefined || text === 'earliest') return 0;
  if (/^\d+$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new UsageError(`--from must be earliest, an ISO-8601 time or ms since the epoch, got '${text}'`);
  return ms;
}

export async function replayKafkaTopic(o: KafkaReplayOptions): Promise<number> {
  const bus = createKafkaBus({ brokers: o.brokers, clientId: o.clientId, logger: o.logger, transactionalIdPrefix: `${o.clientId}-${randomBytes(4).toString('hex')}` });
  const groupId = `${o.clientId}-${randomBytes(6).toString('hex')}`;
  const counts = { messages: 0, skipped: 0, judged: 0, alerts: 0, undecodable: 0 };
  try {
    if (o.fromMs > 0) await bus.startGroupAtTime(groupId, o.topic, o.fromMs);
    const sub = await bus.consume({
      topics: [o.topic], groupId, fromBeginning: true,
      handler: async (batch) => {
        for (const m of batch.messages) {
          counts.messages++;
          if (m.timestamp < o.fromMs) {
            counts.skipped++;
            continue;
          }
          let event;
          try {
            event = eventCodec.decode(m.value);
          } catch (err) {
            counts.undecodable++;
            o.io.stderr.write(`error: ${o.topic}[${m.partition}]@${m.offset}${m.index === undefined ? '' : `#${m.index}`}: ${(err as Error).message}\n`);
            continue;
          }
          counts.judged++;
          for (const a of o.engine.judge(event)) {
            counts.alerts++;
            o.print(a);
          }
        }
        return [];
      },
    });
    // Caught up: the group has committed up to the end of every partition.
    for (;;) {
      await new Promise((r) => setTimeout(r, o.pollMs ?? 500));
      if (sub.health().state === 'failed') throw new Error(`reading ${o.topic} failed: ${sub.health().error ?? 'unknown error'}`);
      if ((await bus.groupLag(groupId, o.topic)) === 0n) break;
    }
    await sub.stop();
    await bus.deleteGroup(groupId).catch((err: Error) => o.logger.warn({ groupId, err: err.message }, 'could not delete the replay consumer group'));
  } finally {
    await bus.close();
  }
  o.io.stderr.write(`replayed ${counts.messages} messages from ${o.topic}: judged ${counts.judged}, skipped ${counts.skipped} before --from, ${counts.undecodable} undecodable, ${counts.alerts} alerts\n`);
  return counts.undecodable > 0 ? 1 : 0;
}
