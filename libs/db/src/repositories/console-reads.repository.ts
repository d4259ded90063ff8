import type { DataSource, EntityManager } from 'typeorm';
import type { EndpointState } from '@wr/domain';
import { ResendJobEntity, type ResendJobRecord } from '../entities/index.js';
import { mapRows } from '../row-mapper.js';

/** One merchant's endpoint as the operator view ranks it. */
export interface EndpointStanding {
  merchantId: number;
  accountId: number;
  name: string;
  webhookUrl: string | null;
  state: EndpointState;
  consecutiveFailures: number;
  failingSince: Date | null;
  /** Deliveries that spent all their attempts in the last 24 hours. */
  failedLastDay: number;
}

/** Reads only the delivery console needs (the operator overview). */
export class ConsoleReadsRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Every merchant's endpoint, worst first: disabled, then failing, then by failures (the current
   * run, then the last day's failed deliveries, counted on the partial index of failed rows).
   */
  async endpointsByFailures(limit: number, manager: EntityManager = this.db.manager): Promise<EndpointStanding[]> {
    const rows: Array<Record<string, unknown>> = await manager.query(
      `SELECT m.id, m.account_id, m.name, m.webhook_url,
              coalesce(h.state, 'healthy') AS state, coalesce(h.consecutive_failures, 0) AS consecutive_failures,
              h.failing_since, f.failed
         FROM merchants m
         LEFT JOIN endpoint_health h ON h.merchant_id = m.id
         CROSS JOIN LATERAL (
           SELECT count(*)::integer AS failed FROM deliveries d
            WHERE d.merchant_id = m.id AND d.state = 'failed' AND d.finished_at > now() - interval '24 hours') f
        ORDER BY CASE coalesce(h.state, 'healthy') WHEN 'disabled' THEN 0 WHEN 'failing' THEN 1 ELSE 2 END,
                 coalesce(h.consecutive_failures, 0) DESC, f.failed DESC, m.id
        LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      merchantId: r.id as number,
      accountId: r.account_id as number,
      name: r.name as string,
      webhookUrl: (r.webhook_url as string | null) ?? null,
      state: r.state as EndpointState,
      consecutiveFailures: r.consecutive_failures as number,
      failingSince: (r.failing_since as Date | null) ?? null,
      failedLastDay: r.failed as number,
    }));
  }

  /** Bulk jobs queued or running, then those created in the last day, newest first. */
  async recentJobs(limit: number, manager: EntityManager = this.db.manager): Promise<ResendJobRecord[]> {
    const rows = await manager.query(
      `SELECT * FROM resend_jobs
        WHERE state IN ('queued', 'running') OR created_at > now() - interval '24 hours'
        ORDER BY state IN ('queued', 'running') DESC, created_at DESC, id
        LIMIT $1`,
      [limit],
    );
    return mapRows(manager, ResendJobEntity, rows);
  }
}
