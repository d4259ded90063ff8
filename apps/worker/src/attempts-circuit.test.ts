import { describe, expect, it } from '@jest/globals';
import type { AttemptResult, AttemptStart, DeliveryRecord, DeliveryRepository, MerchantRecord, MovedDelivery, TransactionRecord } from '@wr/db';
import type { AttemptOutcome, PreparedWebhook, WebhookDeliverer } from '@wr/delivery';
import { runAttempts } from './attempts.js';
import type { GateObservation } from './endpoint-gate.js';

// ---- fakes (after attempts.test.ts) ----------------------------------------------------------------

type BeginOptions = Parameters<DeliveryRepository['beginAttempts']>[1];

/** A ledger of attempts: claims what it is given (but `elsewhere`); `log` keeps the order of calls. */
function fakeDeliveries(log: string[], opts: { elsewhere?: number[] } = {}) {
  const begun: Array<{ starts: AttemptStart[]; options: BeginOptions }> = [];
  const completed: AttemptResult[][] = [];
  const repo = {
    async beginAttempts(starts: AttemptStart[], options: BeginOptions) {
      log.push('beginAttempts');
      begun.push({ starts, options });
      return starts.filter((s) => !opts.elsewhere?.includes(s.deliveryId)).map((s) => ({ deliveryId: s.deliveryId, webhookLogId: 9000 + s.deliveryId, attempt: 1 }));
    },
    async completeAttempts(results: AttemptResult[]): Promise<MovedDelivery[]> {
      log.push('completeAttempts');
      completed.push(results);
      return results.map((r) => ({ id: r.deliveryId, state: r.next, attempts: r.attempt, nextAttemptAt: new Date(Date.now() + r.retryInMs), releases: 0 }));
    },
  };
  return { repo: repo as unknown as DeliveryRepository, begun, completed };
}

/** Answers each transaction with the outcome given for it (default a 200). */
function fakeDeliverer(outcomes: Record<number, Partial<AttemptOutcome>> = {}) {
  const posted: PreparedWebhook[] = [];
  const deliverer = {
    prepare: (request: { transaction: TransactionRecord; merchant: MerchantRecord }, sentAt: Date): PreparedWebhook => ({
      url: request.merchant.webhookUrl!,
      urlSource: 'configured',
      webhookId: `wh-${request.transaction.id}`,
      statusId: request.transaction.statusId,
      transactionId: request.transaction.id,
      body: '{}',
      headers: {},
      sentAt,
    }),
    post: async (webhook: PreparedWebhook): Promise<AttemptOutcome> => {
      posted.push(webhook);
      return { outcome: 'success', httpStatus: 200, durationMs: 5, error: null, responseBody: null, ...outcomes[webhook.transactionId] };
    },
  };
  return { deliverer: deliverer as unknown as WebhookDeliverer, posted };
}

/** Flow control in memory: grants everything, records what it was asked. */
function fakeFlow() {
  const calls = { asked: [] as number[], holds: [] as Array<[number, number]> };
  const flow = {
    acquire: async (_merchant: unknown, want: number) => {
      calls.asked.push(want);
      return { granted: want, retryInMs: 0, release: async () => undefined };
    },
    holdFor: async (merchantId: number, ms: number) => void calls.holds.push([merchantId, ms]),
  };
  return { flow, calls };
}

/** The endpoint gate in memory: `admits` decides; `hold` takes the ids in `takes` (all by default). */
function fakeEndpoints(log: string[], opts: { admits?: boolean; takes?: number[] } = {}) {
  const calls = {
    admits: 0,
    held: [] as number[][],
    recorded: [] as Array<{ merchantId: number; observations: GateObservation[]; options: { probe: boolean } }>,
  };
  const endpoints = {
    admits: async () => {
      calls.admits += 1;
      return opts.admits ?? true;
    },
    hold: async (_merchantId: number, ids: number[]) => {
      calls.held.push(ids);
      return opts.takes ? ids.filter((id) => opts.takes!.includes(id)) : ids;
    },
    record: async (merchantId: number, observations: GateObservation[], options: { probe: boolean }) => {
      log.push('record');
      calls.recorded.push({ merchantId, observations, options });
    },
  };
  return { endpoints, calls };
}

