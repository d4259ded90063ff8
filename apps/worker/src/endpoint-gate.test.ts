import { describe, expect, it } from '@jest/globals';
import type { EndpointHealthRecord, EndpointIncidentRecord, RecordedHealth, Recovery } from '@wr/db';
import { foldObservations, type CircuitCounters, type EndpointObservation, type EndpointState, type EndpointTransition } from '@wr/domain';
import type { Logger } from '@wr/logger';
import { EndpointGate, type GateObservation } from './endpoint-gate.js';

const MERCHANT = 303;
const OTHER_MERCHANT = 404;

// ---- fakes ---------------------------------------------------------------------------------------

function incident(merchantId: number): EndpointIncidentRecord {
  return {
    id: 77,
    merchantId,
    startedAt: new Date(0),
    disabledAt: null,
    disabledReason: null,
    endedAt: null,
    endedBy: null,
    firstError: 'HTTP 500',
    probes: 0,
    deliveriesFailed: null,
  };
}

/**
 * The health table in memory: one row of counters per merchant (none = healthy, never failed),
 * folded as the repository folds them. Every call is counted; `failWith` makes every call throw.
 */
function fakeHealth(rows: Record<number, Partial<CircuitCounters>> = {}) {
  const table = new Map<number, CircuitCounters>(
    Object.entries(rows).map(([id, c]) => [Number(id), { state: 'healthy', consecutiveFailures: 0, failedDeliveryIds: [], ...c }]),
  );
  const calls = {
    stateOf: [] as number[],
    hold: [] as Array<[number, number[]]>,
    record: [] as Array<{ merchantId: number; observations: EndpointObservation[]; options: { probe: boolean; firstError: string | null } }>,
  };
  const fake = {
    calls,
    failWith: null as Error | null,
    /** Changes a row behind the gate's back (another worker's write). */
    set(merchantId: number, state: EndpointState, consecutiveFailures = 0) {
      table.set(merchantId, { state, consecutiveFailures, failedDeliveryIds: [] });
    },
    health: {
      async stateOf(merchantId: number) {
        calls.stateOf.push(merchantId);
        if (fake.failWith) throw fake.failWith;
        const row = table.get(merchantId);
        return { state: row?.state ?? 'healthy', consecutiveFailures: row?.consecutiveFailures ?? 0 };
      },
      async hold(merchantId: number, deliveryIds: number[]) {
        calls.hold.push([merchantId, deliveryIds]);
        return deliveryIds;
      },
      async record(merchantId: number, observations: EndpointObservation[], options: { probe: boolean; firstError: string | null }): Promise<RecordedHealth> {
        calls.record.push({ merchantId, observations, options });
        if (fake.failWith) throw fake.failWith;
        const current = table.get(merchantId) ?? { state: 'healthy', consecutiveFailures: 0, failedDeliveryIds: [] };
        const { next, transition } = foldObservations(current, observations);
        table.set(merchantId, next);
        const health: EndpointHealthRecord = {
          merchantId,
          ...next,
          failingSince: null,
          nextProbeAt: null,
          probeIntervalMs: null,
          probeLeaseUntil: null,
          incidentId: null,
          updatedAt: new Date(0),
        };
        const recovery: Recovery | null = transition === 'recovered' ? { incident: { ...incident(merchantId), endedBy: 'recovered' }, released: [] } : null;
        return { health, transition, incidentId: transition ? incident(merchantId).id : null, recovery };
      },
    },
  };
  return fake;
}

function setup(rows: Record<number, Partial<CircuitCounters>> = {}) {
  const fake = fakeHealth(rows);
  const owed: Array<[number, Recovery]> = [];
  const announced: Array<[EndpointTransition, number, number | null]> = [];
  const warnings: Array<[string, unknown]> = [];
  const clock = { ms: 1_000_000 };
  const logger = { info: () => undefined, error: () => undefined, warn: (message: string, meta: unknown) => void warnings.push([message, meta]) };
  const gate = new EndpointGate({
    health: fake.health,
    recovery: { deliverOwed: async (merchantId: number, recovery: Recovery) => void owed.push([merchantId, recovery]) },
    events: { announce: async (transition, merchantId, inc) => void announced.push([transition, merchantId, inc]) },
    logger: logger as unknown as Logger,
    now: () => clock.ms,
  });
  return { gate, fake, calls: fake.calls, owed, announced, warnings, clock };
}

function observed(deliveryId: number, over: Partial<GateObservation> = {}): GateObservation {
  return { deliveryId, outcome: 'http_error', httpStatus: 500, askedToWait: false, error: 'HTTP 500', ...over };
}

const ok = (deliveryId: number) => observed(deliveryId, { outcome: 'success', httpStatus: 200, error: null });
const failed = (deliveryId: number) => observed(deliveryId);

// ---- admits --------------------------------------------------------------------------------------

