import { isNotifiableStatus } from '@wr/domain';
import type { DeliveryRecord, DeliveryRepository, EntityManager, TransactionRecord } from '@wr/db';
import type { Logger } from '@wr/logger';
import { enqueueDeliveries, type DeliveryQueue } from '@wr/queues';

/**
 * The automatic webhook of each status change: `record` writes the delivery owed to the ledger
 * inside the change's transaction, `wake` queues its first attempt after commit. If Redis is away
 * the change is still accepted (it is kept); the worker's sweeper queues it once Redis is back.
 */
export class NotificationService {
  constructor(private readonly deps: { queue: DeliveryQueue; deliveries: DeliveryRepository; logger: Logger }) {}

  /** Pending (1) is never notified. */
  record(transactions: TransactionRecord[], manager: EntityManager): Promise<DeliveryRecord[]> {
    return this.deps.deliveries.add(
      transactions
        .filter((tx) => isNotifiableStatus(tx.statusId))
        .map((tx) => ({
          transactionId: tx.id,
          merchantId: tx.merchantId,
          statusId: tx.statusId,
          statusChangedAt: tx.statusChangedAt,
          sequence: tx.sequence,
        })),
      'automatic',
      manager,
    );
  }

  async wake(deliveries: DeliveryRecord[]): Promise<void> {
    if (deliveries.length === 0) return;
    try {
      await enqueueDeliveries(this.deps.queue, deliveries.map((d) => ({ deliveryId: d.id, attempt: 1 })));
    } catch (err) {
      // Kept in the ledger: the sweeper queues them (job ids make a second enqueue harmless).
      this.deps.logger.warn('automatic webhooks left to the sweeper', { count: deliveries.length, err: (err as Error).message });
    }
  }
}
