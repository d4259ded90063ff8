import type { Queue } from 'bullmq';
import type { DataSource } from '@wr/db';
import type { ServiceMetrics } from '@wr/metrics';

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** Queue depths and bulk jobs, read when Prometheus scrapes (nothing to keep in step). */
export function registerScrapeGauges(metrics: ServiceMetrics, deps: { queues: Queue[]; db: DataSource }): void {
  metrics.gaugeAtScrape('queue_jobs', 'Jobs in each queue by state', ['queue', 'state'], async (set) => {
    for (const queue of deps.queues) {
      const counts = await queue.getJobCounts(...QUEUE_STATES);
      for (const state of QUEUE_STATES) set({ queue: queue.name, state }, counts[state] ?? 0);
    }
  });
  metrics.gaugeAtScrape('bulk_jobs', 'Bulk resend jobs by state', ['state'], async (set) => {
    const rows: Array<{ state: string; n: number }> = await deps.db.query('SELECT state, count(*)::int AS n FROM resend_jobs GROUP BY state');
    for (const row of rows) set({ state: row.state }, row.n);
  });
  metrics.gaugeAtScrape(
    'bulk_job_notifications',
    'Notifications of queued and running bulk jobs: total, processed, succeeded, failed',
    ['count'],
    async (set) => {
      const rows: Array<Record<string, number>> = await deps.db.query(
        `SELECT coalesce(sum(total), 0)::bigint AS total, coalesce(sum(processed), 0)::bigint AS processed,
                coalesce(sum(succeeded), 0)::bigint AS succeeded, coalesce(sum(failed), 0)::bigint AS failed
           FROM resend_jobs WHERE state IN ('queued', 'running')`,
      );
      for (const count of ['total', 'processed', 'succeeded', 'failed']) set({ count }, Number(rows[0]?.[count] ?? 0));
    },
  );
}
