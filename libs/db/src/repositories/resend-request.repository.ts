import type { DataSource, EntityManager } from 'typeorm';
import { ResendJobEntity, type ResendJobRecord, type ResendJobSource } from '../entities/index.js';
import { mapRows } from '../row-mapper.js';

/** A client request's jobs, summed up (SimPay resend logs, replays). */
export interface ResendRequestSummary {
  requestId: string;
  jobs: ResendJobRecord[];
}

/** What the contracts list and show of their requests: each request id with all of its window jobs. */
export class ResendRequestRepository {
  constructor(private readonly db: DataSource) {}

  /** The account's requests of one source, newest first, each with all of its jobs. */
  async list(
    accountId: number,
    source: ResendJobSource,
    page: { limit: number; offset: number },
    manager: EntityManager = this.db.manager,
  ): Promise<ResendRequestSummary[]> {
    const rows = await manager.query(
      `WITH requests AS (
         SELECT request_id, min(created_at) AS created_at FROM resend_jobs
          WHERE account_id = $1 AND source = $2 AND request_id IS NOT NULL
          GROUP BY request_id ORDER BY min(created_at) DESC, request_id DESC LIMIT $3 OFFSET $4
       )
       SELECT j.* FROM resend_jobs j JOIN requests r ON r.request_id = j.request_id
        ORDER BY r.created_at DESC, j.request_id DESC, j.window_start, j.id`,
      [accountId, source, page.limit, page.offset],
    );
    return groupByRequest(mapRows(manager, ResendJobEntity, rows));
  }

  async find(
    requestId: string,
    accountId: number,
    source: ResendJobSource,
    manager: EntityManager = this.db.manager,
  ): Promise<ResendRequestSummary | null> {
    const rows = await manager.query(
      `SELECT * FROM resend_jobs WHERE request_id = $1 AND account_id = $2 AND source = $3 ORDER BY window_start, id`,
      [requestId, accountId, source],
    );
    return groupByRequest(mapRows(manager, ResendJobEntity, rows))[0] ?? null;
  }
}

function groupByRequest(jobs: ResendJobRecord[]): ResendRequestSummary[] {
  const groups = new Map<string, ResendJobRecord[]>();
  for (const job of jobs) {
    const list = groups.get(job.requestId!) ?? [];
    list.push(job);
    groups.set(job.requestId!, list);
  }
  return [...groups].map(([requestId, list]) => ({ requestId, jobs: list }));
}
