import type { DefaultJobOptions } from 'bullmq';
import type { DeliveryTrigger } from '@wr/domain';

/**
 * The one contract producers (API) and consumers (worker) share: queue names, job names,
 * payloads and default options. Payloads carry ids only, never URLs' secrets or signing keys.
 */
export const QUEUE_NAMES = {
  /** Live deliveries: automatic webhooks on status changes and invoice resends. */
  delivery: 'webhook-delivery',
  /** One job per bulk replay window: walks the window and queues its batches. */
  bulkFanout: 'bulk-fanout',
  /**
   * Bulk deliveries, in batches of transactions, on a queue of their own so that a replay of a
   * million notifications never delays a live webhook.
   */
  bulkDelivery: 'bulk-delivery',
  /** Recurring replays: BullMQ job schedulers whose jobs start a replay of the last window. */
  replaySchedules: 'replay-schedules',
} as const;

export const JOB_NAMES = {
  deliver: 'deliver',
  fanout: 'fanout',
  deliverBatch: 'deliver-batch',
  scheduledReplay: 'scheduled-replay',
} as const;

export interface DeliveryJobData {
  transactionId: number;
  /** The status being notified, frozen at enqueue time so a later change cannot alter it. */
  statusId: number;
  statusChangedAt: string;
  trigger: DeliveryTrigger;
  resendJobId?: string;
}

export interface BulkFanoutJobData {
  resendJobId: string;
  /** Set when a shutting-down worker handed the fan-out back with everything it recorded queued. */
  handedBack?: boolean;
}

/** Up to BULK_BATCH_SIZE transactions of one bulk job, all at the same attempt number. */
export interface BulkBatchJobData {
  resendJobId: string;
  transactionIds: number[];
  /** 1 for the first attempt; failed transactions go on in a new batch with attempt + 1. */
  attempt: number;
}

/** One firing of a recurring replay: replay the merchant's last `lookbackMs`. */
export interface ScheduledReplayJobData {
  scheduleId: string;
  accountId: number;
  merchantId: number;
  lookbackMs: number;
  onlyFailed: boolean;
  kind: 'CASHIN' | 'CASHOUT' | null;
}

export interface QueueJobs {
  [QUEUE_NAMES.delivery]: { [JOB_NAMES.deliver]: DeliveryJobData };
  [QUEUE_NAMES.bulkFanout]: { [JOB_NAMES.fanout]: BulkFanoutJobData };
  [QUEUE_NAMES.bulkDelivery]: { [JOB_NAMES.deliverBatch]: BulkBatchJobData };
  [QUEUE_NAMES.replaySchedules]: { [JOB_NAMES.scheduledReplay]: ScheduledReplayJobData };
}

/** Transactions per bulk batch job: large enough to amortise queue and database round trips. */
export const BULK_BATCH_SIZE = 50;

/** The same schedule BullMQ applies to live deliveries, for bulk retries the worker schedules. */
export function retryDelayMs(baseDelayMs: number, attemptsMade: number, jitter = 0.5): number {
  const max = baseDelayMs * 2 ** (attemptsMade - 1);
  return Math.floor(max * (1 - jitter) + Math.random() * max * jitter);
}

export function fanoutJobOptions(): DefaultJobOptions {
  return {
    // A fan-out only fails on infrastructure errors; it resumes from its saved cursor.
    attempts: 8,
    backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
    removeOnComplete: { age: 24 * 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 1000 },
  };
}

export function bulkBatchJobOptions(): DefaultJobOptions {
  return {
    // Whole-batch retries cover infrastructure errors (database away); per-transaction retries
    // of failed deliveries are separate batches with attempt + 1.
    attempts: 5,
    backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
    removeOnComplete: { age: 3600, count: 2000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
  };
}

export function fanoutJobId(resendJobId: string): string {
  return `fanout-${resendJobId}`;
}

/** Deterministic, so a fan-out that resumes after a crash re-adds the same batches harmlessly. */
export function bulkBatchJobId(resendJobId: string, firstTransactionId: number, attempt: number): string {
  return `batch-${resendJobId}-${firstTransactionId}-a${attempt}`;
}

/** The automatic webhook of one status change. */
export function automaticDeliveryJob(change: { transactionId: number; statusId: number; statusChangedAt: Date }): DeliveryJobData {
  return {
    transactionId: change.transactionId,
    statusId: change.statusId,
    statusChangedAt: change.statusChangedAt.toISOString(),
    trigger: 'automatic',
  };
}

/** Four attempts in all (1 + 3 retries), exponential backoff with jitter so retries spread out. */
export function deliveryJobOptions(retryBaseDelayMs: number): DefaultJobOptions {
  return {
    attempts: 4,
    backoff: { type: 'exponential', delay: retryBaseDelayMs, jitter: 0.5 },
    // Kept jobs are bounded; the audit trail lives in PostgreSQL, not in Redis.
    removeOnComplete: { age: 24 * 3600, count: 50_000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 50_000 },
  };
}

/**
 * Job ids come from the business key (transaction, status, time of change): enqueueing the same
 * status change twice is a no-op while the first job is kept. No ':' and never all digits, as
 * BullMQ requires.
 */
export function deliveryJobId(data: Pick<DeliveryJobData, 'transactionId' | 'statusId' | 'statusChangedAt' | 'trigger'>): string {
  const at = new Date(data.statusChangedAt).getTime();
  return `${data.trigger}-${data.transactionId}-${data.statusId}-${at}`;
}
