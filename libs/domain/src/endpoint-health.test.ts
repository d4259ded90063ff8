import { describe, expect, it } from '@jest/globals';
import {
  CIRCUIT_RULES,
  classifyObservation,
  foldObservations,
  nextProbeIntervalMs,
  type CircuitCounters,
  type EndpointObservation,
  type EndpointState,
  type EndpointTransition,
} from './endpoint-health.js';

/** An attempt of delivery `deliveryId`: a 500 unless told otherwise. */
function attempt(deliveryId: number | null, over: Partial<EndpointObservation> = {}): EndpointObservation {
  return { deliveryId, outcome: 'http_error', httpStatus: 500, askedToWait: false, ...over };
}

const ok = (deliveryId: number) => attempt(deliveryId, { outcome: 'success', httpStatus: 200 });
const gone = (deliveryId: number) => attempt(deliveryId, { httpStatus: 410 });

function counters(state: EndpointState = 'healthy', over: Partial<CircuitCounters> = {}): CircuitCounters {
  return { state, consecutiveFailures: 0, failedDeliveryIds: [], ...over };
}

/** Folds each batch in turn (as the repository does, one record per batch): the transitions seen and where it ends. */
function foldBatches(start: CircuitCounters, batches: EndpointObservation[][]) {
  let current = start;
  const transitions: Array<EndpointTransition | null> = [];
  for (const batch of batches) {
    const { next, transition } = foldObservations(current, batch);
    transitions.push(transition);
    current = next;
  }
  return { end: current, transitions };
}

describe('classifyObservation', () => {
  it.each<[string, ReturnType<typeof classifyObservation>, Partial<EndpointObservation>]>([
    ['a 200', 'success', { outcome: 'success', httpStatus: 200 }],
    ['a 500', 'failure', { outcome: 'http_error', httpStatus: 500 }],
    ['a 503 without Retry-After', 'failure', { outcome: 'http_error', httpStatus: 503 }],
    ['a timeout', 'failure', { outcome: 'timeout', httpStatus: null }],
    ['a network error', 'failure', { outcome: 'network_error', httpStatus: null }],
    ['a 410 Gone', 'gone', { outcome: 'http_error', httpStatus: 410 }],
    ['a 429 without Retry-After', 'neutral', { outcome: 'http_error', httpStatus: 429 }],
    ['a 503 that asked us to wait', 'neutral', { outcome: 'http_error', httpStatus: 503, askedToWait: true }],
    ['a refused target (blocked)', 'neutral', { outcome: 'blocked', httpStatus: null }],
  ])('when the attempt is %s, then it counts as %s', (_name, kind, over) => {
    expect(classifyObservation(attempt(1, over))).toBe(kind);
  });
});

