import { isNotifiableStatus } from '@wr/domain';
import type { DeliveryOutboxRepository, EntityManager, OutboxEntry, TransactionRecord } from '@wr/db';
import type { Logger } from '@wr/logger';
import { automaticDeliveryJob, enqueueDeliveries, type DeliveryQueue } from '@wr/queues';

/**
 * The automatic webhook of each status change, kept before it is queued: `record` writes it to
 * the outbox inside the change's transaction, `dispatch` queues it after commit and clears it. If
 * Redis is away the change is still accepted; the worker's reconciler queues it later.
 */
export class NotificationService {
  constructor(private readonly deps: { queue: DeliveryQueue; outbox: DeliveryOutboxRepository; logger: Logger }) {}

  /** Pending (1) is never notified. */
  record(transactions: TransactionRecord[], manager: EntityManager): Promise<OutboxEntry[]> {
    return this.deps.outbox.add(
      transactions
        .filter((tx) => isNotifiableStatus(tx.statusId))
        .map((tx) => ({ transactionId: tx.id, statusId: tx.statusId, statusChangedAt: tx.statusChangedAt })),
      manager,
    );
  }

  async dispatch(entries: OutboxEntry[]): Promise<void> {
    if (entries.length === 0) return;
    try {
      await enqueueDeliveries(this.deps.queue, entries.map(automaticDeliveryJob));
      await this.deps.outbox.remove(entries.map((e) => e.id));
    } catch (err) {
      // Kept in the outbox: the reconciler queues it (job ids make a second enqueue harmless).
      this.deps.logger.warn('automatic webhooks left to the reconciler', { count: entries.length, err: (err as Error).message });
    }
  }
}
