import type { ResendJobRecord, ResendJobRepository } from '@wr/db';
import type { Logger } from '@wr/logger';
import type { ReplayLock } from '@wr/queues';

interface LifecycleDeps {
  repos: { resendJobs: ResendJobRepository };
  replayLock: ReplayLock;
  logger: Logger;
}

/** Ends a bulk job the moment its last transaction is finished, and frees its window. */
export async function completeIfDone(ctx: LifecycleDeps, job: ResendJobRecord): Promise<boolean> {
  const completed = await ctx.repos.resendJobs.completeIfDone(job.id);
  if (!completed) return false;
  await releaseLock(ctx, completed);
  // A long range is split into many 3-hour windows, most of them often empty: those are not news.
  const log = completed.total === 0 ? ctx.logger.debug.bind(ctx.logger) : ctx.logger.info.bind(ctx.logger);
  log('bulk job completed', {
    resendJobId: job.id,
    requestId: completed.requestId,
    total: completed.total,
    succeeded: completed.succeeded,
    failed: completed.failed,
  });
  return true;
}

export async function failJob(ctx: LifecycleDeps, job: ResendJobRecord, reason: string): Promise<void> {
  const failed = await ctx.repos.resendJobs.markFailed(job.id, reason);
  if (failed) await releaseLock(ctx, failed);
  ctx.logger.warn('bulk job failed', { resendJobId: job.id, reason });
}

/** Keeps the window locked while the job is alive (single-transaction jobs hold no lock). */
export async function renewLock(ctx: LifecycleDeps, job: ResendJobRecord): Promise<void> {
  if (job.transactionId === null) await ctx.replayLock.renew(job, job.id);
}

async function releaseLock(ctx: LifecycleDeps, job: ResendJobRecord): Promise<void> {
  // The lock is Redis's fast answer; the database's unique index is the rule. A lost release
  // only delays the next job until the lock expires or is found stale.
  if (job.transactionId === null) await ctx.replayLock.release(job, job.id).catch(() => false);
}
