import { describe, expect, it } from '@jest/globals';
import type { Job } from 'bullmq';
import type { MerchantRecord, ResendJobRecord } from '@wr/db';
import type { Logger } from '@wr/logger';
import type { BulkDeliveryQueue, BulkFanoutJobData, BulkFanoutQueue } from '@wr/queues';
import { createBulkFanoutProcessor, type BulkFanoutDeps } from './bulk-fanout.processor.js';

const JOB_ID = 'a'.repeat(32);

interface Added {
  name: string;
  data: { resendJobId: string; deliveryIds?: number[] };
  opts?: { jobId?: string };
}

/** A window of `size` transactions one second apart, a job and its merchant, in memory; every call is recorded. */
function setup(options: { size?: number; claimable?: boolean; webhookUrl?: string | null; stopping?: boolean } = {}) {
  const window = Array.from({ length: options.size ?? 0 }, (_, i) => ({
    id: i + 1,
    statusId: 3,
    statusChangedAt: new Date(Date.UTC(2026, 0, 1) + i * 1000),
    sequence: 1,
  }));
  const job = {
    id: JOB_ID,
    merchantId: 7,
    transactionId: null,
    trigger: 'bulk',
    kind: 'CASHIN',
    windowStart: new Date(Date.UTC(2026, 0, 1)),
    windowEnd: new Date(Date.UTC(2026, 0, 1, 3)),
    statusIds: null,
    onlyFailed: false,
    cursorChangedAt: null,
    cursorTransactionId: null,
    dispatched: 0,
  } as unknown as ResendJobRecord;
  const calls = { cursors: [] as number[], released: 0, finished: 0, failed: [] as string[], locksReleased: 0, completeChecks: 0 };
  const batches: Added[] = [];
  const fanouts: Added[] = [];
  let dispatched = 0;
  const deps: BulkFanoutDeps = {
    fanouts: {
      claim: async () => (options.claimable === false ? null : job),
      addItems: async (_job, page, cursor) => {
        calls.cursors.push(cursor.transactionId);
        dispatched += page.length;
        return page.map((t) => 1000 + t.id);
      },
      release: async () => void (calls.released += 1),
      finish: async () => void (calls.finished += 1),
    },
    resendJobs: {
      findById: async () => ({ ...job, dispatched }),
      completeIfDone: async () => {
        calls.completeChecks += 1;
        return null;
      },
      markFailed: async (_id, reason) => {
        calls.failed.push(reason);
        return job;
      },
    },
    merchants: { findById: async () => ({ id: 7, webhookUrl: options.webhookUrl === undefined ? 'https://example.com/hook' : options.webhookUrl }) as MerchantRecord },
    transactions: {
      pageInWindow: async (_filter, after, limit) => window.filter((t) => !after || t.id > after.transactionId).slice(0, limit),
    },
    bulkDeliveryQueue: { addBulk: async (jobs: Added[]) => void batches.push(...jobs) } as unknown as BulkDeliveryQueue,
    fanoutQueue: { addBulk: async (jobs: Added[]) => void fanouts.push(...jobs) } as unknown as BulkFanoutQueue,
    replayLock: {
      renew: async () => true,
      release: async () => {
        calls.locksReleased += 1;
        return true;
      },
    },
    logger: { info: () => undefined, warn: () => undefined, debug: () => undefined } as unknown as Logger,
    stopping: { value: options.stopping ?? false },
  };
  const run = createBulkFanoutProcessor(deps);
  return { run: () => run({ data: { resendJobId: JOB_ID } } as Job<BulkFanoutJobData>), calls, batches, fanouts };
}

describe('bulk fan-out processor', () => {
  it('when another fan-out holds the job, then it records and queues nothing', async () => {
    const { run, calls, batches } = setup({ size: 10, claimable: false });
    expect(await run()).toEqual({ skipped: 'not_claimable' });
    expect(calls.cursors).toEqual([]);
    expect(batches).toEqual([]);
  });

  it('when the merchant has no webhook URL, then the job fails, its window is freed and nothing is queued', async () => {
    const { run, calls, batches } = setup({ size: 10, webhookUrl: null });
    expect(await run()).toEqual({ skipped: 'no_webhook_url' });
    expect(calls.failed).toEqual(['Merchant has no webhook URL configured']);
    expect(calls.locksReleased).toBe(1);
    expect(batches).toEqual([]);
  });

  it('when the window holds 2,500 transactions, then three pages are recorded, each item is queued once in batches of 50, and the fan-out ends', async () => {
    const { run, calls, batches } = setup({ size: 2500 });
    expect(await run()).toEqual({ dispatched: 2500 });
    // The cursor moves to each page's last transaction.
    expect(calls.cursors).toEqual([1000, 2000, 2500]);
    const queued = batches.flatMap((b) => b.data.deliveryIds ?? []);
    expect(queued).toHaveLength(2500);
    expect(new Set(queued).size).toBe(2500);
    expect(batches.every((b) => b.data.resendJobId === JOB_ID && (b.data.deliveryIds?.length ?? 0) <= 50)).toBe(true);
    expect(calls.finished).toBe(1);
    expect(calls.completeChecks).toBe(1);
  });

  it('when the worker is shutting down after a full page, then the cursor is kept, the lease is let go and another worker takes over', async () => {
    const { run, calls, fanouts } = setup({ size: 2500, stopping: true });
    expect(await run()).toEqual({ handedBack: true });
    expect(calls.cursors).toEqual([1000]);
    expect(calls.released).toBe(1);
    expect(calls.finished).toBe(0);
    expect(fanouts).toHaveLength(1);
    expect(fanouts[0]!.data.resendJobId).toBe(JOB_ID);
    expect(fanouts[0]!.opts?.jobId).toMatch(new RegExp(`^fanout-${JOB_ID}-t\\d+$`));
  });
});
