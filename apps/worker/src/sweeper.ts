import type { RedisClient } from '@wr/queues';
import { MAX_DELIVERY_ATTEMPTS } from '@wr/domain';
import type { DeliveryRepository, EndpointHealthRepository, ResendJobRepository } from '@wr/db';
import { wakeReleased } from '@wr/replays';
import type { Logger } from '@wr/logger';
import {
  enqueueBatches,
  enqueueDeliveries,
  enqueueFanouts,
  missingWakeUps,
  type BulkDeliveryQueue,
  type BulkFanoutQueue,
  type DeliveryQueue,
  type ReplayLock,
} from '@wr/queues';
import { completeIfDone } from './replay-lifecycle.js';
import { runEvery } from './periodic.js';
import type { ScheduleKeeper } from './schedule-keeper.js';

/** Rows per statement, and statements per kind per pass: bounded work whatever the backlog. */
const PAGE = 1000;
const PAGES_PER_PASS = 20;
const JOBS_PER_PASS = 100;

export interface SweepReport {
  abandonedAttempts: number;
  liveRedriven: number;
  liveFailed: number;
  jobsResumed: number;
  itemsRedriven: number;
  jobsCompleted: number;
  orphansCancelled: number;
  strayHoldsReleased: number;
}

export interface Sweeper {
  runOnce(): Promise<SweepReport>;
  /** Stops the timer; resolves once a pass under way has ended (connections close after). */
  stop(): Promise<void>;
}

/**
 * Redis is a scheduler that may forget; PostgreSQL holds what is owed. Every few seconds each
 * worker's sweeper re-creates the wake-ups that were lost: it closes audit rows of attempts whose
 * process died, queues live deliveries due for longer than `graceMs` (their job was lost, or their
 * enqueue after commit failed), and resumes bulk jobs that have not moved for `graceMs` whatever
 * their flags say (re-running the fan-out, or re-queueing due items). Rows are taken with SKIP
 * LOCKED and marked as re-driven, so any number of workers sweep at once without doubling work,
 * and a wake-up that turns out not to be lost finds its delivery claimed and does nothing.
 */
export function startSweeper(deps: {
  deliveries: DeliveryRepository;
  resendJobs: ResendJobRepository;
  endpoints: Pick<EndpointHealthRepository, 'releaseStrays'>;
  deliveryQueue: DeliveryQueue;
  fanoutQueue: BulkFanoutQueue;
  bulkDeliveryQueue: BulkDeliveryQueue;
  replayLock: ReplayLock;
  schedules: ScheduleKeeper;
  redis: RedisClient;
  logger: Logger;
  intervalMs: number;
  graceMs: number;
  attemptLeaseMs: number;
}): Sweeper {
  // Where the live sweep stopped: each pass goes on from there, so a backlog larger than one pass
  // is checked in turn rather than its oldest rows over and over.
  let liveCursor: { at: Date; id: number } | null = null;

  const sweepLive = async (report: SweepReport) => {
    for (let i = 0; i < PAGES_PER_PASS; i++) {
      const page = await deps.deliveries.dueLive(deps.graceMs, liveCursor, PAGE);
      const last = page[page.length - 1];
      liveCursor = page.length === PAGE && last ? { at: last.nextAttemptAt, id: last.id } : null;
      const lost = await missingWakeUps(
        deps.redis,
        deps.deliveryQueue,
        page.map((d) => ({ deliveryId: d.id, attempt: d.attempts + 1, releases: d.releases })),
      );
      const moved = await deps.deliveries.redriveLive([...lost], deps.graceMs, MAX_DELIVERY_ATTEMPTS);
      const pending = moved.filter((m) => m.state === 'pending');
      // The attempt's own job id: a no-op if a wake-up appeared meanwhile.
      await enqueueDeliveries(deps.deliveryQueue, pending.map((m) => ({ deliveryId: m.id, attempt: m.attempts + 1, releases: m.releases })));
      report.liveRedriven += pending.length;
      report.liveFailed += moved.length - pending.length;
      if (!liveCursor) return;
    }
  };

  const sweepJobs = async (report: SweepReport) => {
    let budget = PAGES_PER_PASS * PAGE;
    for (const job of await deps.resendJobs.findStalled(deps.graceMs, JOBS_PER_PASS)) {
      if (!job.fanoutDone) {
        // Never started, or its fan-out died: a fan-out (re)starts from the saved cursor.
        await enqueueFanouts(deps.fanoutQueue, [{ id: job.id, runAt: null }], { takeover: Date.now() });
        await deps.resendJobs.touch(job.id);
        report.jobsResumed += 1;
        continue;
      }
      let redriven = 0;
      while (budget > 0) {
        const ids = await deps.deliveries.redriveJobItems(job.id, deps.graceMs, Math.min(PAGE, budget), MAX_DELIVERY_ATTEMPTS);
        await enqueueBatches(deps.bulkDeliveryQueue, job.id, ids);
        redriven += ids.length;
        budget -= ids.length;
        if (ids.length < PAGE) break;
      }
      report.itemsRedriven += redriven;
      if (redriven > 0) report.jobsResumed += 1;
      else await deps.resendJobs.touch(job.id);
      if (await completeIfDone(deps, job)) report.jobsCompleted += 1;
    }
  };

  const runOnce = async (): Promise<SweepReport> => {
    const report: SweepReport = { abandonedAttempts: 0, liveRedriven: 0, liveFailed: 0, jobsResumed: 0, itemsRedriven: 0, jobsCompleted: 0, orphansCancelled: 0, strayHoldsReleased: 0 };
    // Each step on its own: one failing (a statement timeout, say) does not starve the others.
    const steps: Array<[string, () => Promise<unknown>]> = [
      ['abandoned attempts', async () => (report.abandonedAttempts = await deps.deliveries.closeAbandonedAttempts(deps.attemptLeaseMs, PAGE))],
      ['live deliveries', () => sweepLive(report)],
      ['bulk jobs', () => sweepJobs(report)],
      ['stopped jobs', async () => (report.orphansCancelled = await deps.deliveries.cancelOrphans(deps.attemptLeaseMs + deps.graceMs, PAGE))],
      ['schedules', () => deps.schedules.ensureSchedulers()],
      ['held deliveries', async () => {
        const released = await deps.endpoints.releaseStrays(PAGE);
        await wakeReleased(deps, released);
        report.strayHoldsReleased = released.length;
      }],
    ];
    const failures: string[] = [];
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (err) {
        failures.push(`${name}: ${(err as Error).message}`);
      }
    }
    if (failures.length > 0) throw new Error(failures.join('; '));
    return report;
  };

  const loop = runEvery(
    deps.intervalMs,
    () =>
      runOnce().then(
        (r) => {
          if (Object.values(r).some((n) => n > 0)) deps.logger.info('sweeper re-drove what was left behind', { ...r });
        },
        (err: Error) => void deps.logger.warn('sweep failed', { err: err.message }),
      ),
    // While Redis is away nothing can be queued: the rows wait, untouched, for it to come back.
    () => deps.redis.status === 'ready',
  );
  return { runOnce, stop: () => loop.stop() };
}