describe('foldObservations: opening the circuit', () => {
  it("when one delivery's own 4 attempts fail, then the circuit stays closed (a lone failing webhook gets its 4 attempts)", () => {
    const { next, transition } = foldObservations(counters(), [attempt(7), attempt(7), attempt(7), attempt(7)]);
    expect(transition).toBeNull();
    expect(next).toEqual({ state: 'healthy', consecutiveFailures: 4, failedDeliveryIds: [7] });
  });

  it("when one delivery's 4 attempts fail one batch at a time, then the circuit never opens", () => {
    const { end, transitions } = foldBatches(counters(), [[attempt(7)], [attempt(7)], [attempt(7)], [attempt(7)]]);
    expect(transitions).toEqual([null, null, null, null]);
    expect(end.state).toBe('healthy');
    expect(end.failedDeliveryIds).toEqual([7]);
  });

  it('when 5 attempts in a row fail across 3 deliveries, then the circuit opens on the 5th (transition failing)', () => {
    const run = [attempt(1), attempt(1), attempt(2), attempt(2), attempt(3)];
    expect(foldObservations(counters(), run.slice(0, 4)).transition).toBeNull();
    const { next, transition } = foldObservations(counters(), run);
    expect(transition).toBe('failing');
    expect(next).toEqual({ state: 'failing', consecutiveFailures: 5, failedDeliveryIds: [1, 2, 3] });
  });

  it('when the 5 failures arrive in separate batches, then the batch with the 5th opens the circuit', () => {
    const { end, transitions } = foldBatches(counters(), [[attempt(1)], [attempt(1)], [attempt(2)], [attempt(2)], [attempt(3)]]);
    expect(transitions).toEqual([null, null, null, null, 'failing']);
    expect(end.state).toBe('failing');
  });

  it('when 4 deliveries fail once each, then the circuit stays closed (fewer than 5 failures)', () => {
    const { next, transition } = foldObservations(counters(), [attempt(1), attempt(2), attempt(3), attempt(4)]);
    expect(transition).toBeNull();
    expect(next.state).toBe('healthy');
  });

  it('when 6 failures come from only 2 deliveries in turn, then the circuit stays closed (fewer than 3 deliveries)', () => {
    const { next, transition } = foldObservations(counters(), [attempt(1), attempt(1), attempt(1), attempt(1), attempt(2), attempt(2)]);
    expect(transition).toBeNull();
    expect(next).toEqual({ state: 'healthy', consecutiveFailures: 6, failedDeliveryIds: [1, 2] });
  });

  it('when a success comes between failures, then the run starts over and the circuit stays closed', () => {
    const { next, transition } = foldObservations(counters(), [attempt(1), attempt(2), attempt(3), attempt(4), ok(5), attempt(6)]);
    expect(transition).toBeNull();
    expect(next).toEqual({ state: 'healthy', consecutiveFailures: 1, failedDeliveryIds: [6] });
  });

  it('when the endpoint is already failing and fails again, then nothing transitions and the run grows (the ids stay at 3)', () => {
    const start = counters('failing', { consecutiveFailures: 5, failedDeliveryIds: [1, 2, 3] });
    const { next, transition } = foldObservations(start, [attempt(4)]);
    expect(transition).toBeNull();
    expect(next).toEqual({ state: 'failing', consecutiveFailures: 6, failedDeliveryIds: [1, 2, 3] });
  });

  it('when counters are folded, then the counters passed in are left as they were (ids list included)', () => {
    const start = counters('healthy', { consecutiveFailures: 1, failedDeliveryIds: [1] });
    foldObservations(start, [attempt(2), attempt(3), attempt(4), attempt(5)]);
    expect(start).toEqual(counters('healthy', { consecutiveFailures: 1, failedDeliveryIds: [1] }));
    foldObservations(start, [ok(6)]);
    expect(start.failedDeliveryIds).toEqual([1]);
  });

  it('when two deliveries fail in turn (1, 2, 1, 2 …), then 8 failures never open the circuit, and a third delivery failing opens it', () => {
    const alternating = [1, 2, 1, 2, 1, 2, 1, 2].map((id) => [attempt(id)]);
    const { end, transitions } = foldBatches(counters(), alternating);
    expect(transitions).toEqual([null, null, null, null, null, null, null, null]);
    expect(end).toEqual({ state: 'healthy', consecutiveFailures: 8, failedDeliveryIds: [1, 2] });
    const { next, transition } = foldObservations(end, [attempt(3)]);
    expect(transition).toBe('failing');
    expect(next).toEqual({ state: 'failing', consecutiveFailures: 9, failedDeliveryIds: [1, 2, 3] });
  });

  it('when two deliveries fail in turn within one batch, then the circuit stays closed too', () => {
    const { next, transition } = foldObservations(counters(), [1, 2, 1, 2, 1, 2, 1, 2].map((id) => attempt(id)));
    expect(transition).toBeNull();
    expect(next.failedDeliveryIds).toEqual([1, 2]);
  });

  it('when 10 distinct deliveries fail in a row, then the ids list never grows past 3', () => {
    const ids = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    let current = counters();
    for (const id of ids) {
      current = foldObservations(current, [attempt(id)]).next;
      expect(current.failedDeliveryIds.length).toBeLessThanOrEqual(CIRCUIT_RULES.deliveriesToOpen);
    }
    expect(current).toEqual({ state: 'failing', consecutiveFailures: 10, failedDeliveryIds: [1, 2, 3] });
    expect(foldObservations(counters(), ids.map((id) => attempt(id))).next.failedDeliveryIds).toHaveLength(3);
  });
});

describe('foldObservations: 410 Gone', () => {
  it('when a healthy endpoint answers 410, then it is disabled at once', () => {
    const { next, transition } = foldObservations(counters(), [gone(1)]);
    expect(transition).toBe('disabled');
    expect(next.state).toBe('disabled');
  });

  it('when a failing endpoint answers 410, then it is disabled', () => {
    const start = counters('failing', { consecutiveFailures: 5, failedDeliveryIds: [1, 2, 3] });
    const { next, transition } = foldObservations(start, [gone(4)]);
    expect(transition).toBe('disabled');
    expect(next.state).toBe('disabled');
  });

  it('when a disabled endpoint answers 410 again, then nothing transitions', () => {
    const { next, transition } = foldObservations(counters('disabled'), [gone(1)]);
    expect(transition).toBeNull();
    expect(next.state).toBe('disabled');
  });
});

