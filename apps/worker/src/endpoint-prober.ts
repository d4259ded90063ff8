import type { DeliveryRepository, EndpointHealthRepository, MerchantRepository, TransactionRepository } from '@wr/db';
import { CIRCUIT_RULES, MAX_DELIVERY_ATTEMPTS } from '@wr/domain';
import type { Logger } from '@wr/logger';
import type { EndpointEvents } from '@wr/replays';
import { attemptLeaseMs } from '@wr/queues';
import { runAttempts, type AttemptDeps } from './attempts.js';
import { runEvery } from './periodic.js';

/** Endpoints probed per tick, per worker: probes are one request each, spread over workers. */
const PROBES_PER_TICK = 20;
/** A probe that could not be made is tried again this soon (with the then-oldest delivery). */
const PROBE_RETRY_MS = 500;

export interface EndpointProber {
  runOnce(): Promise<{ probed: number; disabled: number }>;
  stop(): Promise<void>;
}

/**
 * Tests failing endpoints, one probe at a time each: the probe is the next attempt of the oldest
 * delivery waiting for that endpoint (a real, signed, audited webhook). A success closes the
 * circuit and releases everything held; a failure spaces the next probe further apart (see
 * CIRCUIT_RULES). Also disables endpoints failing for longer than ENDPOINT_DISABLE_AFTER_HOURS.
 * Driven by PostgreSQL (a lease on the health row), so it needs nothing from Redis to resume.
 */
export function startEndpointProber(
  deps: AttemptDeps & {
    health: EndpointHealthRepository;
    transactions: Pick<TransactionRepository, 'findById'>;
    merchants: Pick<MerchantRepository, 'findById'>;
    deliveries: DeliveryRepository;
    events: Pick<EndpointEvents, 'announce'>;
    logger: Logger;
    tickMs: number;
    disableAfterHours: number;
  },
): EndpointProber {
  const probe = async (merchantId: number): Promise<boolean> => {
    const delivery = await deps.health.probeCandidate(merchantId, MAX_DELIVERY_ATTEMPTS);
    const [merchant, transaction] = delivery
      ? await Promise.all([deps.merchants.findById(merchantId), deps.transactions.findById(delivery.transactionId)])
      : [null, null];
    if (!delivery || !merchant?.webhookUrl || !transaction) {
      // Nothing waits for this endpoint (or nowhere to send it): ask again after the same interval.
      await deps.health.postponeProbe(merchantId, CIRCUIT_RULES.firstProbeAfterMs);
      return false;
    }
    const run = await runAttempts(deps, {
      merchant,
      trigger: delivery.trigger,
      resendJobId: delivery.resendJobId,
      lane: 'live',
      probe: true,
      // A bulk job sends each transaction's current status; a live delivery its own.
      items: [{ delivery, request: { transaction, merchant, event: delivery.resendJobId ? undefined : delivery } }],
    });
    const made = run.attempts.get(delivery.id);
    if (!made) {
      // Not claimed: flow control had no room, or the delivery cannot go (a newer status was
      // delivered, its job stopped). The next tick takes the then-oldest one.
      if (!delivery.resendJobId) await deps.deliveries.supersedeIfStale(delivery.id);
      await deps.health.postponeProbe(merchantId, Math.max(run.waitMs, PROBE_RETRY_MS));
      return false;
    }
    deps.deliverer.logAttempt({ ...made, id: made.webhookLogId, transactionId: transaction.id, merchantId, trigger: delivery.trigger });
    return true;
  };

  const runOnce = async () => {
    const disabled = await deps.health.disableStale(deps.disableAfterHours);
    for (const d of disabled) void deps.events.announce('disabled', d.merchantId, d.incidentId);
    const due = await deps.health.claimDueProbes(PROBES_PER_TICK, attemptLeaseMs(deps.webhookTimeoutMs));
    const probed = await Promise.all(
      due.map((merchantId) =>
        probe(merchantId).catch((err: Error) => {
          deps.logger.warn('endpoint probe failed to run', { merchantId, err: err.message });
          return false;
        }),
      ),
    );
    return { probed: probed.filter(Boolean).length, disabled: disabled.length };
  };

  const loop = runEvery(deps.tickMs, () =>
    runOnce().then(
      () => undefined,
      (err: Error) => void deps.logger.warn('endpoint probing failed', { err: err.message }),
    ),
  );
  return { runOnce, stop: () => loop.stop() };
}
