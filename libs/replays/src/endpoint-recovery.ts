import type { EndpointHealthRepository, IncidentEnd, Recovery, ReleasedDelivery } from '@wr/db';
import type { EndpointEvent, OperatorNotifier } from '@wr/delivery';
import type { EndpointTransition } from '@wr/domain';
import type { Logger } from '@wr/logger';
import { enqueueBatches, enqueueDeliveries, type BulkDeliveryQueue, type DeliveryQueue } from '@wr/queues';

const EVENT_TYPES: Record<EndpointTransition, EndpointEvent['type']> = {
  failing: 'endpoint.failing',
  disabled: 'endpoint.disabled',
  recovered: 'endpoint.recovered',
};
const STATE_AFTER: Record<EndpointTransition, EndpointEvent['state']> = { failing: 'failing', disabled: 'disabled', recovered: 'healthy' };

/**
 * Tells the platform about an endpoint's transitions: one log line, one metric, and (when
 * OPERATOR_WEBHOOK_URL is set) a signed webhook to its operators. Never throws: the transition
 * is already recorded in PostgreSQL.
 */
export class EndpointEvents {
  constructor(
    private readonly deps: {
      health: Pick<EndpointHealthRepository, 'incidentSummary'>;
      logger: Logger;
      transitions?: { inc(labels: { to: string }): void };
      notifier?: Pick<OperatorNotifier, 'notify'> | null;
    },
  ) {}

  async announce(transition: EndpointTransition, merchantId: number, incidentId: number | null): Promise<void> {
    try {
      const summary = incidentId === null ? null : await this.deps.health.incidentSummary(incidentId);
      const counts = {
        deliveriesFailed: summary?.deliveriesFailed ?? 0,
        held: summary?.held ?? 0,
        replayed: summary?.replayed ?? 0,
        stillToSend: summary?.stillToSend ?? 0,
      };
      const fields = { merchantId, transition, incidentId, endedBy: summary?.endedBy ?? null, ...counts };
      if (transition === 'recovered') this.deps.logger.info('merchant endpoint recovered', fields);
      else this.deps.logger.warn(`merchant endpoint ${STATE_AFTER[transition]}`, fields);
      this.deps.transitions?.inc({ to: transition });
      await this.deps.notifier?.notify({ type: EVENT_TYPES[transition], merchantId, state: STATE_AFTER[transition], incident: summary, counts });
    } catch (err) {
      this.deps.logger.warn('endpoint transition not announced', { merchantId, transition, err: (err as Error).message });
    }
  }
}

/**
 * Ends an endpoint's incident and delivers what piled up: every held delivery and every one that
 * spent its attempts during the incident, in `status_changed_at` order, at the merchant's
 * flow-control pace (the wake-ups are queued in that order; flow control spaces the requests).
 * If queueing fails, the rows are due in PostgreSQL and the sweeper queues them.
 */
export class EndpointRecovery {
  constructor(
    private readonly deps: {
      health: Pick<EndpointHealthRepository, 'recover'>;
      deliveryQueue: DeliveryQueue;
      bulkDeliveryQueue: BulkDeliveryQueue;
      events: EndpointEvents;
      logger: Logger;
    },
  ) {}

  /** An operator re-enabled the endpoint, or its URL changed: healthy, and what is owed goes out. */
  async recover(merchantId: number, endedBy: IncidentEnd, since: Date | null = null): Promise<Recovery> {
    const recovery = await this.deps.health.recover(merchantId, endedBy, since);
    await this.deliverOwed(merchantId, recovery);
    return recovery;
  }

  /** After a recovery committed (by a probe, or `recover`): wakes what it released, tells the platform. */
  async deliverOwed(merchantId: number, recovery: Recovery): Promise<void> {
    try {
      await wakeReleased(this.deps, recovery.released);
    } catch (err) {
      this.deps.logger.warn('recovery wake-ups not queued; the sweeper will', { merchantId, err: (err as Error).message });
    }
    // Not awaited: an operator endpoint that is slow must not hold a delivery, a probe or an API answer.
    if (recovery.incident) void this.deps.events.announce('recovered', merchantId, recovery.incident.id);
  }
}

/** Queues a wake-up for each released delivery, in the order given: live ones, and bulk ones by job. */
export async function wakeReleased(
  queues: { deliveryQueue: DeliveryQueue; bulkDeliveryQueue: BulkDeliveryQueue },
  released: ReleasedDelivery[],
): Promise<void> {
  const live = released.filter((r) => r.resendJobId === null);
  await enqueueDeliveries(queues.deliveryQueue, live.map((r) => ({ deliveryId: r.id, attempt: r.attempts + 1, releases: r.releases })));
  const byJob = new Map<string, number[]>();
  for (const r of released) {
    if (r.resendJobId === null) continue;
    const ids = byJob.get(r.resendJobId);
    if (ids) ids.push(r.id);
    else byJob.set(r.resendJobId, [r.id]);
  }
  for (const [jobId, ids] of byJob) await enqueueBatches(queues.bulkDeliveryQueue, jobId, ids);
}
