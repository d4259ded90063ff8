import type { ResendJobRecord, ResendJobRepository } from '@wr/db';
import type { Logger } from '@wr/logger';
import type { ReplayLock } from '@wr/queues';

/** What ending a window job takes: its row, its window's lock, and a log line. */
export interface LifecycleDeps {
  resendJobs: Pick<ResendJobRepository, 'completeIfDone' | 'markFailed'>;
  replayLock: Pick<ReplayLock, 'renew' | 'release'>;
  logger: Logger;
}

/** Ends a bulk job the moment its last transaction is finished, and frees its window. */
export async function completeIfDone(deps: LifecycleDeps, job: ResendJobRecord): Promise<boolean> {
  const completed = await deps.resendJobs.completeIfDone(job.id);
  if (!completed) return false;
  await releaseLock(deps, completed);
  // A long range is split into many 3-hour windows, most of them often empty: those are not news.
  const log = completed.total === 0 ? deps.logger.debug.bind(deps.logger) : deps.logger.info.bind(deps.logger);
  log('bulk job completed', {
    resendJobId: job.id,
    requestId: completed.requestId,
    total: completed.total,
    succeeded: completed.succeeded,
    failed: completed.failed,
  });
  return true;
}

export async function failJob(deps: LifecycleDeps, job: ResendJobRecord, reason: string): Promise<void> {
  const failed = await deps.resendJobs.markFailed(job.id, reason);
  if (failed) await releaseLock(deps, failed);
  deps.logger.warn('bulk job failed', { resendJobId: job.id, reason });
}

/** Keeps the window locked while the job is alive (single-transaction jobs hold no lock). */
export async function renewLock(deps: LifecycleDeps, job: ResendJobRecord): Promise<void> {
  if (job.transactionId === null) await deps.replayLock.renew(job, job.id);
}

async function releaseLock(deps: LifecycleDeps, job: ResendJobRecord): Promise<void> {
  // The lock is Redis's fast answer; the database's unique index is the rule. A lost release
  // only delays the next job until the lock expires or is found stale.
  if (job.transactionId === null) await deps.replayLock.release(job, job.id).catch(() => false);
}
