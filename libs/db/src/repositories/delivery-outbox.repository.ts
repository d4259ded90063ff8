import type { DataSource, EntityManager } from 'typeorm';

/** A status change whose automatic webhook is not yet known to be queued. */
export interface OutboxEntry {
  id: number;
  transactionId: number;
  statusId: number;
  statusChangedAt: Date;
}

export class DeliveryOutboxRepository {
  constructor(private readonly db: DataSource) {}

  /** Records the notifications of a change; call inside the change's own transaction. */
  async add(
    entries: Array<Omit<OutboxEntry, 'id'>>,
    manager: EntityManager = this.db.manager,
  ): Promise<OutboxEntry[]> {
    if (entries.length === 0) return [];
    const rows: Array<{ id: string; transaction_id: string; status_id: number; status_changed_at: Date }> = await manager.query(
      `INSERT INTO delivery_outbox (transaction_id, status_id, status_changed_at)
       SELECT * FROM unnest($1::bigint[], $2::smallint[], $3::timestamptz[]) RETURNING *`,
      [entries.map((e) => e.transactionId), entries.map((e) => e.statusId), entries.map((e) => e.statusChangedAt.toISOString())],
    );
    return rows.map(toEntry);
  }

  async remove(ids: number[], manager: EntityManager = this.db.manager): Promise<void> {
    if (ids.length === 0) return;
    await manager.query('DELETE FROM delivery_outbox WHERE id = ANY($1::bigint[])', [ids]);
  }

  /**
   * Claims entries older than `olderThanMs` for one reconciler (others skip them), hands them to
   * `enqueue`, and removes them once it has succeeded; if it fails they stay for the next round.
   */
  async drain(olderThanMs: number, limit: number, enqueue: (entries: OutboxEntry[]) => Promise<void>): Promise<number> {
    return this.db.transaction(async (manager) => {
      const rows = await manager.query(
        `SELECT * FROM delivery_outbox WHERE created_at < now() - ($1::int * interval '1 millisecond')
          ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [olderThanMs, limit],
      );
      const entries = rows.map(toEntry);
      if (entries.length === 0) return 0;
      await enqueue(entries);
      await this.remove(entries.map((e: OutboxEntry) => e.id), manager);
      return entries.length;
    });
  }
}

function toEntry(row: { id: string; transaction_id: string; status_id: number; status_changed_at: Date }): OutboxEntry {
  return {
    id: Number(row.id),
    transactionId: Number(row.transaction_id),
    statusId: row.status_id,
    statusChangedAt: row.status_changed_at,
  };
}
