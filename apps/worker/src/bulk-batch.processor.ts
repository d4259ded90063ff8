import type { Job } from 'bullmq';
import { isDependencyDown, MAX_DELIVERY_ATTEMPTS } from '@wr/domain';
import type { NewWebhookLog } from '@wr/db';
import { bulkBatchJobId, JOB_NAMES, retryDelayMs, type BulkBatchJobData } from '@wr/queues';
import { completeIfDone, renewLock } from './replay-lifecycle.js';
import type { WorkerContext } from './worker-context.js';

/**
 * One batch of a bulk job at one attempt number: sends every webhook of the batch concurrently,
 * writes their audit rows in one insert, finishes the items that succeeded or spent their last
 * attempt, and queues the rest as the next attempt's batch after the backoff delay.
 */
export function createBulkBatchProcessor(ctx: WorkerContext) {
  const processBatch = createBatch(ctx);
  return async (job: Job<BulkBatchJobData>): Promise<{ delivered: number; retrying: number } | { skipped: string }> => {
    try {
      return await processBatch(job);
    } catch (err) {
      // Out of whole-batch retries on an error that is not an outage: the batch's transactions are
      // finished as failed, so the job can still complete instead of running forever.
      if (!isDependencyDown(err) && job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
        const { resendJobId, transactionIds, attempt } = job.data;
        const rj = await ctx.repos.resendJobs.findById(resendJobId);
        if (rj) {
          await ctx.repos.resendJobs.recordFinished(rj.id, { succeeded: [], failed: transactionIds, attempts: attempt });
          await completeIfDone(ctx, rj);
        }
      }
      throw err;
    }
  };
}

function createBatch(ctx: WorkerContext) {
  return async (job: Job<BulkBatchJobData>): Promise<{ delivered: number; retrying: number } | { skipped: string }> => {
    const { resendJobId, attempt } = job.data;
    const rj = await ctx.repos.resendJobs.findById(resendJobId);
    // Cancelled or failed meanwhile: the remaining deliveries are dropped.
    if (!rj || rj.state !== 'running') return { skipped: rj?.state ?? 'missing' };
    await renewLock(ctx, rj);
    // Only what is still pending: a batch that runs again (a crash, a resumed fan-out) does not
    // resend what was already delivered.
    const transactionIds = await ctx.repos.resendJobs.stillPending(rj.id, job.data.transactionIds);
    if (transactionIds.length === 0) {
      await completeIfDone(ctx, rj);
      return { delivered: 0, retrying: 0 };
    }

    const merchant = await ctx.repos.merchants.findById(rj.merchantId);
    if (!merchant?.webhookUrl) {
      // Nowhere to send: finished without this attempt.
      await ctx.repos.resendJobs.recordFinished(rj.id, { succeeded: [], failed: transactionIds, attempts: attempt - 1 });
      await completeIfDone(ctx, rj);
      return { delivered: 0, retrying: 0 };
    }
    const transactions = await ctx.repos.transactions.findManyByIds(transactionIds);
    // Gone from the database: finished without this attempt.
    const found = new Set(transactions.map((t) => t.id));
    const missing = transactionIds.filter((id) => !found.has(id));
    await ctx.repos.resendJobs.recordFinished(rj.id, { succeeded: [], failed: missing, attempts: attempt - 1 });

    const logs: NewWebhookLog[] = await Promise.all(
      transactions.map((transaction) =>
        ctx.deliverer.send({ transaction, merchant, trigger: rj.trigger, resendJobId: rj.id, attempt }),
      ),
    );
    await ctx.repos.webhookLogs.insertMany(logs);

    const succeeded: number[] = [];
    const failed: number[] = [];
    const retry: number[] = [];
    for (const log of logs) {
      if (log.outcome === 'success') succeeded.push(log.transactionId);
      else if (attempt >= MAX_DELIVERY_ATTEMPTS || log.outcome === 'blocked') failed.push(log.transactionId);
      else retry.push(log.transactionId);
    }
    if (retry.length > 0) {
      await ctx.bulkDeliveryQueue.add(
        JOB_NAMES.deliverBatch,
        { resendJobId, transactionIds: retry, attempt: attempt + 1 },
        { jobId: bulkBatchJobId(resendJobId, retry[0]!, attempt + 1), delay: retryDelayMs(ctx.config.retryBaseDelayMs, attempt) },
      );
    }
    await ctx.repos.resendJobs.recordFinished(rj.id, { succeeded, failed, attempts: attempt });
    await completeIfDone(ctx, rj);
    return { delivered: succeeded.length, retrying: retry.length };
  };
}
