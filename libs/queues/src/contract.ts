import type { DefaultJobOptions } from 'bullmq';
import type { DeliveryTrigger } from '@wr/domain';

/**
 * The one contract producers (API) and consumers (worker) share: queue names, job names,
 * payloads and default options. Payloads carry ids only, never URLs' secrets or signing keys.
 */
export const QUEUE_NAMES = {
  /** Live deliveries: automatic webhooks on status changes. */
  delivery: 'webhook-delivery',
} as const;

export const JOB_NAMES = {
  deliver: 'deliver',
} as const;

export interface DeliveryJobData {
  transactionId: number;
  /** The status being notified, frozen at enqueue time so a later change cannot alter it. */
  statusId: number;
  statusChangedAt: string;
  trigger: DeliveryTrigger;
  resendJobId?: string;
}

export interface QueueJobs {
  [QUEUE_NAMES.delivery]: { [JOB_NAMES.deliver]: DeliveryJobData };
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
