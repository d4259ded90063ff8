import { describe, expect, it } from '@jest/globals';
import type { AttemptResult, AttemptStart, DeliveryRecord, DeliveryRepository, MerchantRecord, MovedDelivery, TransactionRecord } from '@wr/db';
import type { AttemptOutcome, PreparedWebhook, WebhookDeliverer } from '@wr/delivery';
import { attemptLeaseMs } from '@wr/queues';
import { nextState, runAttempts } from './attempts.js';

describe('nextState', () => {
  it.each([1, 2, 3, 4])('when attempt %i succeeds, then the delivery is succeeded', (attempt) => {
    expect(nextState('success', attempt)).toBe('succeeded');
  });

  it.each([1, 4])('when attempt %i is blocked, then the delivery is blocked (never retried)', (attempt) => {
    expect(nextState('blocked', attempt)).toBe('blocked');
  });

  it.each<[AttemptOutcome['outcome'], number]>([
    ['http_error', 1],
    ['timeout', 2],
    ['network_error', 3],
  ])('when a %s ends attempt %i, then another attempt is due (pending)', (outcome, attempt) => {
    expect(nextState(outcome, attempt)).toBe('pending');
  });

  it.each(['http_error', 'timeout', 'network_error'] as const)('when a %s ends attempt 4, then the delivery is failed', (outcome) => {
    expect(nextState(outcome, 4)).toBe('failed');
  });
});

// ---- fakes ---------------------------------------------------------------------------------------

type BeginOptions = Parameters<DeliveryRepository['beginAttempts']>[1];

/** A ledger of attempts: claims what it is given (but `elsewhere`), numbering after `attemptsSoFar`. */
function fakeDeliveries(opts: { elsewhere?: number[]; attemptsSoFar?: Record<number, number> } = {}) {
  const begun: Array<{ starts: AttemptStart[]; options: BeginOptions }> = [];
  const completed: Array<{ results: AttemptResult[]; resendJobId: string | null }> = [];
  const repo = {
    async beginAttempts(starts: AttemptStart[], options: BeginOptions) {
      begun.push({ starts, options });
      return starts
        .filter((s) => !opts.elsewhere?.includes(s.deliveryId))
        .map((s) => ({ deliveryId: s.deliveryId, webhookLogId: 9000 + s.deliveryId, attempt: (opts.attemptsSoFar?.[s.deliveryId] ?? 0) + 1 }));
    },
    async completeAttempts(results: AttemptResult[], resendJobId: string | null): Promise<MovedDelivery[]> {
      completed.push({ results, resendJobId });
      return results.map((r) => ({ id: r.deliveryId, state: r.next, attempts: r.attempt, nextAttemptAt: new Date(Date.now() + r.retryInMs), releases: 0 }));
    },
  };
  return { repo: repo as unknown as DeliveryRepository, begun, completed };
}

/** Prepares trivially and answers each transaction with the outcome given for it (default success). */
function fakeDeliverer(outcomes: Record<number, AttemptOutcome['outcome']> = {}) {
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
      const outcome = outcomes[webhook.transactionId] ?? 'success';
      return { outcome, httpStatus: outcome === 'success' ? 200 : 500, durationMs: 5, error: null, responseBody: null };
    },
  };
  return { deliverer: deliverer as unknown as WebhookDeliverer, posted };
}

const merchant = { id: 303, accountId: 1, webhookUrl: 'https://shop.example/hooks', webhookSecret: 'whsec_x' } as MerchantRecord;

/** Delivery `id` notifies transaction `100 + id`. */
function item(id: number) {
  const transaction = { id: 100 + id, merchantId: merchant.id, statusId: 3 } as TransactionRecord;
  const delivery = { id, transactionId: transaction.id, merchantId: merchant.id, state: 'pending' } as DeliveryRecord;
  return { delivery, request: { transaction, merchant } };
}

const BASE_DELAY_MS = 1000;

/** Flow control in memory: grants up to `room` (all by default), records holds and releases. */
function fakeFlow(room = Infinity, retryInMs = 0) {
  const calls = { asked: [] as Array<[number, string]>, released: 0, holds: [] as Array<[number, number]> };
  const flow = {
    acquire: async (_merchant: unknown, want: number, lane: string) => {
      calls.asked.push([want, lane]);
      const granted = Math.min(want, room);
      return { granted, retryInMs: granted === 0 ? retryInMs : 0, release: async () => void (calls.released += granted) };
    },
    holdFor: async (merchantId: number, ms: number) => void calls.holds.push([merchantId, ms]),
  };
  return { flow, calls };
}

/** Endpoint health in memory: `healthy` decides the gate; holds and records are kept. */
function fakeEndpoints(healthy = true) {
  const calls = { held: [] as number[][], recorded: [] as Array<{ outcomes: string[]; probe: boolean }> };
  const endpoints = {
    admits: async () => healthy,
    hold: async (_merchantId: number, ids: number[]) => {
      calls.held.push(ids);
      return ids;
    },
    record: async (_merchantId: number, observations: Array<{ outcome: string }>, options: { probe: boolean }) =>
      void calls.recorded.push({ outcomes: observations.map((o) => o.outcome), probe: options.probe }),
  };
  return { endpoints, calls };
}

function run(deliveries: DeliveryRepository, deliverer: WebhookDeliverer, ids: number[], flow = fakeFlow().flow, endpoints = fakeEndpoints().endpoints) {
  return runAttempts(
    { deliveries, deliverer, flow, endpoints, retryBaseDelayMs: BASE_DELAY_MS, webhookTimeoutMs: 5000 },
    { merchant, trigger: 'automatic', resendJobId: null, lane: 'bulk', items: ids.map(item) },
  );
}

