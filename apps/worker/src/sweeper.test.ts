import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { DeliveryRepository, MovedDelivery, ResendJobRecord, ResendJobRepository } from '@wr/db';
import type { Logger } from '@wr/logger';
import type { BulkDeliveryQueue, BulkFanoutQueue, DeliveryQueue, ReplayLock } from '@wr/queues';
import type { Redis } from 'ioredis';
import type { ScheduleKeeper } from './schedule-keeper.js';
import { startSweeper, type Sweeper } from './sweeper.js';

const GRACE_MS = 30_000;
const LEASE_MS = 70_000;

interface Added {
  name: string;
  data: { deliveryId?: number; resendJobId?: string; deliveryIds?: number[] };
  opts?: { jobId?: string; delay?: number };
}

function fakeQueue() {
  const added: Added[] = [];
  return { added, queue: { addBulk: async (jobs: Added[]) => void added.push(...jobs), toKey: (id: string) => `q:${id}` } };
}

interface World {
  /** Due live deliveries: `inRedis` = their next wake-up is still held; `state` = what re-driving makes of them. */
  live?: Array<Pick<MovedDelivery, 'id' | 'state' | 'attempts'> & { inRedis?: boolean }>;
  stalled?: Array<Pick<ResendJobRecord, 'id' | 'fanoutDone'>>;
  /** Due items per stalled job. */
  items?: Record<string, number[]>;
  /** Jobs whose completeIfDone finds them finished. */
  done?: string[];
}

/** A ledger, queues and schedules in memory; every call is recorded. */
function setup(world: World = {}) {
  const liveDue = world.live ?? [];
  const itemsLeft = { ...world.items };
  const calls = {
    closeAbandoned: [] as Array<[number, number]>,
    redriveLive: [] as Array<[number[], number, number]>,
    redriveJobItems: [] as string[],
    touched: [] as string[],
    completeIfDone: [] as string[],
  };
  const deliveries = {
    closeAbandonedAttempts: async (olderThanMs: number, limit: number) => {
      calls.closeAbandoned.push([olderThanMs, limit]);
      return 2;
    },
    dueLive: async (_graceMs: number, after: { id: number } | null, limit: number) =>
      liveDue.filter((d) => !after || d.id > after.id).slice(0, limit).map((d) => ({ id: d.id, attempts: d.attempts, nextAttemptAt: new Date(0) })),
    redriveLive: async (ids: number[], graceMs: number, maxAttempts: number) => {
      calls.redriveLive.push([ids, graceMs, maxAttempts]);
      return liveDue.filter((d) => ids.includes(d.id)).map(({ id, state, attempts }) => ({ id, state, attempts, nextAttemptAt: new Date() }));
    },
    cancelOrphans: async () => 0,
    redriveJobItems: async (jobId: string, _graceMs: number, limit: number) => {
      calls.redriveJobItems.push(jobId);
      const all = itemsLeft[jobId] ?? [];
      itemsLeft[jobId] = all.slice(limit);
      return all.slice(0, limit);
    },
  };
  const resendJobs = {
    findStalled: async () => (world.stalled ?? []).map((j) => ({ ...j, transactionId: null, total: 0, succeeded: 0, failed: 0 })),
    touch: async (id: string) => void calls.touched.push(id),
    completeIfDone: async (id: string) => {
      calls.completeIfDone.push(id);
      return world.done?.includes(id) ? { id, transactionId: null, total: 1, succeeded: 1, failed: 0 } : null;
    },
  };
  const live = fakeQueue();
  const fanouts = fakeQueue();
  const batches = fakeQueue();
  const ensureSchedulers = jest.fn(async () => 0);
  // EXISTS answers from the world: 1 for a wake-up Redis still holds.
  const held = new Set(liveDue.filter((d) => d.inRedis).map((d) => `q:dlv-${d.id}-a${d.attempts + 1}`));
  const redis = {
    status: 'ready',
    pipeline: () => {
      const keys: string[] = [];
      const pipeline = {
        exists: (key: string) => (keys.push(key), pipeline),
        exec: async () => keys.map((k) => [null, held.has(k) ? 1 : 0]),
      };
      return pipeline;
    },
  };
  const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

  const sweeper = startSweeper({
    deliveries: deliveries as unknown as DeliveryRepository,
    resendJobs: resendJobs as unknown as ResendJobRepository,
    endpoints: { releaseStrays: async () => [] },
    deliveryQueue: live.queue as unknown as DeliveryQueue,
    fanoutQueue: fanouts.queue as unknown as BulkFanoutQueue,
    bulkDeliveryQueue: batches.queue as unknown as BulkDeliveryQueue,
    replayLock: { release: async () => true, renew: async () => true } as unknown as ReplayLock,
    schedules: { ensureSchedulers } as ScheduleKeeper,
    redis: redis as unknown as Redis,
    logger: logger as unknown as Logger,
    intervalMs: 1000,
    graceMs: GRACE_MS,
    attemptLeaseMs: LEASE_MS,
  });
  started.push(sweeper);
  return { sweeper, calls, live: live.added, fanouts: fanouts.added, batches: batches.added, ensureSchedulers, redis };
}

