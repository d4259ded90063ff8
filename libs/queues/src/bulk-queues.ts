import { bullPrefix, type RedisClient } from './redis.js';
import { Queue } from 'bullmq';
import {
  BULK_BATCH_SIZE,
  bulkBatchJobOptions,
  fanoutJobId,
  fanoutJobOptions,
  JOB_NAMES,
  QUEUE_NAMES,
  type BulkBatchJobData,
  type BulkFanoutJobData,
  type ScheduledReplayJobData,
} from './contract.js';

export type BulkFanoutQueue = Queue<BulkFanoutJobData, unknown, typeof JOB_NAMES.fanout>;
export type BulkDeliveryQueue = Queue<BulkBatchJobData, unknown, typeof JOB_NAMES.deliverBatch>;

// Name type left as string: BullMQ types job scheduler ids with the job name type.
export type ReplayScheduleQueue = Queue<ScheduledReplayJobData>;

export function createReplayScheduleQueue(connection: RedisClient, prefix: string): ReplayScheduleQueue {
  return new Queue(QUEUE_NAMES.replaySchedules, {
    connection,
    prefix: bullPrefix(prefix),
    defaultJobOptions: { attempts: 3, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { count: 1000 }, removeOnFail: { count: 1000 } },
  });
}

export function createBulkFanoutQueue(connection: RedisClient, prefix: string): BulkFanoutQueue {
  return new Queue(QUEUE_NAMES.bulkFanout, { connection, prefix: bullPrefix(prefix), defaultJobOptions: fanoutJobOptions() });
}

export function createBulkDeliveryQueue(connection: RedisClient, prefix: string): BulkDeliveryQueue {
  return new Queue(QUEUE_NAMES.bulkDelivery, { connection, prefix: bullPrefix(prefix), defaultJobOptions: bulkBatchJobOptions() });
}

/** Queues the fan-out of each resend job, delayed to `runAt` when it is in the future. */
export async function enqueueFanouts(
  queue: BulkFanoutQueue,
  jobs: Array<{ id: string; runAt: Date | null }>,
  options: { takeover?: number } = {},
): Promise<void> {
  const now = Date.now();
  await queue.addBulk(
    jobs.map((job) => ({
      name: JOB_NAMES.fanout,
      data: { resendJobId: job.id },
      opts: { jobId: fanoutJobId(job.id, options.takeover), delay: job.runAt ? Math.max(0, job.runAt.getTime() - now) : 0 },
    })),
  );
}

/**
 * Queues a bulk job's deliveries as batches. Ids are BullMQ's own: two batches never share one,
 * and a batch queued twice (the sweeper re-drives a stalled job) claims nothing the second time.
 */
export async function enqueueBatches(queue: BulkDeliveryQueue, resendJobId: string, deliveryIds: number[], delayMs = 0): Promise<void> {
  const batches = [];
  for (let i = 0; i < deliveryIds.length; i += BULK_BATCH_SIZE) {
    batches.push({
      name: JOB_NAMES.deliverBatch,
      data: { resendJobId, deliveryIds: deliveryIds.slice(i, i + BULK_BATCH_SIZE) },
      opts: { delay: Math.max(0, delayMs) },
    });
  }
  if (batches.length > 0) await queue.addBulk(batches);
}

/** A recurring replay as PostgreSQL keeps it (the fields its scheduler is built from). */
export interface ReplayScheduleDefinition {
  id: string;
  accountId: number;
  merchantId: number;
  everySeconds: number;
  lookbackSeconds: number;
  onlyFailed: boolean;
  kind: 'CASHIN' | 'CASHOUT' | null;
}

/** The BullMQ job scheduler of a recurring replay (rebuilt from PostgreSQL whenever Redis lost it). */
export async function upsertReplayScheduler(queue: ReplayScheduleQueue, schedule: ReplayScheduleDefinition): Promise<void> {
  const data: ScheduledReplayJobData = {
    scheduleId: schedule.id,
    accountId: schedule.accountId,
    merchantId: schedule.merchantId,
    lookbackMs: schedule.lookbackSeconds * 1000,
    onlyFailed: schedule.onlyFailed,
    kind: schedule.kind,
  };
  await queue.upsertJobScheduler(schedule.id, { every: schedule.everySeconds * 1000 }, { name: JOB_NAMES.scheduledReplay, data });
}
