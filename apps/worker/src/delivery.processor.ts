import { DelayedError, type Job } from 'bullmq';
import type { DeliveryRepository, MerchantRepository, TransactionRepository } from '@wr/db';
import type { WebhookDeliverer } from '@wr/delivery';
import type { Logger } from '@wr/logger';
import { enqueueDeliveries, type DeliveryJobData, type DeliveryQueue, type LegacyDeliveryJobData } from '@wr/queues';
import { runAttempts, type AttemptDeps } from './attempts.js';

export type DeliveryResult =
  | { skipped: 'not_pending' | 'not_due' | 'no_webhook_url' | 'superseded' | 'missing' | 'claimed_elsewhere' | 'flow_control' | 'held' }
  | { outcome: string; webhookLogId: number; attempt: number; state: string };

/**
 * One wake-up of a live delivery (automatic webhook, invoice resend): makes its next attempt if it
 * is due, and queues the wake-up of the one after (the backoff) when it failed. The ledger row
 * says what is owed; this job only says "now".
 */
export function createDeliveryProcessor(deps: {
  deliveries: DeliveryRepository;
  transactions: TransactionRepository;
  merchants: MerchantRepository;
  deliverer: WebhookDeliverer;
  flow: AttemptDeps['flow'];
  endpoints: AttemptDeps['endpoints'];
  queue: DeliveryQueue;
  logger: Logger;
  retryBaseDelayMs: number;
  webhookTimeoutMs: number;
}) {
  /**
   * A wake-up that came before its delivery is due (an attempt is in flight, or clocks differ)
   * waits for it rather than ending: the sweeper re-drives under the same job id, which BullMQ
   * ignores while this job is kept, so an ended wake-up would leave the delivery to nobody.
   */
  const later = async (
    job: Job<DeliveryJobData>,
    token: string | undefined,
    at: number,
    why: 'not_due' | 'flow_control' = 'not_due',
  ): Promise<DeliveryResult> => {
    if (!token) return { skipped: why };
    await job.moveToDelayed(Math.max(at, Date.now() + (why === 'not_due' ? 1000 : 50)), token);
    throw new DelayedError();
  };

  /**
   * A job queued before the ledger: its delivery is recorded now (sequence 1, as migrated rows),
   * once, even if this job runs again before its data names the delivery.
   */
  const adoptLegacy = async (data: LegacyDeliveryJobData): Promise<number | null> => {
    const transaction = await deps.transactions.findById(data.transactionId);
    if (!transaction) return null;
    const key = { transactionId: transaction.id, statusId: data.statusId, statusChangedAt: new Date(data.statusChangedAt), trigger: data.trigger };
    const adopted = await deps.deliveries.findOf(key);
    if (adopted) return adopted.id;
    const [delivery] = await deps.deliveries.add(
      [{ transactionId: transaction.id, merchantId: transaction.merchantId, statusId: data.statusId, statusChangedAt: new Date(data.statusChangedAt), sequence: 1 }],
      data.trigger,
    );
    return delivery!.id;
  };

  return async (job: Job<DeliveryJobData>, token?: string): Promise<DeliveryResult> => {
    const legacy = job.data as unknown as Partial<LegacyDeliveryJobData>;
    const deliveryId = job.data.deliveryId ?? (legacy.transactionId ? await adoptLegacy(legacy as LegacyDeliveryJobData) : null);
    if (deliveryId === null) return { skipped: 'missing' };
    if (job.data.deliveryId === undefined) await job.updateData({ deliveryId });
    const delivery = await deps.deliveries.findById(deliveryId);
    if (!delivery) return { skipped: 'missing' };
    if (delivery.state !== 'pending') return { skipped: 'not_pending' };
    // Waiting for its endpoint to recover: the release queues a wake-up of its own.
    if (delivery.heldSince) return { skipped: 'held' };
    if (delivery.nextAttemptAt.getTime() > Date.now() + 2000) return later(job, token, delivery.nextAttemptAt.getTime());
    const [transaction, merchant] = await Promise.all([
      deps.transactions.findById(delivery.transactionId),
      deps.merchants.findById(delivery.merchantId),
    ]);
    if (!transaction || !merchant?.webhookUrl) {
      // Nowhere to send: nothing to attempt, no audit row. A later resend can still deliver it.
      deps.logger.info('no webhook url configured; delivery skipped', { deliveryId: delivery.id, merchantId: delivery.merchantId });
      await deps.deliveries.finishWithoutAttempt(delivery.id, 'cancelled');
      return { skipped: 'no_webhook_url' };
    }
    const { moved, attempts, deferred, waitMs, held } = await runAttempts(deps, {
      merchant,
      trigger: delivery.trigger,
      resendJobId: null,
      lane: 'live',
      items: [{ delivery, request: { transaction, merchant, event: delivery } }],
    });
    // The endpoint is failing or disabled: the delivery waits in the ledger, no attempt spent.
    if (held.length > 0) return { skipped: 'held' };
    // The merchant's cap is full, its rate spent, or it asked us to wait: no attempt is spent.
    if (deferred.length > 0) return later(job, token, Date.now() + waitMs, 'flow_control');
    const made = attempts.get(delivery.id);
    if (!made) {
      const now = await deps.deliveries.findById(delivery.id);
      if (now?.state !== 'pending' || now.attempts !== delivery.attempts) return { skipped: 'claimed_elsewhere' };
      // Not claimed, not moved: the claim refuses a status older than one already delivered
      // (order per transaction, SPEC 7), and a delivery the database's clock says is not yet due.
      if (await deps.deliveries.supersedeIfStale(now.id)) return { skipped: 'superseded' };
      return later(job, token, now.nextAttemptAt.getTime());
    }
    deps.deliverer.logAttempt({ ...made, id: made.webhookLogId, transactionId: transaction.id, merchantId: merchant.id, trigger: delivery.trigger });
    const now = moved[0];
    if (now?.state === 'pending') {
      // If Redis is away this throws and the sweeper queues the wake-up once the retry is due.
      // The delay is the backoff itself, not a difference of two machines' clocks.
      await enqueueDeliveries(deps.queue, [{ deliveryId: delivery.id, attempt: now.attempts + 1, delayMs: made.retryInMs, releases: now.releases }]);
    }
    return { outcome: made.outcome, webhookLogId: made.webhookLogId, attempt: made.attempt, state: now?.state ?? 'unknown' };
  };
}
