import type { Job } from 'bullmq';
import { ConflictError } from '@wr/domain';
import type { ScheduledReplayJobData } from '@wr/queues';
import type { WorkerContext } from './worker-context.js';

/**
 * One firing of a recurring replay: replays the merchant's last `lookbackMs` (only what failed,
 * if asked). If the previous firing's window is still running, this one is skipped.
 */
export function createScheduledReplayProcessor(ctx: WorkerContext) {
  return async (job: Job<ScheduledReplayJobData>): Promise<{ requestId?: string; skipped?: string }> => {
    const { accountId, merchantId, lookbackMs, onlyFailed, kind, scheduleId } = job.data;
    const merchant = await ctx.repos.merchants.findInAccount(merchantId, accountId);
    if (!merchant) return { skipped: 'merchant_not_found' };
    // Each firing covers a new window, so window locks never meet: the schedule itself is the lock.
    const requestedBy = `schedule:${scheduleId}`;
    if (await ctx.repos.resendJobs.hasActiveFrom(requestedBy)) return { skipped: 'previous_still_running' };
    const end = new Date();
    try {
      const { requestId } = await ctx.replays.createWindowJobs({
        accountId,
        merchant,
        source: 'replay',
        kind,
        start: new Date(end.getTime() - lookbackMs),
        end,
        statusIds: null,
        onlyFailed,
        trigger: 'scheduled',
        runAt: null,
        requestedBy,
      });
      ctx.logger.info('scheduled replay started', { scheduleId, requestId });
      return { requestId };
    } catch (err) {
      if (err instanceof ConflictError) return { skipped: 'previous_still_running' };
      throw err;
    }
  };
}
