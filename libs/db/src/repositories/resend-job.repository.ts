import type { DataSource, EntityManager } from 'typeorm';
import type { TransactionKind } from '@wr/domain';
import { ResendJobEntity, type ResendJobRecord, type ResendJobSource } from '../entities/index.js';
import { mapRow, mapRows } from '../row-mapper.js';
import type { ReplayFilter } from './transaction.repository.js';

export interface NewResendJob {
  id: string;
  accountId: number;
  merchantId: number;
  requestId: string | null;
  source: ResendJobSource;
  kind: TransactionKind | null;
  transactionId: number | null;
  windowStart: Date;
  windowEnd: Date;
  statusIds: number[] | null;
  onlyFailed: boolean;
  trigger: 'bulk' | 'scheduled';
  total: number;
  requestedBy: string;
  runAt: Date | null;
}

/** Transactions a job is done with, and the number of attempts each had. */
export interface FinishedItems {
  succeeded: number[];
  failed: number[];
  attempts: number;
}

/** A client request's jobs, summed up (SimPay resend logs, replays). */
export interface ResendRequestSummary {
  requestId: string;
  jobs: ResendJobRecord[];
}

export class ResendJobRepository {
  constructor(private readonly db: DataSource) {}

  async insertMany(jobs: NewResendJob[], manager: EntityManager = this.db.manager): Promise<ResendJobRecord[]> {
    if (jobs.length === 0) return [];
    const rows = await manager.query(
      `INSERT INTO resend_jobs (id, account_id, merchant_id, request_id, source, kind, transaction_id, window_start,
                                window_end, status_ids, only_failed, trigger, state, total, requested_by, run_at)
       SELECT j.id, j.account_id, j.merchant_id, j.request_id, j.source, j.kind, j.transaction_id, j.window_start,
              j.window_end, CASE WHEN j.status_ids = '' THEN NULL ELSE string_to_array(j.status_ids, ',')::smallint[] END,
              j.only_failed, j.trigger, 'queued', j.total, j.requested_by, j.run_at
         FROM unnest($1::text[], $2::integer[], $3::integer[], $4::text[], $5::text[], $6::text[], $7::bigint[],
                     $8::timestamptz[], $9::timestamptz[], $10::text[], $11::boolean[], $12::text[], $13::integer[],
                     $14::text[], $15::timestamptz[])
           AS j(id, account_id, merchant_id, request_id, source, kind, transaction_id, window_start, window_end,
                status_ids, only_failed, trigger, total, requested_by, run_at)
       RETURNING *`,
      [
        jobs.map((j) => j.id),
        jobs.map((j) => j.accountId),
        jobs.map((j) => j.merchantId),
        jobs.map((j) => j.requestId),
        jobs.map((j) => j.source),
        jobs.map((j) => j.kind),
        jobs.map((j) => j.transactionId),
        jobs.map((j) => j.windowStart.toISOString()),
        jobs.map((j) => j.windowEnd.toISOString()),
        jobs.map((j) => (j.statusIds ? j.statusIds.join(',') : '')),
        jobs.map((j) => j.onlyFailed),
        jobs.map((j) => j.trigger),
        jobs.map((j) => j.total),
        jobs.map((j) => j.requestedBy),
        jobs.map((j) => (j.runAt ? j.runAt.toISOString() : null)),
      ],
    );
    const byId = new Map(mapRows(manager, ResendJobEntity, rows).map((r) => [r.id, r]));
    return jobs.map((j) => byId.get(j.id)!);
  }

  async findById(id: string, manager: EntityManager = this.db.manager): Promise<ResendJobRecord | null> {
    const rows = await manager.query('SELECT * FROM resend_jobs WHERE id = $1', [id]);
    return mapRow(manager, ResendJobEntity, rows[0]);
  }

