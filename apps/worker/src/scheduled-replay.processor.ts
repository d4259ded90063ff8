import type { Job } from 'bullmq';
import { ConflictError } from '@wr/domain';
import type { ReplayScheduleRecord } from '@wr/db';
import { MAX_REPLAY_RANGE_MS, windowReplay } from '@wr/replays';
import type { ScheduledReplayJobData } from '@wr/queues';
import type { WorkerContext } from './worker-context.js';

/** A status change commits a little after the time it is stamped with; firings stop this far back. */
const COMMIT_MARGIN_MS = 5000;

type FiringResult = { requestId: string; from: string; to: string } | { skipped: string };

/**
 * One firing of a recurring replay: replays the merchant's notifications from the schedule's
 * high-water mark (or `lookback` before now, the first time) up to now, and moves the mark in the
 * transaction that creates the jobs. A firing skipped because the previous one still runs, or
 * late, leaves no gap: the next one starts where the last one that ran ended.
 */
export function createScheduledReplayProcessor(ctx: Pick<WorkerContext, 'repos' | 'replays' | 'scheduleQueue' | 'logger'>) {
  return async (job: Job<ScheduledReplayJobData>): Promise<FiringResult> => {
    const schedule = (await ctx.repos.schedules.findById(job.data.scheduleId)) ?? (await adoptLegacy(ctx, job.data));
    if (schedule.deletedAt) {
      await ctx.scheduleQueue.removeJobScheduler(schedule.id);
      return { skipped: 'deleted' };
    }
    const merchant = await ctx.repos.merchants.findInAccount(schedule.merchantId, schedule.accountId);
    if (!merchant) return { skipped: 'merchant_not_found' };
    if (await ctx.repos.resendJobs.hasActiveFrom(`schedule:${schedule.id}`)) return { skipped: 'previous_still_running' };
    const end = await ctx.repos.schedules.coverableUntil(COMMIT_MARGIN_MS);
    const start = windowStart(schedule, end);
    if (start >= end) return { skipped: 'nothing_to_cover' };
    try {
      const { requestId } = await ctx.replays.createWindowJobs(
        windowReplay({
          accountId: schedule.accountId,
          merchant,
          source: 'replay',
          kind: schedule.kind,
          start,
          end,
          onlyFailed: schedule.onlyFailed,
          schedule: { id: schedule.id, markCovered: (manager) => ctx.repos.schedules.markCovered(schedule.id, end, manager) },
        }),
      );
      ctx.logger.info('scheduled replay started', { scheduleId: schedule.id, requestId, from: start, to: end });
      return { requestId, from: start.toISOString(), to: end.toISOString() };
    } catch (err) {
      // Another job holds a window start: the mark stays, the next firing covers this stretch.
      if (err instanceof ConflictError) return { skipped: 'window_busy' };
      throw err;
    }
  };
}

/** From the high-water mark; never more than the longest replay range back. */
function windowStart(schedule: ReplayScheduleRecord, end: Date): Date {
  const from = schedule.coveredUntil ?? new Date(end.getTime() - schedule.lookbackSeconds * 1000);
  return new Date(Math.max(from.getTime(), end.getTime() - MAX_REPLAY_RANGE_MS));
}

/** A scheduler created before schedules were kept in PostgreSQL: it is recorded there now. */
function adoptLegacy(ctx: Pick<WorkerContext, 'repos'>, data: ScheduledReplayJobData): Promise<ReplayScheduleRecord> {
  return ctx.repos.schedules.insert({
    id: data.scheduleId,
    accountId: data.accountId,
    merchantId: data.merchantId,
    everySeconds: Math.max(1, Math.round(data.lookbackMs / 1000)),
    lookbackSeconds: Math.max(1, Math.round(data.lookbackMs / 1000)),
    onlyFailed: data.onlyFailed,
    kind: data.kind,
  });
}
