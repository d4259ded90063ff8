import type { RedisClient } from '@wr/queues';
import { setTimeout as sleep } from 'node:timers/promises';
import { NotFoundError, ServiceUnavailableError, ValidationError } from '@wr/domain';
import type { DeliveryRepository, MerchantRepository, TransactionRepository } from '@wr/db';
import { enqueueDeliveries, type DeliveryQueue } from '@wr/queues';

export type InvoiceResendStatus = 'success' | 'pending';

/** How often a waiting request looks at its delivery's audit trail. */
const POLL_MS = 50;

/**
 * SPEC 5.1: records a manual delivery of the invoice's current status in the ledger, queues its
 * first attempt on the live queue (so it gets the 3 automatic retries) and waits for that attempt.
 * While a delivery of the same status is pending, another call joins it instead of adding a
 * second one; after a status change, a call sends the new status.
 */
export class InvoiceResendService {
  constructor(
    private readonly deps: {
      transactions: TransactionRepository;
      merchants: MerchantRepository;
      deliveries: DeliveryRepository;
      queue: DeliveryQueue;
      redis: RedisClient;
      waitMs: number;
    },
  ) {}

  async resend(accountId: number, invoiceId: number): Promise<InvoiceResendStatus> {
    const invoice = await this.deps.transactions.findByIdInAccount(invoiceId, accountId);
    // Invoices are payins; a payout's id names no invoice.
    if (!invoice || invoice.kind !== 'CASHIN') throw new NotFoundError('Invoice not found');
    const merchant = await this.deps.merchants.findById(invoice.merchantId);
    if (!merchant?.webhookUrl) throw new ValidationError('No webhook URL is configured for this invoice');
    if (this.deps.redis.status !== 'ready') throw new ServiceUnavailableError();

    const { delivery, joined } = await this.deps.deliveries.addManual({
      transactionId: invoice.id,
      merchantId: invoice.merchantId,
      statusId: invoice.statusId,
      statusChangedAt: invoice.statusChangedAt,
      sequence: invoice.sequence,
    });
    if (!joined) {
      // Kept in the ledger even if this fails: the sweeper queues it.
      await enqueueDeliveries(this.deps.queue, [{ deliveryId: delivery.id, attempt: 1 }]).catch(() => undefined);
    }
    return this.firstOutcome(delivery.id);
  }

  /** `success` when the delivery's latest attempt delivered it; `pending` once it failed, or after the wait. */
  private async firstOutcome(deliveryId: number): Promise<InvoiceResendStatus> {
    const deadline = Date.now() + this.deps.waitMs;
    while (Date.now() < deadline) {
      const status = await this.deps.deliveries.attemptStatus(deliveryId);
      if (status === 'delivered') return 'success';
      if (status === 'failed') return 'pending';
      await sleep(POLL_MS);
    }
    return 'pending';
  }
}