  async findInAccount(id: string, accountId: number, manager: EntityManager = this.db.manager): Promise<ResendJobRecord | null> {
    const rows = await manager.query('SELECT * FROM resend_jobs WHERE id = $1 AND account_id = $2', [id, accountId]);
    return mapRow(manager, ResendJobEntity, rows[0]);
  }

  async deleteMany(ids: string[], manager: EntityManager = this.db.manager): Promise<void> {
    await manager.query('DELETE FROM resend_job_items WHERE resend_job_id = ANY($1::text[])', [ids]);
    await manager.query('DELETE FROM resend_jobs WHERE id = ANY($1::text[])', [ids]);
  }

  /** Jobs still queued a while after creation whose start time has come: their fan-out may be lost. */
  async findUnstarted(olderThanMs: number, limit: number, manager: EntityManager = this.db.manager): Promise<ResendJobRecord[]> {
    const rows = await manager.query(
      `SELECT * FROM resend_jobs
        WHERE state = 'queued' AND created_at < now() - ($1::int * interval '1 millisecond')
          AND (run_at IS NULL OR run_at < now() - ($1::int * interval '1 millisecond'))
        ORDER BY created_at LIMIT $2`,
      [olderThanMs, limit],
    );
    return mapRows(manager, ResendJobEntity, rows);
  }

  /** Whether anything this requester started (a recurring schedule, say) is still queued or running. */
  async hasActiveFrom(requestedBy: string, manager: EntityManager = this.db.manager): Promise<boolean> {
    const rows = await manager.query(
      `SELECT 1 FROM resend_jobs WHERE requested_by = $1 AND state IN ('queued', 'running') LIMIT 1`,
      [requestedBy],
    );
    return rows.length > 0;
  }

  /** queued -> running; returns the job as it now is (or null if it is gone). */
  async markRunning(id: string, manager: EntityManager = this.db.manager): Promise<ResendJobRecord | null> {
    const [rows] = await manager.query(
      `UPDATE resend_jobs SET state = CASE WHEN state = 'queued' THEN 'running' ELSE state END,
              started_at = COALESCE(started_at, now())
        WHERE id = $1 RETURNING *`,
      [id],
    );
    return mapRow(manager, ResendJobEntity, rows[0]);
  }

  /**
   * Adds a fan-out page's transactions as pending items and moves the cursor, in one database
   * transaction; returns the ids that were new (a resumed fan-out skips the ones it already has).
   */
  async addPendingItems(
    id: string,
    transactionIds: number[],
    cursor: { changedAt: Date; transactionId: number },
    manager: EntityManager = this.db.manager,
  ): Promise<number[]> {
    return manager.transaction(async (tx) => {
      const rows: Array<{ transaction_id: string }> = await tx.query(
        `INSERT INTO resend_job_items (resend_job_id, transaction_id)
         SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING RETURNING transaction_id`,
        [id, transactionIds],
      );
      await tx.query(
        `UPDATE resend_jobs SET dispatched = dispatched + $2, cursor_changed_at = $3, cursor_transaction_id = $4
          WHERE id = $1`,
        [id, rows.length, cursor.changedAt.toISOString(), cursor.transactionId],
      );
      return rows.map((r) => Number(r.transaction_id));
    });
  }

  /** The job's items still pending, in id order after `afterId` (to re-queue after a crash). */
  async pendingItems(id: string, afterId: number, limit: number, manager: EntityManager = this.db.manager): Promise<number[]> {
    const rows: Array<{ transaction_id: string }> = await manager.query(
      `SELECT transaction_id FROM resend_job_items
        WHERE resend_job_id = $1 AND state = 'pending' AND transaction_id > $2
        ORDER BY transaction_id LIMIT $3`,
      [id, afterId, limit],
    );
    return rows.map((r) => Number(r.transaction_id));
  }

