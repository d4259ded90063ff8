import type { Queue } from 'bullmq';
import type { ResendJobStatsRepository } from '@wr/db';
import type { ServiceMetrics } from '@wr/metrics';
import { queueDepth } from '@wr/queues';

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** Queue depths and bulk jobs, read when Prometheus scrapes (nothing to keep in step). */
export function registerScrapeGauges(
  metrics: ServiceMetrics,
  deps: { queues: Queue[]; jobStats: Pick<ResendJobStatsRepository, 'countByState' | 'activeTotals'> },
): void {
  metrics.gaugeAtScrape('queue_jobs', 'Jobs in each queue by state', ['queue', 'state'], async (set) => {
    for (const queue of deps.queues) {
      const depth = await queueDepth(queue);
      for (const state of QUEUE_STATES) set({ queue: queue.name, state }, depth[state]);
    }
  });
  metrics.gaugeAtScrape('bulk_jobs', 'Bulk resend jobs by state', ['state'], async (set) => {
    for (const [state, n] of Object.entries(await deps.jobStats.countByState())) set({ state }, n);
  });
  metrics.gaugeAtScrape(
    'bulk_job_notifications',
    'Notifications of queued and running bulk jobs: total, processed, succeeded, failed',
    ['count'],
    async (set) => {
      const totals = await deps.jobStats.activeTotals();
      for (const count of ['total', 'processed', 'succeeded', 'failed'] as const) set({ count }, totals[count]);
    },
  );
}
