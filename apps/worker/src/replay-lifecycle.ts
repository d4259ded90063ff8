import type { ResendJobRecord } from '@wr/db';
import type { WorkerContext } from './worker-context.js';

/** Ends a bulk job the moment its last transaction is finished, and frees its window. */
export async function completeIfDone(ctx: WorkerContext, job: ResendJobRecord): Promise<void> {
  const completed = await ctx.repos.resendJobs.completeIfDone(job.id);
  if (completed) {
    await releaseLock(ctx, completed);
    ctx.logger.info('bulk job completed', {
      resendJobId: job.id,
      total: completed.total,
      succeeded: completed.succeeded,
      failed: completed.failed,
    });
  }
}

export async function failJob(ctx: WorkerContext, job: ResendJobRecord, reason: string): Promise<void> {
  const failed = await ctx.repos.resendJobs.markFailed(job.id, reason);
  if (failed) await releaseLock(ctx, failed);
  ctx.logger.warn('bulk job failed', { resendJobId: job.id, reason });
}

/** Keeps the window locked while the job is alive (single-transaction jobs hold no lock). */
export async function renewLock(ctx: WorkerContext, job: ResendJobRecord): Promise<void> {
  if (job.transactionId === null) await ctx.replayLock.renew(job, job.id);
}

async function releaseLock(ctx: WorkerContext, job: ResendJobRecord): Promise<void> {
  if (job.transactionId === null) await ctx.replayLock.release(job, job.id);
}
