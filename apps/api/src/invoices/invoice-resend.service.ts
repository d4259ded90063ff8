import type { Redis } from 'ioredis';
import { NotFoundError, ServiceUnavailableError, ValidationError } from '@wr/domain';
import type { MerchantRepository, TransactionRepository } from '@wr/db';
import { JOB_NAMES, type DeliveryQueue } from '@wr/queues';
import type { FirstAttemptOutcome, FirstAttemptWaiter } from './first-attempt-waiter.js';

export type InvoiceResendStatus = FirstAttemptOutcome;

/**
 * SPEC 5.1: queues a manual delivery of an invoice's current status on the live queue (so it gets
 * the 3 automatic retries) and waits for its first attempt. While one is pending, another call
 * joins it instead of adding a second delivery (BullMQ deduplication until the job finishes).
 */
export class InvoiceResendService {
  constructor(
    private readonly deps: {
      transactions: TransactionRepository;
      merchants: MerchantRepository;
      queue: DeliveryQueue;
      firstAttempt: FirstAttemptWaiter;
      redis: Redis;
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

    const job = await this.deps.queue.add(
      JOB_NAMES.deliver,
      {
        transactionId: invoice.id,
        statusId: invoice.statusId,
        statusChangedAt: invoice.statusChangedAt.toISOString(),
        trigger: 'manual',
      },
      { deduplication: { id: `manual-${invoice.id}` } },
    );
    return this.deps.firstAttempt.wait(job.id!, this.deps.waitMs);
  }
}
