import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { deliveryJobId, deliveryJobOptions, JOB_NAMES, QUEUE_NAMES, type DeliveryJobData } from './contract.js';

export type DeliveryQueue = Queue<DeliveryJobData, unknown, typeof JOB_NAMES.deliver>;

export function createDeliveryQueue(connection: Redis, options: { prefix: string; retryBaseDelayMs: number }): DeliveryQueue {
  return new Queue(QUEUE_NAMES.delivery, {
    connection,
    prefix: options.prefix,
    defaultJobOptions: deliveryJobOptions(options.retryBaseDelayMs),
  });
}

/** Enqueues deliveries in chunks: one round trip per chunk, whatever the batch size. */
export async function enqueueDeliveries(queue: DeliveryQueue, jobs: DeliveryJobData[], chunkSize = 1000): Promise<void> {
  for (let i = 0; i < jobs.length; i += chunkSize) {
    await queue.addBulk(
      jobs.slice(i, i + chunkSize).map((data) => ({ name: JOB_NAMES.deliver, data, opts: { jobId: deliveryJobId(data) } })),
    );
  }
}
