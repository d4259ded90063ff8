import { MAX_DELIVERY_ATTEMPTS, type DeliveryTrigger } from '@wr/domain';
import type { AttemptResult, DeliveryRecord, DeliveryRepository, MerchantRecord, MovedDelivery } from '@wr/db';
import type { AttemptOutcome, DeliveryRequest, WebhookDeliverer } from '@wr/delivery';
import { attemptLeaseMs, retryDelayMs } from '@wr/queues';

export interface AttemptDeps {
  deliveries: DeliveryRepository;
  deliverer: WebhookDeliverer;
  retryBaseDelayMs: number;
  webhookTimeoutMs: number;
}

export interface AttemptRun {
  /** The deliveries whose attempt was claimed and made, as they now are. */
  moved: MovedDelivery[];
  /** Each attempt made, by delivery id. */
  attempts: Map<number, MadeAttempt>;
}

/** One attempt made: how it ended, and (if it failed) the backoff before the next. */
export type MadeAttempt = AttemptOutcome & { webhookLogId: number; attempt: number; retryInMs: number };

/**
 * Makes the next attempt of each delivery, all to one merchant: claims them and writes their
 * audit rows before any request (one statement), sends the webhooks concurrently, then records
 * every outcome and what each delivery becomes (one statement). A delivery another wake-up has
 * already claimed is left alone.
 */
export async function runAttempts(
  deps: AttemptDeps,
  input: {
    merchant: MerchantRecord;
    trigger: DeliveryTrigger;
    resendJobId: string | null;
    items: Array<{ delivery: DeliveryRecord; request: DeliveryRequest }>;
  },
): Promise<AttemptRun> {
  const sentAt = new Date();
  const prepared = new Map(input.items.map(({ delivery, request }) => [delivery.id, deps.deliverer.prepare(request, sentAt)]));
  const claimed = await deps.deliveries.beginAttempts(
    [...prepared].map(([deliveryId, w]) => ({
      deliveryId,
      transactionId: w.transactionId,
      webhookId: w.webhookId,
      statusId: w.statusId,
      url: w.url,
      urlSource: w.urlSource,
    })),
    {
      accountId: input.merchant.accountId,
      leaseMs: attemptLeaseMs(deps.webhookTimeoutMs),
      maxAttempts: MAX_DELIVERY_ATTEMPTS,
      resendJobId: input.resendJobId,
    },
  );
  const attempts = new Map<number, MadeAttempt>();
  const results: AttemptResult[] = await Promise.all(
    claimed.map(async (c) => {
      const outcome = await deps.deliverer.post(prepared.get(c.deliveryId)!, input.trigger);
      const retryInMs = retryDelayMs(deps.retryBaseDelayMs, c.attempt);
      attempts.set(c.deliveryId, { ...outcome, webhookLogId: c.webhookLogId, attempt: c.attempt, retryInMs });
      return { ...outcome, ...c, next: nextState(outcome.outcome, c.attempt), retryInMs };
    }),
  );
  const moved = await deps.deliveries.completeAttempts(results, input.resendJobId);
  return { moved, attempts };
}

/** A refused target stays refused (retrying would knock on the same door); 4 attempts in all. */
export function nextState(outcome: AttemptOutcome['outcome'], attempt: number): AttemptResult['next'] {
  if (outcome === 'success') return 'succeeded';
  if (outcome === 'blocked') return 'blocked';
  return attempt >= MAX_DELIVERY_ATTEMPTS ? 'failed' : 'pending';
}
