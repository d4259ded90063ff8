import type { DataSource, EntityManager } from 'typeorm';
import { transactionLookupFor, type TransactionKind, type TransactionLookup } from '@wr/domain';
import { TransactionEntity, type TransactionRecord } from '../entities/index.js';
import { mapRow, mapRows } from '../row-mapper.js';
import type { IdPage } from './account.repository.js';
import { bumpIdentity } from './merchant.repository.js';

export interface NewTransaction {
  id?: number;
  merchantId: number;
  kind: TransactionKind;
  externalId: string | null;
  endToEndId: string | null;
  statusId: number;
  amount: number;
  data: Record<string, unknown>;
  statusChangedAt: Date;
}

const INSERT_CHUNK = 2000;

export class TransactionRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Inserts any number of transactions as multi-row statements (unnest of column arrays: nine
   * parameters whatever the row count), 2,000 rows each so that no statement runs long, returned
   * in input order. Call inside a transaction for all-or-nothing.
   */
  async insertMany(inputs: NewTransaction[], manager: EntityManager = this.db.manager): Promise<TransactionRecord[]> {
    if (inputs.length === 0) return [];
    const ids = await this.assignIds(inputs, manager);
    const records: TransactionRecord[] = [];
    for (let i = 0; i < inputs.length; i += INSERT_CHUNK) {
      records.push(...(await this.insertChunk(inputs.slice(i, i + INSERT_CHUNK), ids.slice(i, i + INSERT_CHUNK), manager)));
    }
    return records;
  }

  private async insertChunk(inputs: NewTransaction[], ids: number[], manager: EntityManager): Promise<TransactionRecord[]> {
    const rows: Record<string, unknown>[] = await manager.query(
      `INSERT INTO transactions
         (id, merchant_id, kind, external_id, end_to_end_id, status_id, amount, data, status_changed_at)
       SELECT * FROM unnest($1::bigint[], $2::integer[], $3::text[], $4::text[], $5::text[],
                            $6::smallint[], $7::bigint[], $8::jsonb[], $9::timestamptz[])
       RETURNING *`,
      [
        ids,
        inputs.map((t) => t.merchantId),
        inputs.map((t) => t.kind),
        inputs.map((t) => t.externalId),
        inputs.map((t) => t.endToEndId),
        inputs.map((t) => t.statusId),
        inputs.map((t) => t.amount),
        inputs.map((t) => JSON.stringify(t.data)),
        inputs.map((t) => t.statusChangedAt.toISOString()),
      ],
    );
    const byId = new Map(mapRows(manager, TransactionEntity, rows).map((t) => [t.id, t]));
    return ids.map((id) => byId.get(id)!);
  }

  /** Explicit ids are kept; the others are drawn from the sequence in one round trip. */
  private async assignIds(inputs: NewTransaction[], manager: EntityManager): Promise<number[]> {
    const missing = inputs.filter((t) => t.id === undefined).length;
    const drawn: number[] =
      missing === 0
        ? []
        : (
            await manager.query(
              `SELECT nextval(pg_get_serial_sequence('transactions', 'id')) AS id FROM generate_series(1, $1)`,
              [missing],
            )
          ).map((r: { id: string }) => Number(r.id));
    const explicit = inputs.flatMap((t) => (t.id === undefined ? [] : [t.id]));
    if (explicit.length > 0) await bumpIdentity(manager, 'transactions', Math.max(...explicit));
    let next = 0;
    return inputs.map((t) => t.id ?? drawn[next++]!);
  }

  /** Which of these unique keys are already taken, in three indexed lookups. */
  async findTakenKeys(
    keys: { ids: number[]; externalIds: Array<{ merchantId: number; externalId: string }>; endToEndIds: string[] },
    manager: EntityManager = this.db.manager,
  ): Promise<{ ids: Set<number>; externalIds: Set<string>; endToEndIds: Set<string> }> {
    const [ids, externals, e2es] = await Promise.all([
      keys.ids.length === 0 ? [] : manager.query('SELECT id FROM transactions WHERE id = ANY($1::bigint[])', [keys.ids]),
      keys.externalIds.length === 0
        ? []
        : manager.query(
            `SELECT t.merchant_id, t.external_id FROM transactions t
               JOIN unnest($1::integer[], $2::text[]) AS k(merchant_id, external_id)
                 ON t.merchant_id = k.merchant_id AND t.external_id = k.external_id`,
            [keys.externalIds.map((k) => k.merchantId), keys.externalIds.map((k) => k.externalId)],
          ),
      keys.endToEndIds.length === 0
        ? []
        : manager.query('SELECT end_to_end_id FROM transactions WHERE end_to_end_id = ANY($1::text[])', [keys.endToEndIds]),
    ]);
    return {
      ids: new Set(ids.map((r: { id: string }) => Number(r.id))),
      externalIds: new Set(externals.map((r: { merchant_id: number; external_id: string }) => externalKey(r.merchant_id, r.external_id))),
      endToEndIds: new Set(e2es.map((r: { end_to_end_id: string }) => r.end_to_end_id)),
    };
  }

  async findManyByIds(ids: number[], manager: EntityManager = this.db.manager): Promise<TransactionRecord[]> {
    if (ids.length === 0) return [];
    const rows = await manager.query('SELECT * FROM transactions WHERE id = ANY($1::bigint[])', [ids]);
    return mapRows(manager, TransactionEntity, rows);
  }

  /** How many transactions a replay window matches (the dry run's answer). */
  async countInWindow(filter: ReplayFilter, manager: EntityManager = this.db.manager): Promise<number> {
    const { where, params } = replayWhere(filter);
    const rows = await manager.query(`SELECT count(*)::int AS n FROM transactions t WHERE ${where}`, params);
    return rows[0].n;
  }

  /**
   * One keyset page of a replay window, in (status_changed_at, id) order, so a window of any
   * size is walked in bounded memory and a stopped walk resumes from its last position.
   */
  async pageInWindow(
    filter: ReplayFilter,
    after: { changedAt: Date; transactionId: number } | null,
    limit: number,
    manager: EntityManager = this.db.manager,
  ): Promise<Array<{ id: number; statusId: number; statusChangedAt: Date; sequence: number }>> {
    const { where, params } = replayWhere(filter);
    let clause = where;
    if (after) {
      params.push(after.changedAt.toISOString(), after.transactionId);
      clause += ` AND (t.status_changed_at, t.id) > ($${params.length - 1}::timestamptz, $${params.length}::bigint)`;
    }
    params.push(limit);
    const rows: Array<{ id: string; status_id: number; status_changed_at: Date; sequence: number }> = await manager.query(
      `SELECT t.id, t.status_id, t.status_changed_at, t.sequence FROM transactions t WHERE ${clause}
        ORDER BY t.status_changed_at, t.id LIMIT $${params.length}`,
      params,
    );
    return rows.map((r) => ({ id: Number(r.id), statusId: r.status_id, statusChangedAt: r.status_changed_at, sequence: r.sequence }));
  }

  async findById(id: number, manager: EntityManager = this.db.manager): Promise<TransactionRecord | null> {
    const rows = await manager.query('SELECT * FROM transactions WHERE id = $1', [id]);
    return mapRow(manager, TransactionEntity, rows[0]);
  }

  /**
   * One merchant's transactions, newest first by id. A merchant filter is required: the table
   * holds millions of rows and an unfiltered walk would serve nobody.
   */
  async listByMerchant(merchantId: number, page: IdPage, manager: EntityManager = this.db.manager): Promise<TransactionRecord[]> {
    const rows = await manager.query(
      `SELECT * FROM transactions
        WHERE merchant_id = $1 AND id < COALESCE($2::bigint, 9223372036854775807)
        ORDER BY id DESC LIMIT $3`,
      [merchantId, page.beforeId ?? null, page.limit],
    );
    return mapRows(manager, TransactionEntity, rows);
  }

  async findByIdInAccount(id: number, accountId: number, manager: EntityManager = this.db.manager): Promise<TransactionRecord | null> {
    const rows = await manager.query(
      `SELECT t.* FROM transactions t JOIN merchants m ON m.id = t.merchant_id
       WHERE t.id = $1 AND m.account_id = $2`,
      [id, accountId],
    );
    return mapRow(manager, TransactionEntity, rows[0]);
  }

  /**
   * Every transaction of the account an identifier may name, best match first: numeric id, then
   * end-to-end id, then external id (unique per merchant, so it may match once per merchant).
   * Three indexed lookups rather than one OR, which PostgreSQL could only answer by a scan.
   */
  /**
   * The account's transactions an identifier names (numeric id, end-to-end id or external id,
   * SPEC 5.2), only `merchantId`'s when given; none for an identifier of no known shape.
   */
  async findByIdentifier(
    identifier: string,
    accountId: number,
    merchantId?: number,
    manager: EntityManager = this.db.manager,
  ): Promise<Array<TransactionRecord & { matchedBy: 'id' | 'end_to_end_id' | 'external_id' }>> {
    const lookup = transactionLookupFor(identifier);
    if (!lookup) return [];
    const found = await this.findByIdentifierInAccount(lookup, accountId, manager);
    return merchantId === undefined ? found : found.filter((t) => t.merchantId === merchantId);
  }

  private async findByIdentifierInAccount(
    lookup: TransactionLookup,
    accountId: number,
    manager: EntityManager = this.db.manager,
  ): Promise<Array<TransactionRecord & { matchedBy: 'id' | 'end_to_end_id' | 'external_id' }>> {
    const rows: Array<Record<string, unknown>> = await manager.query(
      `SELECT * FROM (
         SELECT t.*, 1 AS match_rank, 'id' AS matched_by FROM transactions t
           JOIN merchants m ON m.id = t.merchant_id
          WHERE t.id = $2::bigint AND m.account_id = $1
         UNION ALL
         SELECT t.*, 2, 'end_to_end_id' FROM transactions t
           JOIN merchants m ON m.id = t.merchant_id
          WHERE t.end_to_end_id = $3::text AND m.account_id = $1
         UNION ALL
         SELECT t.*, 3, 'external_id' FROM transactions t
          WHERE t.external_id = $4::text
            AND t.merchant_id IN (SELECT id FROM merchants WHERE account_id = $1)
       ) matches ORDER BY match_rank LIMIT 5`,
      [accountId, lookup.id ?? null, lookup.endToEndId ?? null, lookup.externalId ?? null],
    );
    const records = mapRows(manager, TransactionEntity, rows);
    return records.map((r, i) => ({ ...r, matchedBy: rows[i]!.matched_by as 'id' | 'end_to_end_id' | 'external_id' }));
  }

  /**
   * A status change, timed and ordered by the database under the row's lock: `sequence` goes up by
   * one and `status_changed_at` never goes backwards, in whole milliseconds (what JSON and the
   * webhook-id carry), so two changes never share a time (it is the database's clock, or a given time
   * later than the stored one; concurrent changes of one transaction get increasing times in
   * commit order). Returns null when nothing changed: no such transaction, the same status without
   * a new time, or a given time not later than the stored one (`stale`).
   */
  async changeStatus(
    id: number,
    statusId: number,
    statusChangedAt: Date | undefined,
    manager: EntityManager = this.db.manager,
  ): Promise<TransactionRecord | null> {
    const [rows] = await manager.query(
      `UPDATE transactions SET status_id = $2, sequence = sequence + 1, updated_at = now(),
              status_changed_at = GREATEST(date_trunc('milliseconds', COALESCE($3::timestamptz, clock_timestamp())),
                                           status_changed_at + interval '1 millisecond')
        WHERE id = $1 AND (status_id <> $2 OR $3::timestamptz IS NOT NULL)
          AND ($3::timestamptz IS NULL OR $3::timestamptz > status_changed_at)
        RETURNING *`,
      [id, statusId, statusChangedAt ? statusChangedAt.toISOString() : null],
    );
    return mapRow(manager, TransactionEntity, rows[0]);
  }
}

