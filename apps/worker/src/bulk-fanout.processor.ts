import type { Job } from 'bullmq';
import { NOTIFIABLE_STATUS_IDS } from '@wr/domain';
import { replayFilterOf, type MerchantRepository, type ResendFanoutRepository, type ResendJobRepository, type TransactionRepository } from '@wr/db';
import {
  enqueueBatches,
  enqueueFanouts,
  FANOUT_LEASE_MS,
  type BulkDeliveryQueue,
  type BulkFanoutJobData,
  type BulkFanoutQueue,
} from '@wr/queues';
import { completeIfDone, failJob, renewLock, type LifecycleDeps } from './replay-lifecycle.js';

/** Transactions read per keyset page: bounds the fan-out's memory whatever the window's size. */
const PAGE_SIZE = 1000;

type FanoutResult = { dispatched: number } | { skipped: string } | { handedBack: true };

export interface BulkFanoutDeps extends LifecycleDeps {
  fanouts: Pick<ResendFanoutRepository, 'claim' | 'addItems' | 'release' | 'finish'>;
  resendJobs: Pick<ResendJobRepository, 'findById' | 'completeIfDone' | 'markFailed'>;
  merchants: Pick<MerchantRepository, 'findById'>;
  transactions: Pick<TransactionRepository, 'pageInWindow'>;
  /** Each recorded page's batches. */
  bulkDeliveryQueue: BulkDeliveryQueue;
  /** Where a fan-out handed back at shutdown is taken over. */
  fanoutQueue: BulkFanoutQueue;
  stopping: { readonly value: boolean };
}

/**
 * Walks one bulk job's window in keyset pages: each page's transactions become the job's
 * deliveries owed, with the cursor, in one database transaction, then are queued as batches. The
 * fan-out holds the job by a lease renewed every page, so a second wake-up does nothing while it
 * runs and anyone may take over once it dies; items recorded but never queued are re-driven by
 * the sweeper.
 */
export function createBulkFanoutProcessor(deps: BulkFanoutDeps) {
  return async (job: Job<BulkFanoutJobData>): Promise<FanoutResult> => {
    const rj = await deps.fanouts.claim(job.data.resendJobId, FANOUT_LEASE_MS);
    if (!rj) return { skipped: 'not_claimable' };
    try {
      const merchant = await deps.merchants.findById(rj.merchantId);
      if (!merchant?.webhookUrl) {
        await failJob(deps, rj, 'Merchant has no webhook URL configured');
        return { skipped: 'no_webhook_url' };
      }
      const filter = replayFilterOf(rj, NOTIFIABLE_STATUS_IDS);
      let cursor = rj.cursorChangedAt && rj.cursorTransactionId ? { changedAt: rj.cursorChangedAt, transactionId: rj.cursorTransactionId } : null;
      for (;;) {
        const page = await deps.transactions.pageInWindow(filter, cursor, PAGE_SIZE);
        if (page.length === 0) break;
        const last = page[page.length - 1]!;
        cursor = { changedAt: last.statusChangedAt, transactionId: last.id };
        const added = await deps.fanouts.addItems(rj, page, cursor, FANOUT_LEASE_MS);
        if (added === null) return { skipped: 'not_running' };
        await enqueueBatches(deps.bulkDeliveryQueue, rj.id, added);
        await renewLock(deps, rj);
        if (page.length < PAGE_SIZE) break;
        if (deps.stopping.value) {
          // Shutting down: the cursor is saved; another worker takes over at once.
          await deps.fanouts.release(rj.id);
          await enqueueFanouts(deps.fanoutQueue, [{ id: rj.id, runAt: null }], { takeover: Date.now() });
          return { handedBack: true };
        }
      }
      await deps.fanouts.finish(rj.id);
      await completeIfDone(deps, rj);
      const done = await deps.resendJobs.findById(rj.id);
      return { dispatched: done?.dispatched ?? 0 };
    } catch (err) {
      // Let the retry (or another worker) take the job over at once instead of after the lease.
      await deps.fanouts.release(rj.id).catch(() => undefined);
      throw err;
    }
  };
}
