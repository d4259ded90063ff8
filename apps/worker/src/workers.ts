import { Worker, type Job } from 'bullmq';
import type { AppConfig } from '@wr/config';
import { runWithLogContext, type Logger } from '@wr/logger';
import { attemptLeaseMs, bullPrefix, QUEUE_NAMES } from '@wr/queues';
import { createBulkBatchProcessor } from './bulk-batch.processor.js';
import { createBulkFanoutProcessor } from './bulk-fanout.processor.js';
import { createDeliveryProcessor } from './delivery.processor.js';
import { deferOnDependencyError } from './dependency-retry.js';
import { startMetricsServer } from './metrics-server.js';
import { createScheduleKeeper } from './schedule-keeper.js';
import { startSweeper, type Sweeper } from './sweeper.js';
import { startEndpointProber, type EndpointProber } from './endpoint-prober.js';
import { startHousekeeping, type Housekeeping } from './housekeeping.js';
import { createScheduledReplayProcessor } from './scheduled-replay.processor.js';
import { assertNoEviction } from './redis-policy.js';
import { createWorkerContext, type WorkerContext, type WorkerContextOptions } from './worker-context.js';

export interface RunningWorker {
  context: WorkerContext;
  workers: Worker[];
  sweeper: Sweeper;
  prober: EndpointProber;
  housekeeping: Housekeeping;
  metricsPort: number;
  /** Stops taking jobs, lets in-flight ones finish, then closes every connection. */
  close(): Promise<void>;
}

/**
 * Every job runs with its queue, id and attempt on each log line it writes, and goes back to wait
 * (without spending an attempt) when PostgreSQL is unreachable.
 */
function withJobContext<T>(queue: string, processor: (job: Job, token?: string) => Promise<T>) {
  const deferred = deferOnDependencyError(processor);
  return (job: Job, token?: string) =>
    runWithLogContext({ queue, jobId: job.id, attempt: job.attemptsMade + 1 }, () => deferred(job, token));
}

/** The live delivery worker and the two bulk workers, over one shared context. */
export async function startWorkers(config: AppConfig, logger: Logger, options: WorkerContextOptions = {}): Promise<RunningWorker> {
  const ctx = await createWorkerContext(config, logger, options);
  try {
    await assertNoEviction(ctx.redis, logger);
  } catch (err) {
    await ctx.close();
    throw err;
  }
  const common = {
    connection: ctx.redis,
    prefix: bullPrefix(config.queuePrefix),
    lockDuration: config.jobLockMs,
    stalledInterval: config.jobLockMs,
    // A job whose worker died is handed over; only after several such deaths is it given up.
    maxStalledCount: 3,
  };
  const { repos } = ctx;
  // What making an attempt takes (live deliveries, bulk batches, probes), and ending a window job.
  const attempts = {
    deliveries: repos.deliveries,
    deliverer: ctx.deliverer,
    flow: ctx.flow,
    endpoints: ctx.endpoints,
    retryBaseDelayMs: config.retryBaseDelayMs,
    webhookTimeoutMs: config.webhookTimeoutMs,
  };
  const lifecycle = { resendJobs: repos.resendJobs, replayLock: ctx.replayLock, logger };
  const live = new Worker(
    QUEUE_NAMES.delivery,
    withJobContext(
      QUEUE_NAMES.delivery,
      createDeliveryProcessor({
        ...attempts,
        transactions: repos.transactions,
        merchants: repos.merchants,
        queue: ctx.deliveryQueue,
        logger,
      }),
    ),
    { ...common, concurrency: config.workerConcurrency },
  );
  const fanout = new Worker(
    QUEUE_NAMES.bulkFanout,
    withJobContext(
      QUEUE_NAMES.bulkFanout,
      createBulkFanoutProcessor({
        ...lifecycle,
        fanouts: repos.resendFanouts,
        merchants: repos.merchants,
        transactions: repos.transactions,
        bulkDeliveryQueue: ctx.bulkDeliveryQueue,
        fanoutQueue: ctx.fanoutQueue,
        stopping: ctx.stopping,
      }),
    ),
    { ...common, concurrency: 2 },
  );
  const batches = new Worker(
    QUEUE_NAMES.bulkDelivery,
    withJobContext(
      QUEUE_NAMES.bulkDelivery,
      createBulkBatchProcessor({
        ...attempts,
        ...lifecycle,
        merchants: repos.merchants,
        transactions: repos.transactions,
        bulkDeliveryQueue: ctx.bulkDeliveryQueue,
        stopping: ctx.stopping,
      }),
    ),
    { ...common, concurrency: config.bulkConcurrency },
  );
  const scheduled = new Worker(
    QUEUE_NAMES.replaySchedules,
    withJobContext(
      QUEUE_NAMES.replaySchedules,
      createScheduledReplayProcessor({
        schedules: repos.schedules,
        merchants: repos.merchants,
        resendJobs: repos.resendJobs,
        replays: ctx.replays,
        scheduleQueue: ctx.scheduleQueue,
        logger,
      }),
    ),
    { ...common, concurrency: 1 },
  );
  const workers = [live, fanout, batches, scheduled];
  for (const worker of workers) {
    worker.on('error', (err) => logger.error('worker error', { queue: worker.name, err: err.message }));
    worker.on('failed', (job, err) => {
      if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) {
        logger.warn('job gave up after its last attempt', { queue: worker.name, jobId: job.id, attempts: job.attemptsMade, err: err.message });
      }
    });
  }
  const sweeper = startSweeper({
    deliveries: repos.deliveries,
    resendJobs: repos.resendJobs,
    endpoints: repos.endpointHealth,
    deliveryQueue: ctx.deliveryQueue,
    fanoutQueue: ctx.fanoutQueue,
    bulkDeliveryQueue: ctx.bulkDeliveryQueue,
    replayLock: ctx.replayLock,
    schedules: createScheduleKeeper({ schedules: repos.schedules, queue: ctx.scheduleQueue }),
    redis: ctx.redis,
    logger,
    intervalMs: config.reconcileIntervalMs,
    graceMs: config.redriveAfterMs,
    attemptLeaseMs: attemptLeaseMs(config.webhookTimeoutMs),
  });
  const prober = startEndpointProber({
    ...attempts,
    health: repos.endpointHealth,
    transactions: repos.transactions,
    merchants: repos.merchants,
    events: ctx.endpointEvents,
    logger,
    // Probes are spaced 2 s apart at first: a tick of at most a second keeps them on time.
    tickMs: Math.min(1000, config.reconcileIntervalMs),
    disableAfterHours: config.endpointDisableAfterHours,
  });
  const housekeeping = startHousekeeping({
    partitions: repos.auditPartitions,
    merchants: repos.merchants,
    retentionDays: config.auditRetentionDays,
    logger,
  });
  const metricsServer = await startMetricsServer(ctx.metrics, config.workerMetricsPort);
  return {
    context: ctx,
    workers,
    sweeper,
    prober,
    housekeeping,
    metricsPort: metricsServer.port,
    async close() {
      ctx.stopping.value = true;
      await Promise.all([sweeper.stop(), prober.stop(), housekeeping.stop()]);
      await Promise.all(workers.map((w) => w.close()));
      await metricsServer.close();
      await ctx.close();
    },
  };
}
