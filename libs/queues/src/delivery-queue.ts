import { bullPrefix, type RedisClient } from './redis.js';
import { Queue } from 'bullmq';
import { deliveryJobId, deliveryJobOptions, JOB_NAMES, QUEUE_NAMES, type DeliveryJobData } from './contract.js';

export type DeliveryQueue = Queue<DeliveryJobData, unknown, typeof JOB_NAMES.deliver>;

export function createDeliveryQueue(connection: RedisClient, options: { prefix: string }): DeliveryQueue {
  return new Queue(QUEUE_NAMES.delivery, {
    connection,
    prefix: bullPrefix(options.prefix),
    defaultJobOptions: deliveryJobOptions(),
  });
}

/** A wake-up for a delivery's next attempt, at `delayMs` from now. */
export interface DeliveryWakeUp {
  deliveryId: number;
  attempt: number;
  delayMs?: number;
  /** How often the delivery was released from a hold (0: never). */
  releases?: number;
}

/** Enqueues wake-ups in chunks: one round trip per chunk, whatever the batch size. */
export async function enqueueDeliveries(queue: DeliveryQueue, wakeUps: DeliveryWakeUp[], chunkSize = 1000): Promise<void> {
  for (let i = 0; i < wakeUps.length; i += chunkSize) {
    await queue.addBulk(
      wakeUps.slice(i, i + chunkSize).map((w) => ({
        name: JOB_NAMES.deliver,
        data: { deliveryId: w.deliveryId },
        opts: { jobId: deliveryJobId(w.deliveryId, w.attempt, w.releases), delay: Math.max(0, w.delayMs ?? 0) },
      })),
    );
  }
}

/**
 * Which of these wake-ups Redis no longer holds (one pipelined round trip): the sweeper re-drives
 * only those, so a backlog Redis still holds is neither re-queued nor rewritten in PostgreSQL.
 */
export async function missingWakeUps(
  redis: RedisClient,
  queue: DeliveryQueue,
  wakeUps: Array<{ deliveryId: number; attempt: number; releases?: number }>,
): Promise<Set<number>> {
  if (wakeUps.length === 0) return new Set();
  const pipeline = redis.pipeline();
  for (const w of wakeUps) pipeline.exists(queue.toKey(deliveryJobId(w.deliveryId, w.attempt, w.releases)));
  const answers = (await pipeline.exec()) ?? [];
  const missing = new Set<number>();
  answers.forEach(([err, exists]: [Error | null, unknown], i: number) => {
    if (err) throw err;
    if (exists === 0) missing.add(wakeUps[i]!.deliveryId);
  });
  return missing;
}