describe('EndpointGate.admits', () => {
  it.each<[EndpointState, boolean]>([
    ['healthy', true],
    ['failing', false],
    ['disabled', false],
  ])('when the endpoint is %s, then admits answers %s', async (state, admitted) => {
    const { gate } = setup({ [MERCHANT]: { state } });
    expect(await gate.admits(MERCHANT)).toBe(admitted);
  });

  it('when the merchant has no health row, then it is admitted (healthy, never failed)', async () => {
    const { gate } = setup();
    expect(await gate.admits(MERCHANT)).toBe(true);
  });

  it('when asked again within a second, then the state is read once', async () => {
    const { gate, calls, clock } = setup();
    await gate.admits(MERCHANT);
    clock.ms += 500;
    await gate.admits(MERCHANT);
    clock.ms += 499;
    await gate.admits(MERCHANT);
    expect(calls.stateOf).toEqual([MERCHANT]);
  });

  it('when many deliveries ask at once, then they share one read', async () => {
    const { gate, calls } = setup();
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => gate.admits(MERCHANT)));
    expect(answers).toEqual([true, true, true, true, true]);
    expect(calls.stateOf).toEqual([MERCHANT]);
  });

  it('when a second has passed, then the state is read again and a change made elsewhere is seen', async () => {
    const { gate, fake, calls, clock } = setup();
    expect(await gate.admits(MERCHANT)).toBe(true);
    fake.set(MERCHANT, 'failing', 5);
    clock.ms += 999;
    expect(await gate.admits(MERCHANT)).toBe(true);
    clock.ms += 1;
    expect(await gate.admits(MERCHANT)).toBe(false);
    expect(calls.stateOf).toEqual([MERCHANT, MERCHANT]);
  });

  it('when two merchants are asked about, then each has its own read', async () => {
    const { gate, calls } = setup({ [OTHER_MERCHANT]: { state: 'failing' } });
    const [a, b] = await Promise.all([gate.admits(MERCHANT), gate.admits(OTHER_MERCHANT)]);
    expect([a, b]).toEqual([true, false]);
    expect(calls.stateOf.sort()).toEqual([MERCHANT, OTHER_MERCHANT]);
  });

  it('when a read fails, then that call rejects and the next call reads again (no failed read is kept)', async () => {
    const { gate, fake, calls } = setup();
    fake.failWith = new Error('connection refused');
    await expect(gate.admits(MERCHANT)).rejects.toThrow('connection refused');
    fake.failWith = null;
    expect(await gate.admits(MERCHANT)).toBe(true);
    expect(calls.stateOf).toEqual([MERCHANT, MERCHANT]);
  });

  it('when the deliveries are held, then the repository holds them and its answer is returned', async () => {
    const { gate, calls } = setup({ [MERCHANT]: { state: 'failing' } });
    expect(await gate.hold(MERCHANT, [1, 2])).toEqual([1, 2]);
    expect(calls.hold).toEqual([[MERCHANT, [1, 2]]]);
  });
});

// ---- record --------------------------------------------------------------------------------------

