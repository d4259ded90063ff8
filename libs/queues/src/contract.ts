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

/**
 * Wake-ups only: what is owed lives in PostgreSQL (the `deliveries` ledger). A job that Redis
 * forgets is re-created by the worker's sweeper from the ledger; a job that runs twice finds its
 * delivery already claimed or final and does nothing.
 */
export interface DeliveryJobData {
  deliveryId: number;
}

/**
 * A live job queued before the ledger existed (it named the status itself). The worker records
 * it in the ledger when it meets one, so an upgrade with jobs in Redis loses none.
 */
export interface LegacyDeliveryJobData {
  transactionId: number;
  statusId: number;
  statusChangedAt: string;
  trigger: 'automatic' | 'manual';
}

export interface BulkFanoutJobData {
  resendJobId: string;
}

/** Up to BULK_BATCH_SIZE deliveries of one bulk job. */
export interface BulkBatchJobData {
  resendJobId: string;
  deliveryIds: number[];
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

/**
 * How long a claimed attempt holds its delivery: the request's own timeout twice over (a batch
 * sends its webhooks at once, but the process may be busy) plus room for the bookkeeping. Past it,
 * the attempt is taken for dead: its audit row is closed and the delivery is due again.
 */
export function attemptLeaseMs(webhookTimeoutMs: number): number {
  return webhookTimeoutMs * 2 + 10_000;
}

/** A fan-out holds its job this long without a page; a dead one's job is taken over after it. */
export const FANOUT_LEASE_MS = 60_000;

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
    // Retries here cover infrastructure errors only; each delivery's own attempts are in the ledger.
    attempts: 5,
    backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
    removeOnComplete: { age: 3600, count: 2000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
  };
}

/**
 * The first fan-out of a job has a fixed id (queuing it twice is a no-op); one that takes over a
 * stalled job gets a fresh one, since the first may still be kept in Redis as completed or failed.
 */
export function fanoutJobId(resendJobId: string, takeover?: number): string {
  return takeover === undefined ? `fanout-${resendJobId}` : `fanout-${resendJobId}-t${takeover}`;
}

export function deliveryJobOptions(): DefaultJobOptions {
  return {
    // Retries here cover infrastructure errors only; the delivery's 4 attempts are in the ledger.
    attempts: 3,
    backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
    // Kept jobs are bounded; the audit trail lives in PostgreSQL, not in Redis. A failed wake-up
    // is not kept, so the sweeper can queue the attempt again under the same id.
    removeOnComplete: { age: 24 * 3600, count: 50_000 },
    removeOnFail: true,
  };
}

/**
 * One id per delivery attempt: waking the same attempt twice (the sweeper re-drives it) is a
 * no-op while Redis holds the first job, and the next attempt is a new job. No ':' and never all
 * digits, as BullMQ requires.
 */
export function deliveryJobId(deliveryId: number, attempt: number, releases = 0): string {
  // A delivery released from a hold (its endpoint recovered) is woken again for the same attempt:
  // the release count keeps that wake-up apart from the completed one Redis still remembers.
  return releases === 0 ? `dlv-${deliveryId}-a${attempt}` : `dlv-${deliveryId}-a${attempt}-r${releases}`;
}
