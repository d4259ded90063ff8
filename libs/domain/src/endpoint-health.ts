import type { DeliveryOutcome } from './delivery-types.js';

export const ENDPOINT_STATES = ['healthy', 'failing', 'disabled'] as const;
export type EndpointState = (typeof ENDPOINT_STATES)[number];

/**
 * When the circuit opens and how it is probed. Five failed attempts in a row (no success between)
 * spread over at least three deliveries: a merchant that is down fails every webhook, while one
 * webhook its server rejects (a bad payload, say) fails alone and still gets its 4 attempts
 * (SPEC 7). Probes start 2 s apart and grow by half each time up to 5 minutes, so a short outage
 * is noticed within seconds and a long one costs the merchant one request every 5 minutes.
 */
export const CIRCUIT_RULES = {
  failuresToOpen: 5,
  deliveriesToOpen: 3,
  firstProbeAfterMs: 2_000,
  probeGrowth: 1.5,
  maxProbeIntervalMs: 300_000,
} as const;

/** One attempt as endpoint health sees it. */
export interface EndpointObservation {
  deliveryId: number | null;
  outcome: DeliveryOutcome;
  httpStatus: number | null;
  /** The answer asked us to wait (429/503 with Retry-After): flow control's business, not a failure. */
  askedToWait: boolean;
}

export type ObservationKind = 'success' | 'failure' | 'gone' | 'neutral';

/**
 * 410 Gone disables the endpoint (Standard Webhooks). A refused target (`blocked`) is the
 * operator's configuration, and an answer that asks us to slow down is a living server: neither
 * says anything about the endpoint's health.
 */
export function classifyObservation(o: EndpointObservation): ObservationKind {
  if (o.outcome === 'success') return 'success';
  if (o.outcome === 'blocked' || o.askedToWait || o.httpStatus === 429) return 'neutral';
  if (o.httpStatus === 410) return 'gone';
  return 'failure';
}

export interface CircuitCounters {
  state: EndpointState;
  consecutiveFailures: number;
  /** Distinct deliveries that failed in the current run, up to `deliveriesToOpen` of them. */
  failedDeliveryIds: number[];
}

export type EndpointTransition = 'failing' | 'disabled' | 'recovered';

/**
 * Folds a batch of attempts (in the order they ended) into the endpoint's counters and says which
 * transition, if any, they cause. A success while failing closes the circuit; while disabled only
 * an operator re-enables the endpoint.
 */
export function foldObservations(
  current: CircuitCounters,
  observations: EndpointObservation[],
): { next: CircuitCounters; transition: EndpointTransition | null } {
  const next = { ...current };
  let transition: EndpointTransition | null = null;
  for (const o of observations) {
    const kind = classifyObservation(o);
    if (kind === 'neutral') continue;
    if (kind === 'success') {
      next.consecutiveFailures = 0;
      next.failedDeliveryIds = [];
      if (next.state === 'failing') {
        next.state = 'healthy';
        transition = 'recovered';
      }
      continue;
    }
    next.consecutiveFailures += 1;
    const known = o.deliveryId === null || next.failedDeliveryIds.includes(o.deliveryId);
    if (!known && next.failedDeliveryIds.length < CIRCUIT_RULES.deliveriesToOpen) next.failedDeliveryIds = [...next.failedDeliveryIds, o.deliveryId!];
    if (kind === 'gone' && next.state !== 'disabled') {
      next.state = 'disabled';
      transition = 'disabled';
    } else if (
      next.state === 'healthy' &&
      next.consecutiveFailures >= CIRCUIT_RULES.failuresToOpen &&
      next.failedDeliveryIds.length >= CIRCUIT_RULES.deliveriesToOpen
    ) {
      next.state = 'failing';
      transition = 'failing';
    }
  }
  // A batch that recovered and failed again (an endpoint flapping) changes nothing: the incident goes on.
  if (next.state === current.state) transition = null;
  return { next, transition };
}

/** The wait before the probe after one that failed: growing, capped. */
export function nextProbeIntervalMs(previousMs: number | null): number {
  if (previousMs === null) return CIRCUIT_RULES.firstProbeAfterMs;
  return Math.min(Math.round(previousMs * CIRCUIT_RULES.probeGrowth), CIRCUIT_RULES.maxProbeIntervalMs);
}
