import { classifyObservation, type EndpointObservation, type EndpointState } from '@wr/domain';
import type { EndpointHealthRepository } from '@wr/db';
import type { Logger } from '@wr/logger';
import type { EndpointEvents, EndpointRecovery } from '@wr/replays';

/** How long a worker trusts what it last read of an endpoint's state. */
const STATE_TTL_MS = 1000;

interface Known {
  state: EndpointState;
  consecutiveFailures: number;
  at: number;
}

/** An attempt as the gate records it: the observation and the error text of a failure. */
export type GateObservation = EndpointObservation & { error: string | null };

/**
 * The circuit breaker in front of every delivery attempt (SPEC 7: probed, not hammered). A worker
 * reads an endpoint's state at most once a second per merchant; a healthy endpoint that has not
 * failed costs no write at all, so the common path stays as fast as without the breaker.
 */
export class EndpointGate {
  private readonly known = new Map<number, Known>();
  private readonly reading = new Map<number, Promise<Known>>();

  constructor(
    private readonly deps: {
      health: Pick<EndpointHealthRepository, 'stateOf' | 'hold' | 'record'>;
      recovery: Pick<EndpointRecovery, 'deliverOwed'>;
      events: Pick<EndpointEvents, 'announce'>;
      logger: Logger;
      now?: () => number;
    },
  ) {}

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  private async read(merchantId: number): Promise<Known> {
    const known = this.known.get(merchantId);
    if (known && this.now() - known.at < STATE_TTL_MS) return known;
    // One read per merchant at a time, however many deliveries ask at once.
    let reading = this.reading.get(merchantId);
    if (!reading) {
      reading = this.deps.health
        .stateOf(merchantId)
        .then((s) => {
          const fresh = { ...s, at: this.now() };
          this.known.set(merchantId, fresh);
          return fresh;
        })
        .finally(() => this.reading.delete(merchantId));
      this.reading.set(merchantId, reading);
    }
    return reading;
  }

  /** Whether attempts to this merchant's endpoint may go out now (only probes go to a failing one). */
  async admits(merchantId: number): Promise<boolean> {
    return (await this.read(merchantId)).state === 'healthy';
  }

  /** Parks these deliveries until the endpoint recovers; answers the ids actually held. */
  hold(merchantId: number, deliveryIds: number[]): Promise<number[]> {
    return this.deps.health.hold(merchantId, deliveryIds);
  }

  /**
   * Records what a batch of attempts says about the endpoint. Writes only when something changes:
   * a failure, a 410, a probe, or a success after failures. On a transition, tells the platform;
   * on recovery, wakes what waited. Never throws: the attempts are already recorded.
   */
  async record(merchantId: number, observations: GateObservation[], options: { probe: boolean }): Promise<void> {
    try {
      const kinds = observations.map(classifyObservation);
      const known = await this.read(merchantId);
      const pristine = known.state === 'healthy' && known.consecutiveFailures === 0;
      if (!options.probe && kinds.every((k) => k === 'neutral' || (k === 'success' && pristine))) return;
      const firstError = observations.find((_, i) => kinds[i] === 'failure' || kinds[i] === 'gone')?.error ?? null;
      const recorded = await this.deps.health.record(merchantId, observations, { probe: options.probe, firstError });
      this.known.set(merchantId, { state: recorded.health.state, consecutiveFailures: recorded.health.consecutiveFailures, at: this.now() });
      if (recorded.transition === 'recovered' && recorded.recovery) await this.deps.recovery.deliverOwed(merchantId, recorded.recovery);
      // Not awaited: a slow operator endpoint must not hold this delivery job.
      else if (recorded.transition) void this.deps.events.announce(recorded.transition, merchantId, recorded.incidentId);
    } catch (err) {
      this.deps.logger.warn('endpoint health not recorded', { merchantId, err: (err as Error).message });
    }
  }
}
