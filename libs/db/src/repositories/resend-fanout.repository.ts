import type { DataSource, EntityManager } from 'typeorm';
import { ResendJobEntity, type ResendJobRecord } from '../entities/index.js';
import { mapRow } from '../row-mapper.js';
import type { ReplayFilter } from './transaction.repository.js';

/**
 * A window job's fan-out: the lease that lets one worker walk the job's window at a time (and
 * anyone take over once it runs out), and the keyset cursor that each recorded page moves.
 */
export class ResendFanoutRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * A fan-out takes the job (queued -> running) for `leaseMs`, renewed by every page; null if the
   * job is not active, already walked, or held by another fan-out whose lease has not run out.
   */
  async claim(id: string, leaseMs: number, manager: EntityManager = this.db.manager): Promise<ResendJobRecord | null> {
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
  async release(id: string, manager: EntityManager = this.db.manager): Promise<void> {
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
  async finish(id: string, manager: EntityManager = this.db.manager): Promise<void> {
    await manager.query(
      'UPDATE resend_jobs SET fanout_done = true, total = dispatched, fanout_lease_until = NULL, progressed_at = now() WHERE id = $1',
      [id],
    );
  }
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
