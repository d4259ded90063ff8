import type { DataSource, EntityManager } from 'typeorm';

/** Window jobs summed up for the Prometheus gauges the API computes at each scrape. */
export class ResendJobStatsRepository {
  constructor(private readonly db: DataSource) {}

  /** Bulk jobs by state (a Prometheus gauge). */
  async countByState(manager: EntityManager = this.db.manager): Promise<Record<string, number>> {
    const rows: Array<{ state: string; n: number }> = await manager.query('SELECT state, count(*)::int AS n FROM resend_jobs GROUP BY state');
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }

  /** Notifications of queued and running jobs: total, processed, succeeded, failed (a Prometheus gauge). */
  async activeTotals(manager: EntityManager = this.db.manager): Promise<{ total: number; processed: number; succeeded: number; failed: number }> {
    const [row] = await manager.query(
      `SELECT coalesce(sum(total), 0)::bigint AS total, coalesce(sum(processed), 0)::bigint AS processed,
              coalesce(sum(succeeded), 0)::bigint AS succeeded, coalesce(sum(failed), 0)::bigint AS failed
         FROM resend_jobs WHERE state IN ('queued', 'running')`,
    );
    return { total: Number(row?.total ?? 0), processed: Number(row?.processed ?? 0), succeeded: Number(row?.succeeded ?? 0), failed: Number(row?.failed ?? 0) };
  }
}