const merchant = { id: 303, accountId: 1, webhookUrl: 'https://shop.example/hooks', webhookSecret: 'whsec_x' } as MerchantRecord;

/** Delivery `id` notifies transaction `100 + id`. */
function item(id: number) {
  const transaction = { id: 100 + id, merchantId: merchant.id, statusId: 3 } as TransactionRecord;
  const delivery = { id, transactionId: transaction.id, merchantId: merchant.id, state: 'pending' } as DeliveryRecord;
  return { delivery, request: { transaction, merchant } };
}

function setup(opts: { admits?: boolean; takes?: number[]; outcomes?: Record<number, Partial<AttemptOutcome>>; elsewhere?: number[] } = {}) {
  const log: string[] = [];
  const ledger = fakeDeliveries(log, { elsewhere: opts.elsewhere });
  const { deliverer, posted } = fakeDeliverer(opts.outcomes);
  const { flow, calls: flowCalls } = fakeFlow();
  const { endpoints, calls: gate } = fakeEndpoints(log, opts);
  const run = (ids: number[], probe?: boolean) =>
    runAttempts(
      { deliveries: ledger.repo, deliverer, flow, endpoints, retryBaseDelayMs: 1000, webhookTimeoutMs: 5000 },
      { merchant, trigger: 'automatic', resendJobId: null, lane: 'live', items: ids.map(item), ...(probe === undefined ? {} : { probe }) },
    );
  return { run, ledger, posted, flowCalls, gate, log };
}

// ---- runAttempts and the circuit breaker -----------------------------------------------------------

