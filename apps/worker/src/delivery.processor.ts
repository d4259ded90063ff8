import { UnrecoverableError, type Job } from 'bullmq';
import type { MerchantRepository, TransactionRepository } from '@wr/db';
import type { WebhookDeliverer } from '@wr/delivery';
import type { Logger } from '@wr/logger';
import type { DeliveryJobData } from '@wr/queues';

export class DeliveryFailedError extends Error {
  constructor(outcome: string, detail: string | null) {
    super(`delivery ${outcome}${detail ? `: ${detail}` : ''}`);
    this.name = 'DeliveryFailedError';
  }
}

export interface DeliveryResult {
  webhookLogId?: number;
  skipped?: 'no_webhook_url';
}

/**
 * One attempt of one delivery job. State is re-read on every attempt (the merchant may have fixed
 * its URL meanwhile); a failed attempt throws so BullMQ schedules the next one with backoff.
 */
export function createDeliveryProcessor(deps: {
  transactions: TransactionRepository;
  merchants: MerchantRepository;
  deliverer: WebhookDeliverer;
  logger: Logger;
}) {
  return async (job: Job<DeliveryJobData>): Promise<DeliveryResult> => {
    const { transactionId, statusId, statusChangedAt, trigger, resendJobId } = job.data;
    const transaction = await deps.transactions.findById(transactionId);
    if (!transaction) throw new UnrecoverableError(`transaction ${transactionId} does not exist`);
    const merchant = await deps.merchants.findById(transaction.merchantId);
    if (!merchant) throw new UnrecoverableError(`merchant ${transaction.merchantId} does not exist`);
    if (!merchant.webhookUrl) {
      // Nothing to attempt: the merchant has no endpoint. A later resend can still deliver it.
      deps.logger.info('no webhook url configured; delivery skipped', { transactionId, merchantId: merchant.id });
      return { skipped: 'no_webhook_url' };
    }
    const log = await deps.deliverer.deliver({
      transaction,
      merchant,
      event: { statusId, statusChangedAt: new Date(statusChangedAt) },
      trigger,
      resendJobId: resendJobId ?? null,
      attempt: job.attemptsMade + 1,
    });
    // A refused target stays refused: retrying would only knock on the same door.
    if (log.outcome === 'blocked') throw new UnrecoverableError(`delivery blocked: ${log.error}`);
    if (log.outcome !== 'success') throw new DeliveryFailedError(log.outcome, log.error);
    return { webhookLogId: log.id };
  };
}
