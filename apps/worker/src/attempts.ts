import { MAX_DELIVERY_ATTEMPTS, type DeliveryTrigger } from '@wr/domain';
import type { AttemptResult, DeliveryRecord, DeliveryRepository, MerchantRecord, MovedDelivery } from '@wr/db';
import type { AttemptOutcome, DeliveryRequest, WebhookDeliverer } from '@wr/delivery';
import { attemptLeaseMs, retryDelayMs, type FlowControl, type FlowLane } from '@wr/queues';
import type { EndpointGate } from './endpoint-gate.js';

export interface AttemptDeps {
  deliveries: DeliveryRepository;
  deliverer: WebhookDeliverer;
  flow: Pick<FlowControl, 'acquire' | 'holdFor'>;
  endpoints: Pick<EndpointGate, 'admits' | 'hold' | 'record'>;
  retryBaseDelayMs: number;
  webhookTimeoutMs: number;
}

export interface AttemptRun {
  /** The deliveries whose attempt was claimed and made, as they now are. */
  moved: MovedDelivery[];
  /** Each attempt made, by delivery id. */
  attempts: Map<number, MadeAttempt>;
  /** Deliveries the merchant's flow control had no room for: untouched, still due. */
  deferred: DeliveryRecord[];
  /** When something was deferred: how long to wait before trying again. */
  waitMs: number;
  /** Deliveries parked because the merchant's endpoint is failing or disabled (no attempt spent). */
  held: number[];
}

/** One attempt made: how it ended, and (if it failed) the backoff before the next. */
export type MadeAttempt = AttemptOutcome & { webhookLogId: number; attempt: number; retryInMs: number };

/** How soon to ask again when the merchant's cap is full (a slot frees as soon as a request ends). */
const CAP_FULL_WAIT_MS = 40;

/**
 * Makes the next attempt of each delivery, all to one merchant, as far as its endpoint's health
 * and its flow control allow: while the endpoint is failing or disabled the deliveries are held
 * (only a probe goes out); past the cap, the rest is deferred, untouched. Claims them and writes
 * their audit rows before any request (one statement), sends the webhooks concurrently, then
 * records every outcome and what each delivery becomes (one statement), and what they say about
 * the endpoint. A delivery another wake-up has already claimed is left alone. A 429/503 with
 * Retry-After holds the merchant, and that delivery's retry, until then.
 */
export async function runAttempts(
  deps: AttemptDeps,
  input: {
    merchant: MerchantRecord;
    trigger: DeliveryTrigger;
    resendJobId: string | null;
    lane: FlowLane;
    items: Array<{ delivery: DeliveryRecord; request: DeliveryRequest }>;
    /** A probe of a failing endpoint: goes out whatever the circuit says, and may take a held delivery. */
    probe?: boolean;
  },
): Promise<AttemptRun> {
  const probe = input.probe ?? false;
  if (!probe && !(await deps.endpoints.admits(input.merchant.id))) {
    const held = await deps.endpoints.hold(input.merchant.id, input.items.map((i) => i.delivery.id));
    // Not held: the endpoint recovered meanwhile (or the delivery moved on); asked again shortly.
    const heldIds = new Set(held);
    const deferred = input.items.filter((i) => !heldIds.has(i.delivery.id)).map((i) => i.delivery);
    return { moved: [], attempts: new Map(), deferred, waitMs: deferred.length > 0 ? CAP_FULL_WAIT_MS : 0, held };
  }
  const leaseMs = attemptLeaseMs(deps.webhookTimeoutMs);
  const grant = await deps.flow.acquire(input.merchant, input.items.length, input.lane, leaseMs);
  const deferred = input.items.slice(grant.granted).map((i) => i.delivery);
  const waitMs = deferred.length > 0 ? Math.max(grant.retryInMs, CAP_FULL_WAIT_MS) : 0;
  if (grant.granted === 0) return { moved: [], attempts: new Map(), deferred, waitMs, held: [] };
  // The slots go back as soon as the requests are done, not after the bookkeeping.
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    await grant.release().catch(() => undefined);
  };
  try {
    return { ...(await attemptNow(deps, { ...input, probe }, input.items.slice(0, grant.granted), leaseMs, release)), deferred, waitMs, held: [] };
  } finally {
    await release();
  }
}

async function attemptNow(
  deps: AttemptDeps,
  input: { merchant: MerchantRecord; trigger: DeliveryTrigger; resendJobId: string | null; probe: boolean },
  items: Array<{ delivery: DeliveryRecord; request: DeliveryRequest }>,
  leaseMs: number,
  requestsDone: () => Promise<void>,
): Promise<Pick<AttemptRun, 'moved' | 'attempts'>> {
  const sentAt = new Date();
  const prepared = new Map(items.map(({ delivery, request }) => [delivery.id, deps.deliverer.prepare(request, sentAt)]));
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
      leaseMs,
      maxAttempts: MAX_DELIVERY_ATTEMPTS,
      resendJobId: input.resendJobId,
      probe: input.probe,
    },
  );
  const attempts = new Map<number, MadeAttempt>();
  const results: Array<AttemptResult & { retryAfterMs?: number }> = await Promise.all(
    claimed.map(async (c) => {
      const outcome = await deps.deliverer.post(prepared.get(c.deliveryId)!, input.trigger);
      if (outcome.retryAfterMs !== undefined) await deps.flow.holdFor(input.merchant.id, outcome.retryAfterMs).catch(() => undefined);
      // A failed probe leaves its delivery held and due: the circuit, not the backoff, spaces probes.
      const retryInMs = input.probe ? 0 : Math.max(retryDelayMs(deps.retryBaseDelayMs, c.attempt), outcome.retryAfterMs ?? 0);
      attempts.set(c.deliveryId, { ...outcome, webhookLogId: c.webhookLogId, attempt: c.attempt, retryInMs });
      return { ...outcome, ...c, next: nextState(outcome.outcome, c.attempt), retryInMs };
    }),
  );
  await requestsDone();
  const moved = await deps.deliveries.completeAttempts(results, input.resendJobId);
  // Nothing claimed (another wake-up had it): nothing was sent, so nothing to say about the endpoint.
  if (results.length > 0) await deps.endpoints.record(
    input.merchant.id,
    results.map((r) => ({ deliveryId: r.deliveryId, outcome: r.outcome, httpStatus: r.httpStatus, askedToWait: r.retryAfterMs !== undefined, error: r.error })),
    { probe: input.probe },
  );
  return { moved, attempts };
}

/** A refused target stays refused (retrying would knock on the same door); 4 attempts in all. */
export function nextState(outcome: AttemptOutcome['outcome'], attempt: number): AttemptResult['next'] {
  if (outcome === 'success') return 'succeeded';
  if (outcome === 'blocked') return 'blocked';
  return attempt >= MAX_DELIVERY_ATTEMPTS ? 'failed' : 'pending';
}
