import type { Job } from 'bullmq';
import { NOTIFIABLE_STATUS_IDS } from '@wr/domain';
import { replayFilterOf } from '@wr/db';
import { enqueueBatches, enqueueFanouts, FANOUT_LEASE_MS, type BulkFanoutJobData } from '@wr/queues';
import { completeIfDone, failJob, renewLock } from './replay-lifecycle.js';
import type { WorkerContext } from './worker-context.js';

/** Transactions read per keyset page: bounds the fan-out's memory whatever the window's size. */
const PAGE_SIZE = 1000;

type FanoutResult = { dispatched: number } | { skipped: string } | { handedBack: true };

/**
 * Walks one bulk job's window in keyset pages: each page's transactions become the job's
 * deliveries owed, with the cursor, in one database transaction, then are queued as batches. The
 * fan-out holds the job by a lease renewed every page, so a second wake-up does nothing while it
 * runs and anyone may take over once it dies; items recorded but never queued are re-driven by
 * the sweeper.
 */
export function createBulkFanoutProcessor(
  ctx: Pick<WorkerContext, 'repos' | 'bulkDeliveryQueue' | 'fanoutQueue' | 'replayLock' | 'logger' | 'stopping'>,
) {
  return async (job: Job<BulkFanoutJobData>): Promise<FanoutResult> => {
    const rj = await ctx.repos.resendJobs.claimFanout(job.data.resendJobId, FANOUT_LEASE_MS);
    if (!rj) return { skipped: 'not_claimable' };
    try {
      const merchant = await ctx.repos.merchants.findById(rj.merchantId);
      if (!merchant?.webhookUrl) {
        await failJob(ctx, rj, 'Merchant has no webhook URL configured');
        return { skipped: 'no_webhook_url' };
      }
      const filter = replayFilterOf(rj, NOTIFIABLE_STATUS_IDS);
      let cursor = rj.cursorChangedAt && rj.cursorTransactionId ? { changedAt: rj.cursorChangedAt, transactionId: rj.cursorTransactionId } : null;
      for (;;) {
        const page = await ctx.repos.transactions.pageInWindow(filter, cursor, PAGE_SIZE);
        if (page.length === 0) break;
        const last = page[page.length - 1]!;
        cursor = { changedAt: last.statusChangedAt, transactionId: last.id };
        const added = await ctx.repos.resendJobs.addItems(rj, page, cursor, FANOUT_LEASE_MS);
        if (added === null) return { skipped: 'not_running' };
        await enqueueBatches(ctx.bulkDeliveryQueue, rj.id, added);
        await renewLock(ctx, rj);
        if (page.length < PAGE_SIZE) break;
        if (ctx.stopping.value) {
          // Shutting down: the cursor is saved; another worker takes over at once.
          await ctx.repos.resendJobs.releaseFanout(rj.id);
          await enqueueFanouts(ctx.fanoutQueue, [{ id: rj.id, runAt: null }], { takeover: Date.now() });
          return { handedBack: true };
        }
      }
      await ctx.repos.resendJobs.finishFanout(rj.id);
      await completeIfDone(ctx, rj);
      const done = await ctx.repos.resendJobs.findById(rj.id);
      return { dispatched: done?.dispatched ?? 0 };
    } catch (err) {
      // Let the retry (or another worker) take the job over at once instead of after the lease.
      await ctx.repos.resendJobs.releaseFanout(rj.id).catch(() => undefined);
      throw err;
    }
  };
}
