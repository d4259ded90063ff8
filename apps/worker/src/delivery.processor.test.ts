import { describe, expect, it } from '@jest/globals';
import { DelayedError, type Job } from 'bullmq';
import type {
  AttemptResult,
  AttemptStart,
  DeliveryRecord,
  DeliveryRepository,
  MerchantRecord,
  MerchantRepository,
  MovedDelivery,
  TransactionRecord,
  TransactionRepository,
} from '@wr/db';
import type { AttemptOutcome, PreparedWebhook, WebhookDeliverer } from '@wr/delivery';
import type { Logger } from '@wr/logger';
import type { DeliveryJobData, DeliveryQueue } from '@wr/queues';
import { createDeliveryProcessor } from './delivery.processor.js';

const DELIVERY_ID = 7;

interface World {
  delivery?: Partial<DeliveryRecord> | null;
  merchantUrl?: string | null;
  superseded?: boolean;
  /** true: another wake-up claimed it; 'not_due_by_database': nothing was claimed and nothing moved. */
  claimedElsewhere?: boolean | 'not_due_by_database';
  /** The merchant's flow control has no room (cap full, rate spent, or a Retry-After hold). */
  noRoom?: boolean;
  outcome?: AttemptOutcome['outcome'];
}

/** One delivery, its transaction and merchant, in memory; records what the processor does to them. */
function setup(world: World = {}) {
  const delivery: DeliveryRecord | null =
    world.delivery === null
      ? null
      : ({ id: DELIVERY_ID, transactionId: 70, merchantId: 303, statusId: 3, sequence: 1, trigger: 'automatic', state: 'pending', attempts: 0, nextAttemptAt: new Date(), ...world.delivery } as DeliveryRecord);
  const merchant = { id: 303, accountId: 1, webhookUrl: world.merchantUrl === undefined ? 'https://shop.example/hooks' : world.merchantUrl } as MerchantRecord;
  const transaction = { id: 70, merchantId: 303, statusId: 3 } as TransactionRecord;

  const finished: Array<[number, string]> = [];
  const moved: MovedDelivery[] = [];
  const posted: PreparedWebhook[] = [];
  const queued: Array<{ name: string; data: DeliveryJobData; opts?: { jobId?: string; delay?: number } }> = [];

  let reads = 0;
  const deliveries = {
    // After a lost claim, the second read shows whether someone else moved the delivery.
    findById: async () =>
      ++reads > 1 && delivery && world.claimedElsewhere === true ? { ...delivery, attempts: delivery.attempts + 1 } : delivery,
    // As the statement does: ends the delivery only when a newer status was delivered.
    supersedeIfStale: async (id: number) => {
      if (world.superseded) finished.push([id, 'superseded']);
      return world.superseded ?? false;
    },
    finishWithoutAttempt: async (id: number, state: string) => {
      finished.push([id, state]);
      return true;
    },
    // As the claim statement does: nothing is claimed elsewhere's or when a newer status was delivered.
    beginAttempts: async (starts: AttemptStart[]) =>
      world.claimedElsewhere || world.superseded ? [] : starts.map((s) => ({ deliveryId: s.deliveryId, webhookLogId: 500, attempt: delivery!.attempts + 1 })),
    completeAttempts: async (results: AttemptResult[]) => {
      for (const r of results) moved.push({ id: r.deliveryId, state: r.next, attempts: r.attempt, nextAttemptAt: new Date(Date.now() + r.retryInMs), releases: 0 });
      return moved;
    },
  };
  const deliverer = {
    prepare: (_request: unknown, sentAt: Date): PreparedWebhook => ({
      url: merchant.webhookUrl!, urlSource: 'configured', webhookId: 'wh-70', statusId: 3, transactionId: 70, body: '{}', headers: {}, sentAt,
    }),
    post: async (webhook: PreparedWebhook): Promise<AttemptOutcome> => {
      posted.push(webhook);
      const outcome = world.outcome ?? 'success';
      return { outcome, httpStatus: outcome === 'success' ? 200 : 503, durationMs: 3, error: null, responseBody: null };
    },
    logAttempt: () => undefined,
  };
  const queue = {
    addBulk: async (jobs: typeof queued) => {
      queued.push(...jobs);
      return [];
    },
  };
  const logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

  const process = createDeliveryProcessor({
    deliveries: deliveries as unknown as DeliveryRepository,
    transactions: { findById: async () => transaction } as unknown as TransactionRepository,
    merchants: { findById: async () => merchant } as unknown as MerchantRepository,
    deliverer: deliverer as unknown as WebhookDeliverer,
    flow: {
      acquire: async (_m: unknown, want: number) => ({
        granted: world.noRoom ? 0 : want,
        retryInMs: world.noRoom ? 3000 : 0,
        release: async () => undefined,
      }),
      holdFor: async () => undefined,
    },
    // A healthy endpoint: the circuit breaker's own behaviour is tested in endpoint-gate.test.ts.
    endpoints: { admits: async () => true, hold: async () => [], record: async () => undefined },
    queue: queue as unknown as DeliveryQueue,
    logger: logger as unknown as Logger,
    retryBaseDelayMs: 30_000,
    webhookTimeoutMs: 5000,
  });
  const delayedTo: number[] = [];
  const job = {
    data: { deliveryId: DELIVERY_ID },
    moveToDelayed: async (at: number) => {
      delayedTo.push(at);
    },
  } as unknown as Job<DeliveryJobData>;
  return { run: (token?: string) => process(job, token), finished, moved, posted, queued, delayedTo };
}