/** The key external ids are unique under: one merchant's own ids. */
export function externalKey(merchantId: number, externalId: string): string {
  return `${merchantId}\u0000${externalId}`;
}

/** What a replay selects: one merchant's notifiable transactions in a half-open window. */
export interface ReplayFilter {
  merchantId: number;
  /** null: both kinds. */
  kind: TransactionKind | null;
  windowStart: Date;
  windowEnd: Date;
  /** Notifiable status ids to include. */
  statusIds: number[];
  /** Set for a single-transaction job; the window is then ignored. */
  transactionId?: number | null;
  /** Only transactions whose latest delivery attempt did not succeed. */
  onlyFailed?: boolean;
}

function replayWhere(filter: ReplayFilter): { where: string; params: unknown[] } {
  if (filter.transactionId) {
    return {
      where: 't.id = $1 AND t.merchant_id = $2 AND t.status_id = ANY($3::smallint[])',
      params: [filter.transactionId, filter.merchantId, filter.statusIds],
    };
  }
  const params: unknown[] = [filter.merchantId, filter.windowStart.toISOString(), filter.windowEnd.toISOString(), filter.statusIds];
  // One kind is an equality, so the keyset walk reads transactions_window_idx in order; "= ANY"
  // would make PostgreSQL sort the rest of the window on every page.
  let kindClause = `t.kind IN ('CASHIN', 'CASHOUT')`;
  if (filter.kind) {
    params.push(filter.kind);
    kindClause = `t.kind = $${params.length}`;
  }
  let where = `t.merchant_id = $1 AND ${kindClause} AND t.status_changed_at >= $2 AND t.status_changed_at < $3
    AND t.status_id = ANY($4::smallint[])`;
  if (filter.onlyFailed) {
    where += ` AND NOT EXISTS (
      SELECT 1 FROM (SELECT outcome FROM webhook_logs l
                      -- No attempt precedes the transaction: partitions older than it are not read.
                      WHERE l.transaction_id = t.id AND l.sent_at >= t.created_at - interval '1 day'
                      ORDER BY l.sent_at DESC, l.id DESC LIMIT 1) latest
       WHERE latest.outcome = 'success')`;
  }
  return { where, params };
}
