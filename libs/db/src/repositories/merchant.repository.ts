import type { DataSource, EntityManager } from 'typeorm';
import { MerchantEntity, type MerchantRecord } from '../entities/index.js';
import { mapRow, mapRows } from '../row-mapper.js';

export interface NewMerchant {
  id?: number;
  accountId: number;
  name: string;
  branchIdentifier: string | null;
  accountNumber: string | null;
  webhookUrl: string | null;
  webhookSecret: string;
  maxConcurrency?: number | null;
  maxPerSecond?: number | null;
}

export interface MerchantPatch {
  name?: string;
  webhookUrl?: string | null;
  maxConcurrency?: number | null;
  maxPerSecond?: number | null;
}

export class MerchantRepository {
  constructor(private readonly db: DataSource) {}

  async create(input: NewMerchant, manager: EntityManager = this.db.manager): Promise<MerchantRecord> {
    const rows = await manager.query(
      `INSERT INTO merchants (id, account_id, name, branch_identifier, account_number, webhook_url, webhook_secret,
                              max_concurrency, max_per_second)
       VALUES (COALESCE($1::integer, nextval(pg_get_serial_sequence('merchants', 'id'))), $2, $3, $4, $5, $6, $7, $8, $9)
       RETURNING *`,
      [
        input.id ?? null,
        input.accountId,
        input.name,
        input.branchIdentifier,
        input.accountNumber,
        input.webhookUrl,
        input.webhookSecret,
        input.maxConcurrency ?? null,
        input.maxPerSecond ?? null,
      ],
    );
    // An explicit id (imported from the platform's core) must never be handed out again later.
    if (input.id !== undefined) await bumpIdentity(manager, 'merchants', input.id);
    return mapRow(manager, MerchantEntity, rows[0])!;
  }

  async update(id: number, patch: MerchantPatch, manager: EntityManager = this.db.manager): Promise<MerchantRecord | null> {
    // TypeORM answers UPDATE ... RETURNING with [rows, rowCount].
    const [rows] = await manager.query(
      `UPDATE merchants SET
         name = CASE WHEN $2::boolean THEN $3 ELSE name END,
         webhook_url = CASE WHEN $4::boolean THEN $5 ELSE webhook_url END,
         max_concurrency = CASE WHEN $6::boolean THEN $7::integer ELSE max_concurrency END,
         max_per_second = CASE WHEN $8::boolean THEN $9::integer ELSE max_per_second END,
         updated_at = now()
       WHERE id = $1 RETURNING *`,
      [
        id,
        patch.name !== undefined,
        patch.name ?? null,
        patch.webhookUrl !== undefined,
        patch.webhookUrl ?? null,
        patch.maxConcurrency !== undefined,
        patch.maxConcurrency ?? null,
        patch.maxPerSecond !== undefined,
        patch.maxPerSecond ?? null,
      ],
    );
    return mapRow(manager, MerchantEntity, rows[0]);
  }

  async findById(id: number, manager: EntityManager = this.db.manager): Promise<MerchantRecord | null> {
    const rows = await manager.query('SELECT * FROM merchants WHERE id = $1', [id]);
    return mapRow(manager, MerchantEntity, rows[0]);
  }

  /** A merchant as seen by one account: another account's merchant is simply not found. */
  async findInAccount(id: number, accountId: number, manager: EntityManager = this.db.manager): Promise<MerchantRecord | null> {
    const rows = await manager.query('SELECT * FROM merchants WHERE id = $1 AND account_id = $2', [id, accountId]);
    return mapRow(manager, MerchantEntity, rows[0]);
  }

  /** The merchant holding a bank account, if it belongs to this account. */
  async findByBankAccountInAccount(
    branchIdentifier: string,
    accountNumber: string,
    accountId: number,
    manager: EntityManager = this.db.manager,
  ): Promise<MerchantRecord | null> {
    const rows = await manager.query(
      'SELECT * FROM merchants WHERE branch_identifier = $1 AND account_number = $2 AND account_id = $3',
      [branchIdentifier, accountNumber, accountId],
    );
    return mapRow(manager, MerchantEntity, rows[0]);
  }

  async findManyByIds(ids: number[], manager: EntityManager = this.db.manager): Promise<MerchantRecord[]> {
    if (ids.length === 0) return [];
    const rows = await manager.query('SELECT * FROM merchants WHERE id = ANY($1::integer[])', [ids]);
    return mapRows(manager, MerchantEntity, rows);
  }
}

/** Moves an identity sequence past an explicitly inserted id. */
export async function bumpIdentity(manager: EntityManager, table: 'merchants' | 'transactions', maxId: number): Promise<void> {
  await manager.query(
    `SELECT setval(pg_get_serial_sequence($1, 'id'),
       GREATEST($2::bigint, (SELECT last_value FROM ${table}_id_seq)))`,
    [table, maxId],
  );
}
