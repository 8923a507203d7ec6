// The evaluator service: a stateless worker in a consumer group. It consumes the events topic
// through the Bus interface (Kafka or in-process: it does not know which), judges each batch
// with the judge stage and hands back alerts and dead letters to be published atomically with
// the batch's commit.
import type { Logger } from 'pino';
import type { Bus, Subscription, SubscriptionHealth } from '../bus/bus.js';
import type { Codec } from '../schemas/codec.js';
import type { Alert, Event } from '../schemas/types.generated.js';
import { EvaluatorConfigError } from './errors.js';
import { EvaluatorMetrics } from './metrics.js';
import { committedCounts, createJudgeStage, type Judge } from './stage.js';

export interface EvaluatorOptions {
  bus: Bus;
  judge: Judge;
  eventCodec: Codec<Event>;
  alertCodec: Codec<Alert>;
  topics: { events: string; alerts: string; deadLetter: string };
  /** Consumer group shared by all workers (default 'saker-evaluator'). */
  groupId?: string;
  logger: Logger;
  metrics?: EvaluatorMetrics;
}

export interface Evaluator {
  readonly metrics: EvaluatorMetrics;
  start(): Promise<void>;
  /** Finish the batch in hand, commit, leave the group. */
  stop(): Promise<void>;
  health(): SubscriptionHealth;
}

export function createEvaluator(o: EvaluatorOptions): Evaluator {
  const { events, alerts, deadLetter } = o.topics;
  if (!events || !alerts || !deadLetter) throw new EvaluatorConfigError('the events, alerts and dead-letter topics must all be named');
  if (new Set([events, alerts, deadLetter]).size !== 3) throw new EvaluatorConfigError('the events, alerts and dead-letter topics must differ');
  const log = o.logger.child({ name: 'evaluator' });
  const metrics = o.metrics ?? new EvaluatorMetrics();
  const groupId = o.groupId ?? 'saker-evaluator';
  const stage = createJudgeStage({ judge: o.judge, eventCodec: o.eventCodec, alertCodec: o.alertCodec, alertsTopic: alerts, deadLetterTopic: deadLetter, metrics });
  let sub: Subscription | null = null;
  let stopped = false;

  const health = (): SubscriptionHealth => {
    const h = sub ? sub.health() : { state: stopped ? ('stopped' as const) : ('starting' as const), assigned: {} };
    metrics.up = h.state === 'running' ? 1 : 0;
    metrics.keepLagOf(h.assigned);
    return h;
  };

  return {
    metrics,
    health,
    async start() {
      log.info({ groupId, events, alerts, deadLetter }, 'evaluator starting');
      sub = await o.bus.consume({
        topics: [events],
        groupId,
        handler: async (batch) => {
          try {
            return await stage(batch);
          } catch (err) {
            metrics.handlerErrors++;
            throw err;
          }
        },
        onCommitted: (batch, published) => metrics.recordCommitted(committedCounts(batch, published, alerts, deadLetter)),
      });
    },
    async stop() {
      stopped = true;
      const s = sub;
      if (!s) return;
      log.info('evaluator stopping: finishing the batch in hand');
      await s.stop();
      log.info({ events: metrics.events, alerts: metrics.alerts }, 'evaluator stopped');
    },
  };
}
