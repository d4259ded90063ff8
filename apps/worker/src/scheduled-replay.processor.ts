import type { Job } from 'bullmq';
import { ConflictError } from '@wr/domain';
import type { MerchantRepository, ReplayScheduleRecord, ReplayScheduleRepository, ResendJobRepository } from '@wr/db';
import type { Logger } from '@wr/logger';
import { MAX_REPLAY_RANGE_MS, windowReplay, type ReplayService } from '@wr/replays';
import type { ReplayScheduleQueue, ScheduledReplayJobData } from '@wr/queues';

/** A status change commits a little after the time it is stamped with; firings stop this far back. */
const COMMIT_MARGIN_MS = 5000;

type FiringResult = { requestId: string; from: string; to: string } | { skipped: string };

export interface ScheduledReplayDeps {
  schedules: Pick<ReplayScheduleRepository, 'findById' | 'insert' | 'coverableUntil' | 'markCovered'>;
  merchants: Pick<MerchantRepository, 'findInAccount'>;
  resendJobs: Pick<ResendJobRepository, 'hasActiveFrom'>;
  replays: Pick<ReplayService, 'createWindowJobs'>;
  /** A deleted schedule's scheduler is removed at its next firing. */
  scheduleQueue: Pick<ReplayScheduleQueue, 'removeJobScheduler'>;
  logger: Logger;
}

/**
 * One firing of a recurring replay: replays the merchant's notifications from the schedule's
 * high-water mark (or `lookback` before now, the first time) up to now, and moves the mark in the
 * transaction that creates the jobs. A firing skipped because the previous one still runs, or
 * late, leaves no gap: the next one starts where the last one that ran ended.
 */
export function createScheduledReplayProcessor(deps: ScheduledReplayDeps) {
  return async (job: Job<ScheduledReplayJobData>): Promise<FiringResult> => {
    const schedule = (await deps.schedules.findById(job.data.scheduleId)) ?? (await adoptLegacy(deps, job.data));
    if (schedule.deletedAt) {
      await deps.scheduleQueue.removeJobScheduler(schedule.id);
      return { skipped: 'deleted' };
    }
    const merchant = await deps.merchants.findInAccount(schedule.merchantId, schedule.accountId);
    if (!merchant) return { skipped: 'merchant_not_found' };
    if (await deps.resendJobs.hasActiveFrom(`schedule:${schedule.id}`)) return { skipped: 'previous_still_running' };
    const end = await deps.schedules.coverableUntil(COMMIT_MARGIN_MS);
    const start = windowStart(schedule, end);
    if (start >= end) return { skipped: 'nothing_to_cover' };
    try {
      const { requestId } = await deps.replays.createWindowJobs(
        windowReplay({
          accountId: schedule.accountId,
          merchant,
          source: 'replay',
          kind: schedule.kind,
          start,
          end,
          onlyFailed: schedule.onlyFailed,
          schedule: { id: schedule.id, markCovered: (manager) => deps.schedules.markCovered(schedule.id, end, manager) },
        }),
      );
      deps.logger.info('scheduled replay started', { scheduleId: schedule.id, requestId, from: start, to: end });
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
function adoptLegacy(deps: Pick<ScheduledReplayDeps, 'schedules'>, data: ScheduledReplayJobData): Promise<ReplayScheduleRecord> {
  return deps.schedules.insert({
    id: data.scheduleId,
    accountId: data.accountId,
    merchantId: data.merchantId,
    everySeconds: Math.max(1, Math.round(data.lookbackMs / 1000)),
    lookbackSeconds: Math.max(1, Math.round(data.lookbackMs / 1000)),
    onlyFailed: data.onlyFailed,
    kind: data.kind,
  });
}