describe('EndpointGate.record', () => {
  it('when a healthy, never-failed endpoint only succeeds, then nothing is written (the fast path)', async () => {
    const { gate, calls } = setup();
    await gate.record(MERCHANT, [ok(1), ok(2)], { probe: false });
    await gate.record(MERCHANT, [ok(3)], { probe: false });
    expect(calls.record).toEqual([]);
    expect(calls.stateOf).toEqual([MERCHANT]);
  });

  it('when only neutral answers come back (429, Retry-After, blocked), then nothing is written', async () => {
    const { gate, calls } = setup();
    await gate.record(
      MERCHANT,
      [
        observed(1, { httpStatus: 429, error: 'HTTP 429' }),
        observed(2, { httpStatus: 503, askedToWait: true, error: 'HTTP 503' }),
        observed(3, { outcome: 'blocked', httpStatus: null, error: 'blocked' }),
      ],
      { probe: false },
    );
    expect(calls.record).toEqual([]);
  });

  it('when an attempt fails, then it is recorded with the first error', async () => {
    const { gate, calls } = setup();
    await gate.record(MERCHANT, [ok(1), observed(2, { outcome: 'timeout', httpStatus: null, error: 'Timeout after 10000ms' }), failed(3)], { probe: false });
    expect(calls.record).toHaveLength(1);
    expect(calls.record[0]).toMatchObject({ merchantId: MERCHANT, options: { probe: false, firstError: 'Timeout after 10000ms' } });
    expect(calls.record[0]!.observations.map((o) => o.deliveryId)).toEqual([1, 2, 3]);
  });

  it('when a success follows a failure, then it is recorded once (to clear the run) and later successes write nothing again', async () => {
    const { gate, calls } = setup();
    await gate.record(MERCHANT, [failed(1)], { probe: false });
    await gate.record(MERCHANT, [ok(2)], { probe: false });
    expect(calls.record).toHaveLength(2);
    expect(calls.record[1]!.options).toEqual({ probe: false, firstError: null });
    await gate.record(MERCHANT, [ok(3)], { probe: false });
    await gate.record(MERCHANT, [ok(4), ok(5)], { probe: false });
    expect(calls.record).toHaveLength(2);
  });

  it('when the endpoint read as having failed succeeds, then the success is recorded', async () => {
    const { gate, calls } = setup({ [MERCHANT]: { consecutiveFailures: 2, failedDeliveryIds: [8, 9] } });
    await gate.record(MERCHANT, [ok(10)], { probe: false });
    expect(calls.record).toHaveLength(1);
  });

  it('when the record opens the circuit, then the platform is told the endpoint is failing', async () => {
    const { gate, announced, owed } = setup({ [MERCHANT]: { consecutiveFailures: 4, failedDeliveryIds: [1, 2] } });
    await gate.record(MERCHANT, [failed(3)], { probe: false });
    expect(announced).toEqual([['failing', MERCHANT, incident(MERCHANT).id]]);
    expect(owed).toEqual([]);
  });

  it('when the record opens the circuit, then the gate stops admitting without reading again', async () => {
    const { gate, calls } = setup({ [MERCHANT]: { consecutiveFailures: 4, failedDeliveryIds: [1, 2] } });
    await gate.record(MERCHANT, [failed(3)], { probe: false });
    expect(await gate.admits(MERCHANT)).toBe(false);
    expect(calls.stateOf).toEqual([MERCHANT]);
  });

  it('when a 410 disables the endpoint, then the platform is told it is disabled', async () => {
    const { gate, announced, calls } = setup();
    await gate.record(MERCHANT, [observed(1, { httpStatus: 410, error: 'HTTP 410' })], { probe: false });
    expect(calls.record[0]!.options.firstError).toBe('HTTP 410');
    expect(announced).toEqual([['disabled', MERCHANT, incident(MERCHANT).id]]);
  });

  it('when the record closes the circuit, then what was owed is delivered (which tells the platform), not announced here', async () => {
    const { gate, announced, owed } = setup({ [MERCHANT]: { state: 'failing', consecutiveFailures: 7, failedDeliveryIds: [1, 2, 3] } });
    await gate.record(MERCHANT, [ok(4)], { probe: true });
    expect(owed).toHaveLength(1);
    expect(owed[0]![0]).toBe(MERCHANT);
    expect(owed[0]![1]).toEqual({ incident: { ...incident(MERCHANT), endedBy: 'recovered' }, released: [] });
    expect(announced).toEqual([]);
    expect(await gate.admits(MERCHANT)).toBe(true);
  });

  it('when a probe succeeds on an endpoint read as healthy and never failed, then it is still recorded', async () => {
    const { gate, calls } = setup();
    await gate.record(MERCHANT, [ok(1)], { probe: true });
    expect(calls.record).toHaveLength(1);
    expect(calls.record[0]!.options).toEqual({ probe: true, firstError: null });
  });

  it('when a probe gets only a neutral answer, then it is still recorded', async () => {
    const { gate, calls } = setup({ [MERCHANT]: { state: 'failing', consecutiveFailures: 5 } });
    await gate.record(MERCHANT, [observed(1, { httpStatus: 429, askedToWait: true, error: 'HTTP 429' })], { probe: true });
    expect(calls.record).toHaveLength(1);
    expect(calls.record[0]!.options.probe).toBe(true);
  });

  it('when a probe fails, then it is recorded and nothing is announced (the circuit was already open)', async () => {
    const { gate, calls, announced, owed } = setup({ [MERCHANT]: { state: 'failing', consecutiveFailures: 5, failedDeliveryIds: [1, 2, 3] } });
    await gate.record(MERCHANT, [failed(3)], { probe: true });
    expect(calls.record).toHaveLength(1);
    expect(announced).toEqual([]);
    expect(owed).toEqual([]);
  });

  it('when the repository throws on record, then record resolves and a warning is logged', async () => {
    const { gate, fake, warnings } = setup();
    await gate.admits(MERCHANT);
    fake.failWith = new Error('connection terminated');
    await expect(gate.record(MERCHANT, [failed(1)], { probe: false })).resolves.toBeUndefined();
    expect(warnings).toEqual([['endpoint health not recorded', { merchantId: MERCHANT, err: 'connection terminated' }]]);
  });

  it('when reading the state throws inside record, then record resolves and a warning is logged', async () => {
    const { gate, fake, warnings } = setup();
    fake.failWith = new Error('connection refused');
    await expect(gate.record(MERCHANT, [failed(1)], { probe: false })).resolves.toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]![0]).toBe('endpoint health not recorded');
  });

  it('when the repository throws on a probe record, then record resolves and nothing is announced', async () => {
    const { gate, fake, warnings, announced, owed } = setup({ [MERCHANT]: { state: 'failing', consecutiveFailures: 5 } });
    await gate.admits(MERCHANT);
    fake.failWith = new Error('deadlock detected');
    await expect(gate.record(MERCHANT, [ok(1)], { probe: true })).resolves.toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(announced).toEqual([]);
    expect(owed).toEqual([]);
  });
});