describe('foldObservations: answers that say nothing about health', () => {
  const neutral: Array<[string, EndpointObservation]> = [
    ['a 429', attempt(1, { httpStatus: 429 })],
    ['a 503 with Retry-After', attempt(1, { httpStatus: 503, askedToWait: true })],
    ['a 429 with Retry-After', attempt(1, { httpStatus: 429, askedToWait: true })],
    ['a blocked target', attempt(1, { outcome: 'blocked', httpStatus: null })],
  ];

  it.each(neutral)('when every answer is %s, then the counters and state do not move', (_name, o) => {
    const start = counters('healthy', { consecutiveFailures: 4, failedDeliveryIds: [1, 2, 3] });
    const batch = [1, 2, 3, 4, 5, 6].map((id) => ({ ...o, deliveryId: id }));
    const { next, transition } = foldObservations(start, batch);
    expect(transition).toBeNull();
    expect(next).toEqual(start);
  });

  it.each(neutral)('when %s comes between failures, then it neither breaks the run nor extends it', (_name, o) => {
    const { next, transition } = foldObservations(counters(), [attempt(1), attempt(2), attempt(3), attempt(4), { ...o, deliveryId: 9 }]);
    expect(transition).toBeNull();
    expect(next.consecutiveFailures).toBe(4);
    expect(foldObservations(next, [attempt(5)]).transition).toBe('failing');
  });

  it.each(neutral)('when a failing endpoint answers %s, then it stays failing', (_name, o) => {
    const start = counters('failing', { consecutiveFailures: 5, failedDeliveryIds: [1, 2, 3] });
    expect(foldObservations(start, [o])).toEqual({ next: start, transition: null });
  });
});

describe('foldObservations: recovery', () => {
  it('when a failing endpoint succeeds, then it recovers and the counters are reset', () => {
    const start = counters('failing', { consecutiveFailures: 9, failedDeliveryIds: [10, 11, 12] });
    const { next, transition } = foldObservations(start, [ok(13)]);
    expect(transition).toBe('recovered');
    expect(next).toEqual(counters('healthy'));
  });

  it('when a failing endpoint succeeds and then fails again within one batch, then the batch reports where it ends', () => {
    const start = counters('failing', { consecutiveFailures: 9, failedDeliveryIds: [10, 11, 12] });
    const { next, transition } = foldObservations(start, [ok(13), attempt(14)]);
    expect(transition).toBe('recovered');
    expect(next).toEqual({ state: 'healthy', consecutiveFailures: 1, failedDeliveryIds: [14] });
  });

  it('when a failing endpoint succeeds and then fails enough to open again within one batch (flapping), then no transition: the incident goes on', () => {
    const start = counters('failing', { consecutiveFailures: 9, failedDeliveryIds: [10, 11, 12] });
    const { next, transition } = foldObservations(start, [ok(13), attempt(14), attempt(15), attempt(16), attempt(14), attempt(15)]);
    expect(transition).toBeNull();
    expect(next).toEqual({ state: 'failing', consecutiveFailures: 5, failedDeliveryIds: [14, 15, 16] });
  });

  it('when a disabled endpoint succeeds, then it stays disabled (only an operator re-enables it)', () => {
    const start = counters('disabled', { consecutiveFailures: 3, failedDeliveryIds: [4, 5] });
    const { next, transition } = foldObservations(start, [ok(6)]);
    expect(transition).toBeNull();
    expect(next.state).toBe('disabled');
  });

  it('when a healthy endpoint that had failed succeeds, then the run is cleared without a transition', () => {
    const start = counters('healthy', { consecutiveFailures: 2, failedDeliveryIds: [1, 2] });
    expect(foldObservations(start, [ok(3)])).toEqual({ next: counters('healthy'), transition: null });
  });
});

describe('nextProbeIntervalMs', () => {
  it('when no probe has failed yet, then the first probe waits 2 s', () => {
    expect(nextProbeIntervalMs(null)).toBe(2000);
    expect(nextProbeIntervalMs(null)).toBe(CIRCUIT_RULES.firstProbeAfterMs);
  });

  it('when probes keep failing, then each waits half as long again as the last: 2000, 3000, 4500, 6750 …', () => {
    const intervals = [nextProbeIntervalMs(null)];
    for (let i = 0; i < 3; i++) intervals.push(nextProbeIntervalMs(intervals.at(-1)!));
    expect(intervals).toEqual([2000, 3000, 4500, 6750]);
  });

  it('when probes keep failing for long, then the interval stops growing at 5 minutes', () => {
    let interval = nextProbeIntervalMs(null);
    const seen = [interval];
    for (let i = 0; i < 30; i++) seen.push((interval = nextProbeIntervalMs(interval)));
    expect(Math.max(...seen)).toBe(300_000);
    expect(seen.at(-1)).toBe(300_000);
    expect(nextProbeIntervalMs(250_000)).toBe(300_000);
    expect(nextProbeIntervalMs(300_000)).toBe(300_000);
    // Never shrinks on the way up.
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
  });
});