const started: Sweeper[] = [];
afterEach(() => {
  for (const s of started.splice(0)) s.stop();
  jest.useRealTimers();
});

describe('sweeper', () => {
  it('when attempts were abandoned, then their audit rows are closed after the attempt lease', async () => {
    const t = setup();
    const report = await t.sweeper.runOnce();
    expect(t.calls.closeAbandoned).toEqual([[LEASE_MS, 1000]]);
    expect(report.abandonedAttempts).toBe(2);
  });

  it('when live deliveries are due, then only those whose wake-up Redis lost are re-driven: pending ones get their next attempt, spent ones fail', async () => {
    const t = setup({
      live: [
        { id: 5, state: 'pending', attempts: 1 },
        { id: 6, state: 'failed', attempts: 4 },
        { id: 7, state: 'pending', attempts: 0 },
        { id: 8, state: 'pending', attempts: 2, inRedis: true },
      ],
    });
    const report = await t.sweeper.runOnce();
    // 8's wake-up is still in Redis (a backlog): its row is not touched, nothing is queued for it.
    expect(t.calls.redriveLive).toEqual([[[5, 6, 7], GRACE_MS, 4]]);
    expect(t.live.map((j) => [j.opts?.jobId, j.data.deliveryId])).toEqual([
      ['dlv-5-a2', 5],
      ['dlv-7-a1', 7],
    ]);
    expect(report).toMatchObject({ liveRedriven: 2, liveFailed: 1 });
  });

  it('when a stalled job has not finished its fan-out, then a fan-out takes it over under a fresh id', async () => {
    const t = setup({ stalled: [{ id: 'job-a', fanoutDone: false }] });
    const report = await t.sweeper.runOnce();
    expect(t.fanouts).toHaveLength(1);
    expect(t.fanouts[0]!.data).toEqual({ resendJobId: 'job-a' });
    expect(t.fanouts[0]!.opts?.jobId).toMatch(/^fanout-job-a-t\d+$/);
    expect(t.calls.touched).toEqual(['job-a']);
    expect(t.calls.redriveJobItems).toEqual([]);
    expect(report.jobsResumed).toBe(1);
  });

  it('when a stalled job has finished its fan-out, then its due items are queued again in batches of at most 50 and completion is tried', async () => {
    const due = Array.from({ length: 120 }, (_, i) => 200 + i);
    const t = setup({ stalled: [{ id: 'job-b', fanoutDone: true }], items: { 'job-b': due } });
    const report = await t.sweeper.runOnce();
    expect(t.fanouts).toEqual([]);
    expect(t.batches.map((b) => b.data.deliveryIds!.length)).toEqual([50, 50, 20]);
    expect(t.batches.flatMap((b) => b.data.deliveryIds)).toEqual(due);
    expect(t.batches.every((b) => b.data.resendJobId === 'job-b' && b.opts?.jobId === undefined)).toBe(true);
    expect(t.calls.completeIfDone).toEqual(['job-b']);
    expect(t.calls.touched).toEqual([]);
    expect(report).toMatchObject({ itemsRedriven: 120, jobsResumed: 1, jobsCompleted: 0 });
  });

  it('when a stalled job has nothing left due, then it is touched and completed', async () => {
    const t = setup({ stalled: [{ id: 'job-c', fanoutDone: true }], done: ['job-c'] });
    const report = await t.sweeper.runOnce();
    expect(t.batches).toEqual([]);
    expect(t.calls.touched).toEqual(['job-c']);
    expect(t.calls.completeIfDone).toEqual(['job-c']);
    expect(report).toMatchObject({ itemsRedriven: 0, jobsResumed: 0, jobsCompleted: 1 });
  });

  it('when a pass runs, then the replay schedulers Redis may have lost are ensured', async () => {
    const t = setup();
    await t.sweeper.runOnce();
    expect(t.ensureSchedulers).toHaveBeenCalledTimes(1);
  });

  it('when Redis is not ready, then the timer does not sweep until it is', async () => {
    jest.useFakeTimers();
    const t = setup();
    t.redis.status = 'reconnecting';
    await jest.advanceTimersByTimeAsync(3000);
    expect(t.calls.closeAbandoned).toEqual([]);
    t.redis.status = 'ready';
    await jest.advanceTimersByTimeAsync(1000);
    expect(t.calls.closeAbandoned).toHaveLength(1);
    t.sweeper.stop();
    await jest.advanceTimersByTimeAsync(5000);
    expect(t.calls.closeAbandoned).toHaveLength(1);
  });
});