describe('delivery processor', () => {
  it.each<[string, World, string]>([
    ['the delivery is missing', { delivery: null }, 'missing'],
    ['the delivery is no longer pending', { delivery: { state: 'succeeded' } }, 'not_pending'],
    ['the retry is not yet due', { delivery: { attempts: 1, nextAttemptAt: new Date(Date.now() + 60_000) } }, 'not_due'],
  ])('when %s, then it is skipped without posting', async (_case, world, skipped) => {
    const t = setup(world);
    expect(await t.run()).toEqual({ skipped });
    expect(t.posted).toEqual([]);
    expect(t.finished).toEqual([]);
    expect(t.queued).toEqual([]);
  });

  it('when the merchant has no webhook URL, then the delivery is cancelled without an attempt', async () => {
    const t = setup({ merchantUrl: null });
    expect(await t.run()).toEqual({ skipped: 'no_webhook_url' });
    expect(t.finished).toEqual([[DELIVERY_ID, 'cancelled']]);
    expect(t.posted).toEqual([]);
  });

  it('when a newer status was already delivered, then the delivery is superseded and nothing is posted', async () => {
    const t = setup({ superseded: true });
    expect(await t.run()).toEqual({ skipped: 'superseded' });
    expect(t.finished).toEqual([[DELIVERY_ID, 'superseded']]);
    expect(t.posted).toEqual([]);
  });

  it('when a wake-up (with its worker token) comes before the delivery is due, then it waits until then instead of ending', async () => {
    const dueAt = Date.now() + 60_000;
    const t = setup({ delivery: { attempts: 1, nextAttemptAt: new Date(dueAt) } });
    await expect(t.run('token-1')).rejects.toBeInstanceOf(DelayedError);
    expect(t.delayedTo).toEqual([dueAt]);
    expect(t.posted).toEqual([]);
  });

  it('when the claim takes nothing and nobody moved the delivery (the database says not yet due), then the wake-up waits', async () => {
    const t = setup({ claimedElsewhere: 'not_due_by_database' });
    await expect(t.run('token-1')).rejects.toBeInstanceOf(DelayedError);
    expect(t.delayedTo).toHaveLength(1);
    expect(t.posted).toEqual([]);
    expect(t.queued).toEqual([]);
  });

  it('when the merchant has no room (its cap, rate or Retry-After), then the wake-up waits for it without spending an attempt', async () => {
    const t = setup({ noRoom: true });
    const before = Date.now();
    await expect(t.run('token-1')).rejects.toBeInstanceOf(DelayedError);
    expect(t.delayedTo).toHaveLength(1);
    expect(t.delayedTo[0]!).toBeGreaterThanOrEqual(before + 3000);
    expect(t.posted).toEqual([]);
    expect(t.queued).toEqual([]);
  });

  it('when another wake-up claimed the attempt, then nothing is posted or queued', async () => {
    const t = setup({ claimedElsewhere: true });
    expect(await t.run()).toEqual({ skipped: 'claimed_elsewhere' });
    expect(t.posted).toEqual([]);
    expect(t.queued).toEqual([]);
  });

  it('when attempt 1 fails, then the wake-up of attempt 2 is queued for when the retry is due', async () => {
    const t = setup({ outcome: 'http_error' });
    const before = Date.now();
    expect(await t.run()).toEqual({ outcome: 'http_error', webhookLogId: 500, attempt: 1, state: 'pending' });
    expect(t.posted).toHaveLength(1);
    expect(t.queued).toHaveLength(1);
    const [wakeUp] = t.queued;
    expect(wakeUp!.name).toBe('deliver');
    expect(wakeUp!.data).toEqual({ deliveryId: DELIVERY_ID });
    expect(wakeUp!.opts?.jobId).toBe(`dlv-${DELIVERY_ID}-a2`);
    const dueIn = t.moved[0]!.nextAttemptAt.getTime() - before;
    expect(wakeUp!.opts?.delay).toBeGreaterThan(0);
    expect(Math.abs(wakeUp!.opts!.delay! - dueIn)).toBeLessThan(1000);
  });

  it('when the last attempt fails, then the delivery is failed and no wake-up is queued', async () => {
    const t = setup({ delivery: { attempts: 3 }, outcome: 'timeout' });
    expect(await t.run()).toMatchObject({ attempt: 4, state: 'failed' });
    expect(t.queued).toEqual([]);
  });

  it('when the attempt succeeds, then no wake-up is queued', async () => {
    const t = setup();
    expect(await t.run()).toEqual({ outcome: 'success', webhookLogId: 500, attempt: 1, state: 'succeeded' });
    expect(t.posted).toHaveLength(1);
    expect(t.queued).toEqual([]);
  });
});