describe('runAttempts and the endpoint circuit', () => {
  it('when the gate does not admit, then nothing is claimed or posted, flow control is not asked, and the deliveries are held', async () => {
    const { run, ledger, posted, flowCalls, gate } = setup({ admits: false });
    const result = await run([1, 2, 3]);
    expect(ledger.begun).toEqual([]);
    expect(posted).toEqual([]);
    expect(flowCalls.asked).toEqual([]);
    expect(gate.held).toEqual([[1, 2, 3]]);
    expect(gate.recorded).toEqual([]);
    expect(result.held).toEqual([1, 2, 3]);
    expect(result.deferred).toEqual([]);
    expect(result.waitMs).toBe(0);
    expect(result.moved).toEqual([]);
    expect(result.attempts.size).toBe(0);
  });

  it('when the hold does not take a delivery (the endpoint recovered meanwhile), then it comes back deferred with a positive wait', async () => {
    const { run, ledger, posted, gate } = setup({ admits: false, takes: [1, 3] });
    const result = await run([1, 2, 3]);
    expect(result.held).toEqual([1, 3]);
    expect(result.deferred.map((d) => d.id)).toEqual([2]);
    expect(result.waitMs).toBeGreaterThan(0);
    expect(gate.held).toEqual([[1, 2, 3]]);
    expect(ledger.begun).toEqual([]);
    expect(posted).toEqual([]);
  });

  it('when the gate admits, then the deliveries are attempted, nothing is held, and beginAttempts is told it is no probe', async () => {
    const { run, ledger, posted, gate } = setup();
    const result = await run([1, 2]);
    expect(gate.admits).toBe(1);
    expect(gate.held).toEqual([]);
    expect(result.held).toEqual([]);
    expect(posted.map((w) => w.transactionId)).toEqual([101, 102]);
    expect(ledger.begun[0]!.options.probe).toBe(false);
    expect(gate.recorded.map((r) => r.options)).toEqual([{ probe: false }]);
  });

  it('when a probe runs against a gate that would not admit, then it goes out, is claimed as a probe and recorded as one', async () => {
    const { run, ledger, posted, flowCalls, gate } = setup({ admits: false });
    const result = await run([1], true);
    expect(gate.held).toEqual([]);
    expect(result.held).toEqual([]);
    expect(flowCalls.asked).toEqual([1]);
    expect(ledger.begun).toHaveLength(1);
    expect(ledger.begun[0]!.options.probe).toBe(true);
    expect(posted.map((w) => w.transactionId)).toEqual([101]);
    expect(gate.recorded).toHaveLength(1);
    expect(gate.recorded[0]!.options).toEqual({ probe: true });
    expect(gate.recorded[0]!.observations).toEqual([{ deliveryId: 1, outcome: 'success', httpStatus: 200, askedToWait: false, error: null }]);
    expect(result.attempts.get(1)).toMatchObject({ outcome: 'success' });
  });

  it('when attempts end, then the gate records one observation per attempt, after the ledger, asked-to-wait only where Retry-After came', async () => {
    const { run, gate, log, flowCalls } = setup({
      outcomes: {
        102: { outcome: 'http_error', httpStatus: 500, error: 'HTTP 500' },
        103: { outcome: 'http_error', httpStatus: 429, error: 'HTTP 429', retryAfterMs: 30_000 },
        104: { outcome: 'http_error', httpStatus: 503, error: 'HTTP 503' },
        105: { outcome: 'timeout', httpStatus: null, error: 'Timeout after 5000ms' },
        106: { outcome: 'http_error', httpStatus: 503, error: 'HTTP 503', retryAfterMs: 120_000 },
      },
    });
    await run([1, 2, 3, 4, 5, 6]);
    expect(log).toEqual(['beginAttempts', 'completeAttempts', 'record']);
    expect(gate.recorded).toHaveLength(1);
    expect(gate.recorded[0]!.merchantId).toBe(merchant.id);
    expect(gate.recorded[0]!.observations).toEqual([
      { deliveryId: 1, outcome: 'success', httpStatus: 200, askedToWait: false, error: null },
      { deliveryId: 2, outcome: 'http_error', httpStatus: 500, askedToWait: false, error: 'HTTP 500' },
      { deliveryId: 3, outcome: 'http_error', httpStatus: 429, askedToWait: true, error: 'HTTP 429' },
      { deliveryId: 4, outcome: 'http_error', httpStatus: 503, askedToWait: false, error: 'HTTP 503' },
      { deliveryId: 5, outcome: 'timeout', httpStatus: null, askedToWait: false, error: 'Timeout after 5000ms' },
      { deliveryId: 6, outcome: 'http_error', httpStatus: 503, askedToWait: true, error: 'HTTP 503' },
    ]);
    expect(flowCalls.holds).toEqual([
      [merchant.id, 30_000],
      [merchant.id, 120_000],
    ]);
  });

  it('when nothing is claimed (another wake-up had every delivery), then nothing is posted and the gate records nothing', async () => {
    const { run, ledger, posted, gate, log } = setup({ elsewhere: [1, 2, 3] });
    const result = await run([1, 2, 3]);
    expect(ledger.begun).toHaveLength(1);
    expect(posted).toEqual([]);
    expect(gate.recorded).toEqual([]);
    expect(log).not.toContain('record');
    expect(result.attempts.size).toBe(0);
    expect(result.held).toEqual([]);
  });

  it('when a probe claims nothing (the delivery was taken elsewhere), then it is not recorded either', async () => {
    const { run, ledger, posted, gate, log } = setup({ admits: false, elsewhere: [1] });
    const result = await run([1], true);
    expect(ledger.begun).toHaveLength(1);
    expect(ledger.begun[0]!.options.probe).toBe(true);
    expect(posted).toEqual([]);
    expect(gate.held).toEqual([]);
    expect(gate.recorded).toEqual([]);
    expect(log).not.toContain('record');
    expect(result.attempts.size).toBe(0);
  });

  it('when a delivery was claimed elsewhere, then only the attempts made are recorded', async () => {
    const { run, gate } = setup({ elsewhere: [2], outcomes: { 101: { outcome: 'network_error', httpStatus: null, error: 'ECONNREFUSED' } } });
    await run([1, 2, 3]);
    expect(gate.recorded[0]!.observations.map((o) => [o.deliveryId, o.outcome])).toEqual([
      [1, 'network_error'],
      [3, 'success'],
    ]);
  });
});
