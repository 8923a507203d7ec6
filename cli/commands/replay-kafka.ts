// `saker replay kafka:TOPIC --brokers H:P [--from earliest|ISO-8601|epoch-ms|offset:N|offset:P=N,...]`:
// re-judges the events already on a topic with today's rules. Reads through the Bus interface
// with a fresh consumer group, started at each partition's first record written at or after a
// time --from (from the beginning without it; the messages of such a record that are older still
// are skipped: a record is published once for many events), or at a Kafka offset: `offset:N` in
// every partition, `offset:P=N,...` in the partitions named (the others are not read). Offsets
// are Kafka record offsets, as error lines print them (`TOPIC[P]@OFFSET#INDEX`). It stops once
// the group has caught up with the end of the topic, then deletes the group. Alerts of one
// process keep their order (one partition per host:tgid); across processes they interleave.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { createKafkaBus, type KafkaBusOptions } from '../../bus/kafka/index.js';
import type { Engine } from '../../rules/index.js';
import { eventCodec } from '../../schemas/codec.js';
import type { Alert } from '../../schemas/types.generated.js';
import { UsageError } from '../args.js';
import type { CommandIo } from '../command.js';

export interface KafkaReplayOptions {
  topic: string;
  /** Brokers, client id, TLS, SASL (cli/kafka-flags.ts). */
  kafka: KafkaBusOptions & { clientId: string };
  /** Where the replay starts (parseFrom). */
  from: ReplayStart;
  engine: Engine;
  print: (alert: Alert) => void;
  io: CommandIo;
  logger: Logger;
  /** How often the group's lag is checked (ms, default 500). */
  pollMs?: number;
}

/** A broker time (ms; 0 = the earliest), one offset for every partition, or offsets by partition. */
export type ReplayStart =
  | { kind: 'time'; ms: number }
  | { kind: 'offset'; offset: bigint }
  | { kind: 'offsets'; partitions: ReadonlyMap<number, bigint> };

const FROM_FORMS = 'earliest, an ISO-8601 time, ms since the epoch, offset:N or offset:PARTITION=N[,...]';

/** `earliest`, an ISO-8601 time, ms since the epoch, `offset:N` or `offset:P=N,P=N`. */
export function parseFrom(text: string | undefined): ReplayStart {
  if (text === undefined || text === 'earliest') return { kind: 'time', ms: 0 };
  if (/^\d+$/.test(text)) return { kind: 'time', ms: Number(text) };
  if (text.startsWith('offset:')) {
    const spec = text.slice('offset:'.length);
    if (/^\d+$/.test(spec)) return { kind: 'offset', offset: BigInt(spec) };
    const partitions = new Map<number, bigint>();
    for (const part of spec.split(',')) {
      const m = /^(\d+)=(\d+)$/.exec(part.trim());
      if (!m) throw new UsageError(`--from ${text}: expected offset:N or offset:PARTITION=N[,...], '${part}' is neither`);
      if (partitions.has(Number(m[1]))) throw new UsageError(`--from ${text}: partition ${m[1]} is given twice`);
      partitions.set(Number(m[1]), BigInt(m[2]!));
    }
    return { kind: 'offsets', partitions };
  }
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new UsageError(`--from must be ${FROM_FORMS}, got '${text}'`);
  return { kind: 'time', ms };
}

export async function replayKafkaTopic(o: KafkaReplayOptions): Promise<number> {
  const clientId = o.kafka.clientId;
  const bus = createKafkaBus({ ...o.kafka, logger: o.logger, transactionalIdPrefix: `${clientId}-${randomBytes(4).toString('hex')}` });
  const groupId = `${clientId}-${randomBytes(6).toString('hex')}`;
  const counts = { messages: 0, skipped: 0, judged: 0, alerts: 0, undecodable: 0 };
  try {
    const fromMs = o.from.kind === 'time' ? o.from.ms : 0;
    if (o.from.kind === 'time' && fromMs > 0) await bus.startGroupAtTime(groupId, o.topic, fromMs);
    else if (o.from.kind === 'offset') await bus.startGroupAtOffsets(groupId, o.topic, o.from.offset);
    else if (o.from.kind === 'offsets') await bus.startGroupAtOffsets(groupId, o.topic, o.from.partitions);
    const sub = await bus.consume({
      topics: [o.topic], groupId, fromBeginning: true,
      handler: async (batch) => {
        for (const m of batch.messages) {
          counts.messages++;
          if (m.timestamp < fromMs) {
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
