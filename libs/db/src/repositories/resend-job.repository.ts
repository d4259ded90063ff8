import type { DataSource, EntityManager } from 'typeorm';
import type { TransactionKind } from '@wr/domain';
import { ResendJobEntity, type ResendJobRecord, type ResendJobSource } from '../entities/index.js';
import { mapRow, mapRows } from '../row-mapper.js';

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

/**
 * A window job's row, and its moves from state to state (queued -> running -> completed, failed or
 * cancelled): each a conditional UPDATE, so a step that runs twice moves the job once. Its fan-out
 * (lease and cursor), the requests the contracts list and the gauges have repositories of their own.
 */
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
    await manager.query('DELETE FROM deliveries WHERE resend_job_id = ANY($1::text[])', [ids]);
    await manager.query('DELETE FROM resend_jobs WHERE id = ANY($1::text[])', [ids]);
  }

  /**
   * Active jobs that have not moved for `graceMs` (and whose start time has come, and whose
   * fan-out lease, if any, has run out): their wake-ups may be lost, whatever their flags say.
   */
  async findStalled(graceMs: number, limit: number, manager: EntityManager = this.db.manager): Promise<ResendJobRecord[]> {
    const rows = await manager.query(
      `SELECT * FROM resend_jobs
        WHERE state IN ('queued', 'running')
          AND COALESCE(progressed_at, created_at) < now() - $1 * interval '1 millisecond'
          AND (run_at IS NULL OR run_at < now() - $1 * interval '1 millisecond')
          AND (fanout_lease_until IS NULL OR fanout_lease_until < now())
        ORDER BY COALESCE(progressed_at, created_at) LIMIT $2`,
      [graceMs, limit],
    );
    return mapRows(manager, ResendJobEntity, rows);
  }

  /** Marks a job as just moved (the sweeper re-drove it), so the next pass leaves it a grace period. */
  async touch(id: string, manager: EntityManager = this.db.manager): Promise<void> {
    await manager.query('UPDATE resend_jobs SET progressed_at = now() WHERE id = $1', [id]);
  }

  /** Whether anything this requester started (a recurring schedule, say) is still queued or running. */
  async hasActiveFrom(requestedBy: string, manager: EntityManager = this.db.manager): Promise<boolean> {
    const rows = await manager.query(
      `SELECT 1 FROM resend_jobs WHERE requested_by = $1 AND state IN ('queued', 'running') LIMIT 1`,
      [requestedBy],
    );
    return rows.length > 0;
  }

  /** running -> completed once the fan-out is done and every transaction is finished. */
  async completeIfDone(id: string, manager: EntityManager = this.db.manager): Promise<ResendJobRecord | null> {
    const [rows] = await manager.query(
      `UPDATE resend_jobs SET state = 'completed', finished_at = now()
        WHERE id = $1 AND state = 'running' AND fanout_done AND processed >= dispatched
          AND NOT EXISTS (SELECT 1 FROM deliveries WHERE resend_job_id = $1 AND state = 'pending')
        RETURNING *`,
      [id],
    );
    return mapRow(manager, ResendJobEntity, rows[0]);
  }

  /** queued/running -> failed; what it still owed is cancelled. */
  async markFailed(id: string, error: string, manager: EntityManager = this.db.manager): Promise<ResendJobRecord | null> {
    return manager.transaction(async (tx) => {
      const [rows] = await tx.query(
        `UPDATE resend_jobs SET state = 'failed', error = $2, finished_at = now(), fanout_lease_until = NULL
          WHERE id = $1 AND state IN ('queued', 'running') RETURNING *`,
        [id, error],
      );
      if (rows.length > 0) await cancelOwed(tx, id);
      return mapRow(tx, ResendJobEntity, rows[0]);
    });
  }

  /**
   * Stops a queued or running job of the account: in the same transaction, every delivery it
   * still owes that is not in flight is cancelled. Claims share-lock the job row, so once this
   * commits no new attempt of the job starts. Null if there is no such job to stop.
   */
  async cancel(id: string, accountId: number, manager: EntityManager = this.db.manager): Promise<ResendJobRecord | null> {
    return manager.transaction(async (tx) => {
      const [rows] = await tx.query(
        `UPDATE resend_jobs SET state = 'cancelled', finished_at = now(), fanout_lease_until = NULL
          WHERE id = $1 AND account_id = $2 AND state IN ('queued', 'running') RETURNING *`,
        [id, accountId],
      );
      if (rows.length > 0) await cancelOwed(tx, id);
      return mapRow(tx, ResendJobEntity, rows[0]);
    });
  }
}

/** A stopped job's deliveries not in flight are cancelled; in-flight ones finish. */
async function cancelOwed(tx: EntityManager, resendJobId: string): Promise<void> {
  await tx.query(
    `UPDATE deliveries d SET state = 'cancelled', finished_at = now()
      WHERE d.resend_job_id = $1 AND d.state = 'pending'
        AND d.open_log_id IS NULL`,
    [resendJobId],
  );
}
