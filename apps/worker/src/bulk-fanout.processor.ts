import { DelayedError, type Job } from 'bullmq';
import { isDependencyDown, NOTIFIABLE_STATUS_IDS } from '@wr/domain';
import { replayFilterOf, type ResendJobRecord } from '@wr/db';
import { BULK_BATCH_SIZE, bulkBatchJobId, JOB_NAMES, type BulkFanoutJobData } from '@wr/queues';
import { completeIfDone, failJob, renewLock } from './replay-lifecycle.js';
import type { WorkerContext } from './worker-context.js';

/** Transactions read per keyset page: bounds the fan-out's memory whatever the window's size. */
const PAGE_SIZE = 1000;

/**
 * Walks one bulk job's window in keyset pages and queues its transactions in batches. Each page's
 * items and the cursor are saved together, so a fan-out that dies resumes where it stopped.
 */
export function createBulkFanoutProcessor(ctx: WorkerContext) {
  const fanout = createFanout(ctx);
  return async (job: Job<BulkFanoutJobData>, token?: string): Promise<{ dispatched: number } | { skipped: string }> => {
    try {
      return await fanout(job, token);
    } catch (err) {
      if (err instanceof DelayedError) throw err;
      // On its last attempt, a fan-out that cannot finish fails its job (and frees the window)
      // rather than leaving it running forever. Outages never get here: they wait, unspent.
      if (!isDependencyDown(err) && job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
        const rj = await ctx.repos.resendJobs.findById(job.data.resendJobId);
        if (rj) await failJob(ctx, rj, `fan-out failed: ${(err as Error).message}`);
      }
      throw err;
    }
  };
}

function createFanout(ctx: WorkerContext) {
  return async (job: Job<BulkFanoutJobData>, token?: string): Promise<{ dispatched: number } | { skipped: string }> => {
    const before = await ctx.repos.resendJobs.findById(job.data.resendJobId);
    if (!before || before.state !== 'queued' && before.state !== 'running') return { skipped: before?.state ?? 'missing' };
    const rj = (await ctx.repos.resendJobs.markRunning(before.id))!;

    const merchant = await ctx.repos.merchants.findById(rj.merchantId);
    if (!merchant?.webhookUrl) {
      await failJob(ctx, rj, 'Merchant has no webhook URL configured');
      return { skipped: 'no_webhook_url' };
    }
    // A fan-out that ran before (a crash, a stalled job) may have saved items it never queued.
    if (before.startedAt !== null && !job.data.handedBack) await requeuePending(ctx, rj);

    const filter = replayFilterOf(rj, NOTIFIABLE_STATUS_IDS);
    let cursor = rj.cursorChangedAt && rj.cursorTransactionId ? { changedAt: rj.cursorChangedAt, transactionId: rj.cursorTransactionId } : null;
    for (;;) {
      const page = await ctx.repos.transactions.pageInWindow(filter, cursor, PAGE_SIZE);
      if (page.length === 0) break;
      const last = page[page.length - 1]!;
      cursor = { changedAt: last.statusChangedAt, transactionId: last.id };
      const fresh = await ctx.repos.resendJobs.addPendingItems(rj.id, page.map((t) => t.id), cursor);
      await queueBatches(ctx, rj, fresh);
      const current = await ctx.repos.resendJobs.findById(rj.id);
      if (current?.state !== 'running') return { skipped: current?.state ?? 'missing' };
      await renewLock(ctx, rj);
      if (page.length < PAGE_SIZE) break;
      if (ctx.stopping.value && token) {
        // Shutting down: the cursor is saved and every recorded item is queued, so the next worker
        // picks up from this page with nothing to re-queue.
        await job.updateData({ ...job.data, handedBack: true });
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
    }
    await ctx.repos.resendJobs.finishFanout(rj.id);
    await completeIfDone(ctx, rj);
    const done = await ctx.repos.resendJobs.findById(rj.id);
    return { dispatched: done?.dispatched ?? 0 };
  };
}

/** `round` tells a resumed fan-out's batches apart from the first run's, so none is dropped as a duplicate id. */
async function queueBatches(ctx: WorkerContext, rj: ResendJobRecord, transactionIds: number[], round = ''): Promise<void> {
  const batches = [];
  for (let i = 0; i < transactionIds.length; i += BULK_BATCH_SIZE) {
    const ids = transactionIds.slice(i, i + BULK_BATCH_SIZE);
    batches.push({
      name: JOB_NAMES.deliverBatch,
      data: { resendJobId: rj.id, transactionIds: ids, attempt: 1 },
      opts: { jobId: `${bulkBatchJobId(rj.id, ids[0]!, 1)}${round}` },
    });
  }
  if (batches.length > 0) await ctx.bulkDeliveryQueue.addBulk(batches);
}

/**
 * After a fan-out stopped part-way, pending items may never have reached Redis. They are queued
 * again; items that were queued after all are sent at most once more (batches re-read what is
 * still pending, and receivers deduplicate on webhook-id).
 */
async function requeuePending(ctx: WorkerContext, rj: ResendJobRecord): Promise<void> {
  const round = `-r${Date.now()}`;
  let after = 0;
  for (;;) {
    const ids = await ctx.repos.resendJobs.pendingItems(rj.id, after, PAGE_SIZE);
    if (ids.length === 0) return;
    await queueBatches(ctx, rj, ids, round);
    after = ids[ids.length - 1]!;
  }
}
