import type { Redis } from 'ioredis';
import { isNotifiableStatus, ServiceUnavailableError } from '@wr/domain';
import type { TransactionRecord } from '@wr/db';
import { enqueueDeliveries, type DeliveryQueue } from '@wr/queues';

/** Queues the automatic webhook of each status change (the worker delivers and retries it). */
export class NotificationService {
  constructor(private readonly deps: { queue: DeliveryQueue; redis: Redis }) {}

  /**
   * Called before writing a change that will need a webhook: with Redis away the request is
   * refused (503) up front rather than committed without its notification.
   */
  assertCanEnqueue(): void {
    if (this.deps.redis.status !== 'ready') throw new ServiceUnavailableError();
  }

  /** Enqueues after commit; Pending (1) is never notified. */
  async statusesChanged(transactions: TransactionRecord[]): Promise<void> {
    const jobs = transactions
      .filter((tx) => isNotifiableStatus(tx.statusId))
      .map((tx) => ({
        transactionId: tx.id,
        statusId: tx.statusId,
        statusChangedAt: tx.statusChangedAt.toISOString(),
        trigger: 'automatic' as const,
      }));
    await enqueueDeliveries(this.deps.queue, jobs);
  }
}