  /** Which of these transactions the job has not finished with (a batch re-reads before sending). */
  async stillPending(id: string, transactionIds: number[], manager: EntityManager = this.db.manager): Promise<number[]> {
    if (transactionIds.length === 0) return [];
    const rows: Array<{ transaction_id: string }> = await manager.query(
      `SELECT transaction_id FROM resend_job_items
        WHERE resend_job_id = $1 AND transaction_id = ANY($2::bigint[]) AND state = 'pending'`,
      [id, transactionIds],
    );
    return rows.map((r) => Number(r.transaction_id));
  }

  /** Every matching transaction is queued: `total` becomes the exact count. */
  async finishFanout(id: string, manager: EntityManager = this.db.manager): Promise<void> {
    await manager.query('UPDATE resend_jobs SET fanout_done = true, total = dispatched WHERE id = $1', [id]);
  }

  /**
   * Moves items from pending to their final state, each once: a delivery that ran twice (a worker
   * died after sending) finds its item already final and moves no counter. Ids go in as arrays
   * matched with = ANY, which PostgreSQL answers from the primary key whatever it knows of the table.
   */
  async recordFinished(id: string, finished: FinishedItems, manager: EntityManager = this.db.manager): Promise<void> {
    if (finished.succeeded.length === 0 && finished.failed.length === 0) return;
    await manager.query(
      `WITH ok AS (
         UPDATE resend_job_items SET state = 'succeeded', attempts = $4, finished_at = now()
          WHERE resend_job_id = $1 AND transaction_id = ANY($2::bigint[]) AND state = 'pending' RETURNING 1
       ), ko AS (
         UPDATE resend_job_items SET state = 'failed', attempts = $4, finished_at = now()
          WHERE resend_job_id = $1 AND transaction_id = ANY($3::bigint[]) AND state = 'pending' RETURNING 1
       )
       UPDATE resend_jobs SET
         processed = processed + (SELECT count(*) FROM ok) + (SELECT count(*) FROM ko),
         succeeded = succeeded + (SELECT count(*) FROM ok),
         failed = failed + (SELECT count(*) FROM ko)
       WHERE id = $1`,
      [id, finished.succeeded, finished.failed, finished.attempts],
    );
  }

  /** running -> completed once the fan-out is done and every transaction is finished. */
  async completeIfDone(id: string, manager: EntityManager = this.db.manager): Promise<ResendJobRecord | null> {
    const [rows] = await manager.query(
      `UPDATE resend_jobs SET state = 'completed', finished_at = now()
        WHERE id = $1 AND state = 'running' AND fanout_done AND processed >= dispatched RETURNING *`,
      [id],
    );
    return mapRow(manager, ResendJobEntity, rows[0]);
  }

  async markFailed(id: string, error: string, manager: EntityManager = this.db.manager): Promise<ResendJobRecord | null> {
    const [rows] = await manager.query(
      `UPDATE resend_jobs SET state = 'failed', error = $2, finished_at = now()
        WHERE id = $1 AND state IN ('queued', 'running') RETURNING *`,
      [id, error],
    );
    return mapRow(manager, ResendJobEntity, rows[0]);
  }

  /** Stops a queued or running job of the account; null if there is no such job to stop. */
  async cancel(id: string, accountId: number, manager: EntityManager = this.db.manager): Promise<ResendJobRecord | null> {
    const [rows] = await manager.query(
      `UPDATE resend_jobs SET state = 'cancelled', finished_at = now()
        WHERE id = $1 AND account_id = $2 AND state IN ('queued', 'running') RETURNING *`,
      [id, accountId],
    );
    return mapRow(manager, ResendJobEntity, rows[0]);
  }

  /** The account's requests of one source, newest first, each with all of its jobs. */
  async listRequests(
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

  async findRequest(
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

/** What a job's fan-out selects. */
export function replayFilterOf(job: ResendJobRecord, notifiable: readonly number[]): ReplayFilter {
  return {
    merchantId: job.merchantId,
    kind: job.kind,
    windowStart: job.windowStart,
    windowEnd: job.windowEnd,
    statusIds: job.statusIds ?? [...notifiable],
    transactionId: job.transactionId,
    onlyFailed: job.onlyFailed,
  };
}
