import type { DataSource, EntityManager } from 'typeorm';
import { ReplayScheduleEntity, type ReplayScheduleRecord } from '../entities/index.js';
import { mapRow, mapRows } from '../row-mapper.js';

export type NewReplaySchedule = Omit<ReplayScheduleRecord, 'createdAt' | 'deletedAt' | 'coveredUntil'>;

/** Recurring replays (the source of truth; Redis holds only their job schedulers). */
export class ReplayScheduleRepository {
  constructor(private readonly db: DataSource) {}

  async insert(s: NewReplaySchedule, manager: EntityManager = this.db.manager): Promise<ReplayScheduleRecord> {
    const rows = await manager.query(
      `INSERT INTO replay_schedules (id, account_id, merchant_id, every_seconds, lookback_seconds, only_failed, kind)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET id = EXCLUDED.id
       RETURNING *`,
      [s.id, s.accountId, s.merchantId, s.everySeconds, s.lookbackSeconds, s.onlyFailed, s.kind],
    );
    return mapRow(manager, ReplayScheduleEntity, rows[0])!;
  }

  /** Any schedule by id, deleted ones included (a firing of a deleted schedule must know it). */
  async findById(id: string, manager: EntityManager = this.db.manager): Promise<ReplayScheduleRecord | null> {
    const rows = await manager.query('SELECT * FROM replay_schedules WHERE id = $1', [id]);
    return mapRow(manager, ReplayScheduleEntity, rows[0]);
  }

  async listActive(accountId: number | null, manager: EntityManager = this.db.manager): Promise<ReplayScheduleRecord[]> {
    const rows = await manager.query(
      `SELECT * FROM replay_schedules WHERE deleted_at IS NULL AND ($1::integer IS NULL OR account_id = $1) ORDER BY created_at, id`,
      [accountId],
    );
    return mapRows(manager, ReplayScheduleEntity, rows);
  }

  /** Soft delete: a firing already queued sees the schedule is gone and stops. */
  async markDeleted(id: string, accountId: number, manager: EntityManager = this.db.manager): Promise<boolean> {
    const [, count] = await manager.query(
      'UPDATE replay_schedules SET deleted_at = now() WHERE id = $1 AND account_id = $2 AND deleted_at IS NULL',
      [id, accountId],
    );
    return count > 0;
  }

  /**
   * Where a firing may end: the database's clock (the one status changes are stamped with) less a
   * margin, so a change stamped just before but committed just after is left to the next firing.
   */
  async coverableUntil(marginMs: number, manager: EntityManager = this.db.manager): Promise<Date> {
    const rows: Array<{ at: Date }> = await manager.query(`SELECT now() - $1 * interval '1 millisecond' AS at`, [marginMs]);
    return rows[0]!.at;
  }

  /** Moves the high-water mark; call in the transaction that creates the firing's jobs. */
  async markCovered(id: string, until: Date, manager: EntityManager = this.db.manager): Promise<void> {
    await manager.query('UPDATE replay_schedules SET covered_until = $2 WHERE id = $1', [id, until.toISOString()]);
  }
}
