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

  /**
   * A fan-out takes the job (queued -> running) for `leaseMs`, renewed by every page; null if the
   * job is not active, already walked, or held by another fan-out whose lease has not run out.
   */
  async claimFanout(id: string, leaseMs: number, manager: EntityManager = this.db.manager): Promise<ResendJobRecord | null> {
    const [rows] = await manager.query(
      `UPDATE resend_jobs SET state = 'running', started_at = COALESCE(started_at, now()), progressed_at = now(),
              fanout_lease_until = now() + $2 * interval '1 millisecond'
        WHERE id = $1 AND state IN ('queued', 'running') AND NOT fanout_done
          AND (fanout_lease_until IS NULL OR fanout_lease_until < now())
        RETURNING *`,
      [id, leaseMs],
    );
    return mapRow(manager, ResendJobEntity, rows[0]);
  }

  /** Lets another fan-out take the job at once (a worker shutting down hands it back). */
  async releaseFanout(id: string, manager: EntityManager = this.db.manager): Promise<void> {
    await manager.query('UPDATE resend_jobs SET fanout_lease_until = NULL WHERE id = $1', [id]);
  }

  /**
   * Records a fan-out page: its transactions become the job's deliveries owed (pending) and the
   * cursor moves, in one database transaction that first locks the job row, so a cancel either
   * comes before (nothing is added) or after (it sees and cancels the new items). Returns the
   * new deliveries' ids (a resumed fan-out skips transactions it already added), or null when the
   * job is no longer running.
   */
  async addItems(
    job: Pick<ResendJobRecord, 'id' | 'merchantId' | 'trigger'>,
    page: Array<{ id: number; statusId: number; statusChangedAt: Date; sequence: number }>,
    cursor: { changedAt: Date; transactionId: number },
    leaseMs: number,
    manager: EntityManager = this.db.manager,
  ): Promise<number[] | null> {
    return manager.transaction(async (tx) => {
      const [, locked] = await tx.query(
        `UPDATE resend_jobs SET cursor_changed_at = $2, cursor_transaction_id = $3, progressed_at = now(),
                fanout_lease_until = now() + $4 * interval '1 millisecond'
          WHERE id = $1 AND state = 'running'`,
        [job.id, cursor.changedAt.toISOString(), cursor.transactionId, leaseMs],
      );
      if (locked === 0) return null;
      const rows: Array<{ id: string }> = await tx.query(
        `INSERT INTO deliveries (transaction_id, merchant_id, status_id, status_changed_at, sequence, trigger, resend_job_id)
         SELECT t, $2, s, c, q, $3, $1
           FROM unnest($4::bigint[], $5::smallint[], $6::timestamptz[], $7::integer[]) AS u(t, s, c, q)
         ON CONFLICT (resend_job_id, transaction_id) WHERE resend_job_id IS NOT NULL DO NOTHING
         RETURNING id`,
        [
          job.id,
          job.merchantId,
          job.trigger,
          page.map((t) => t.id),
          page.map((t) => t.statusId),
          page.map((t) => t.statusChangedAt.toISOString()),
          page.map((t) => t.sequence),
        ],
      );
      await tx.query('UPDATE resend_jobs SET dispatched = dispatched + $2 WHERE id = $1', [job.id, rows.length]);
      return rows.map((r) => Number(r.id));
    });
  }

  /** Every matching transaction is recorded: `total` becomes the exact count. */
  async finishFanout(id: string, manager: EntityManager = this.db.manager): Promise<void> {
    await manager.query(
      'UPDATE resend_jobs SET fanout_done = true, total = dispatched, fanout_lease_until = NULL, progressed_at = now() WHERE id = $1',
      [id],
    );
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

/** A stopped job's deliveries not in flight (no open audit row) are cancelled; in-flight ones finish. */
async function cancelOwed(tx: EntityManager, resendJobId: string): Promise<void> {
  await tx.query(
    `UPDATE deliveries d SET state = 'cancelled', finished_at = now()
      WHERE d.resend_job_id = $1 AND d.state = 'pending'
        AND NOT EXISTS (SELECT 1 FROM webhook_logs l WHERE l.delivery_id = d.id AND l.outcome IS NULL)`,
    [resendJobId],
  );
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