// ---- runAttempts ---------------------------------------------------------------------------------

describe('runAttempts and the merchant flow control', () => {
  it('when the merchant has room for 2 of 5, then 2 are attempted, 3 are deferred untouched, and the slots are given back', async () => {
    const ledger = fakeDeliveries();
    const { deliverer, posted } = fakeDeliverer();
    const { flow, calls } = fakeFlow(2);
    const run5 = await run(ledger.repo, deliverer, [1, 2, 3, 4, 5], flow);
    expect(calls.asked).toEqual([[5, 'bulk']]);
    expect(posted.map((w) => w.transactionId)).toEqual([101, 102]);
    expect(run5.deferred.map((d) => d.id)).toEqual([3, 4, 5]);
    expect(run5.waitMs).toBeGreaterThan(0);
    expect(calls.released).toBe(2);
  });

  it('when the merchant has no room (held by a Retry-After), then nothing is claimed or posted and the wait is the hold', async () => {
    const ledger = fakeDeliveries();
    const { deliverer, posted } = fakeDeliverer();
    const { flow } = fakeFlow(0, 2500);
    const none = await run(ledger.repo, deliverer, [1, 2], flow);
    expect(ledger.begun).toEqual([]);
    expect(posted).toEqual([]);
    expect(none.deferred.map((d) => d.id)).toEqual([1, 2]);
    expect(none.waitMs).toBe(2500);
  });

  it('when the merchant answers 429 with Retry-After, then the merchant is held that long and the retry waits at least as long', async () => {
    const ledger = fakeDeliveries();
    const { flow, calls } = fakeFlow();
    const deliverer = {
      prepare: fakeDeliverer().deliverer.prepare,
      post: async (): Promise<AttemptOutcome> => ({ outcome: 'http_error', httpStatus: 429, durationMs: 2, error: 'HTTP 429', responseBody: null, retryAfterMs: 3_600_000 }),
    } as unknown as WebhookDeliverer;
    const { attempts } = await run(ledger.repo, deliverer, [1], flow);
    expect(calls.holds).toEqual([[merchant.id, 3_600_000]]);
    expect(attempts.get(1)!.retryInMs).toBe(3_600_000);
    expect(ledger.completed[0]!.results[0]!.retryInMs).toBe(3_600_000);
  });
});

describe('runAttempts', () => {
  it('when all are claimed, then each is started with what it sends and the attempt limits', async () => {
    const ledger = fakeDeliveries();
    const { deliverer } = fakeDeliverer();
    await run(ledger.repo, deliverer, [1, 2]);
    expect(ledger.begun).toHaveLength(1);
    expect(ledger.begun[0]!.starts).toEqual([
      { deliveryId: 1, transactionId: 101, webhookId: 'wh-101', statusId: 3, url: 'https://shop.example/hooks', urlSource: 'configured' },
      { deliveryId: 2, transactionId: 102, webhookId: 'wh-102', statusId: 3, url: 'https://shop.example/hooks', urlSource: 'configured' },
    ]);
    expect(ledger.begun[0]!.options).toMatchObject({ accountId: 1, leaseMs: attemptLeaseMs(5000), maxAttempts: 4, resendJobId: null });
  });

  it('when one delivery was claimed elsewhere, then only the claimed ones are posted and completed', async () => {
    const ledger = fakeDeliveries({ elsewhere: [2] });
    const { deliverer, posted } = fakeDeliverer();
    const { moved, attempts } = await run(ledger.repo, deliverer, [1, 2, 3]);
    expect(posted.map((w) => w.transactionId).sort()).toEqual([101, 103]);
    expect(ledger.completed[0]!.results.map((r) => r.deliveryId).sort()).toEqual([1, 3]);
    expect([...attempts.keys()].sort()).toEqual([1, 3]);
    expect(moved.map((m) => m.id).sort()).toEqual([1, 3]);
  });

  it('when attempts end differently, then each result carries its claimed attempt number, next state and a positive retry delay', async () => {
    const ledger = fakeDeliveries({ attemptsSoFar: { 1: 0, 2: 2, 3: 3, 4: 1 } });
    const { deliverer } = fakeDeliverer({ 101: 'http_error', 102: 'timeout', 103: 'network_error', 104: 'success' });
    const { attempts } = await run(ledger.repo, deliverer, [1, 2, 3, 4]);
    const results = new Map(ledger.completed[0]!.results.map((r) => [r.deliveryId, r]));
    expect([1, 2, 3, 4].map((id) => [results.get(id)!.attempt, results.get(id)!.next])).toEqual([
      [1, 'pending'],
      [3, 'pending'],
      [4, 'failed'],
      [2, 'succeeded'],
    ]);
    for (const r of results.values()) {
      // Backoff with jitter: within (half, all] of base * 2^(attempt - 1).
      const max = BASE_DELAY_MS * 2 ** (r.attempt - 1);
      expect(r.retryInMs).toBeGreaterThanOrEqual(max / 2);
      expect(r.retryInMs).toBeLessThanOrEqual(max);
      expect(r.webhookLogId).toBe(9000 + r.deliveryId);
    }
    expect(attempts.get(2)).toMatchObject({ outcome: 'timeout', attempt: 3, webhookLogId: 9002 });
  });

  it('when nothing is claimed, then nothing is posted and no attempt is reported', async () => {
    const ledger = fakeDeliveries({ elsewhere: [1, 2] });
    const { deliverer, posted } = fakeDeliverer();
    const { moved, attempts } = await run(ledger.repo, deliverer, [1, 2]);
    expect(posted).toEqual([]);
    expect(attempts.size).toBe(0);
    expect(moved).toEqual([]);
    expect(ledger.completed.flatMap((c) => c.results)).toEqual([]);
  });
});
