import type { DataSource, EntityManager } from 'typeorm';
import { MerchantEntity, type MerchantRecord } from '../entities/index.js';
import { mapRow } from '../row-mapper.js';
import { SEALED_PREFIX, type SecretBox } from '../secret-box.js';
import type { IdPage } from './account.repository.js';

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
  /** Both parts of the bank account at once (they are unique together), or null for none. */
  bankAccount?: { branchIdentifier: string; accountNumber: string } | null;
}

type Row = Record<string, unknown>;

// Rows sealed per statement by `sealLegacySecrets`: small enough to keep each UPDATE short.
const SEAL_BATCH = 500;

/** Merchants, with their webhook secrets sealed in the table and in clear in the records. */
export class MerchantRepository {
  constructor(
    private readonly db: DataSource,
    private readonly secrets: SecretBox,
  ) {}

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
        this.secrets.seal(input.webhookSecret),
        input.maxConcurrency ?? null,
        input.maxPerSecond ?? null,
      ],
    );
    // An explicit id (imported from the platform's core) must never be handed out again later.
    if (input.id !== undefined) await bumpIdentity(manager, 'merchants', input.id);
    return this.toRecord(manager, rows[0])!;
  }

  async update(id: number, patch: MerchantPatch, manager: EntityManager = this.db.manager): Promise<MerchantRecord | null> {
    // TypeORM answers UPDATE ... RETURNING with [rows, rowCount].
    const [rows] = await manager.query(
      `UPDATE merchants SET
         name = CASE WHEN $2::boolean THEN $3 ELSE name END,
         webhook_url = CASE WHEN $4::boolean THEN $5 ELSE webhook_url END,
         max_concurrency = CASE WHEN $6::boolean THEN $7::integer ELSE max_concurrency END,
         max_per_second = CASE WHEN $8::boolean THEN $9::integer ELSE max_per_second END,
         branch_identifier = CASE WHEN $10::boolean THEN $11 ELSE branch_identifier END,
         account_number = CASE WHEN $10::boolean THEN $12 ELSE account_number END,
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
        patch.bankAccount !== undefined,
        patch.bankAccount?.branchIdentifier ?? null,
        patch.bankAccount?.accountNumber ?? null,
      ],
    );
    return this.toRecord(manager, rows[0]);
  }

  async findById(id: number, manager: EntityManager = this.db.manager): Promise<MerchantRecord | null> {
    const rows = await manager.query('SELECT * FROM merchants WHERE id = $1', [id]);
    return this.toRecord(manager, rows[0]);
  }

  /** Newest first, by id; one account's only when `accountId` is given (merchants_account_idx). */
  async list(filter: { accountId?: number }, page: IdPage, manager: EntityManager = this.db.manager): Promise<MerchantRecord[]> {
    const rows = await manager.query(
      `SELECT * FROM merchants
        WHERE ($1::integer IS NULL OR account_id = $1) AND id < COALESCE($2::bigint, 9223372036854775807)
        ORDER BY id DESC LIMIT $3`,
      [filter.accountId ?? null, page.beforeId ?? null, page.limit],
    );
    return rows.map((row: Row) => this.toRecord(manager, row)!);
  }

  /** A merchant as seen by one account: another account's merchant is simply not found. */
  async findInAccount(id: number, accountId: number, manager: EntityManager = this.db.manager): Promise<MerchantRecord | null> {
    const rows = await manager.query('SELECT * FROM merchants WHERE id = $1 AND account_id = $2', [id, accountId]);
    return this.toRecord(manager, rows[0]);
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
    return this.toRecord(manager, rows[0]);
  }

  async findManyByIds(ids: number[], manager: EntityManager = this.db.manager): Promise<MerchantRecord[]> {
    if (ids.length === 0) return [];
    const rows = await manager.query('SELECT * FROM merchants WHERE id = ANY($1::integer[])', [ids]);
    return rows.map((row: Row) => this.toRecord(manager, row)!);
  }

  /**
   * Makes `secret` the merchant's webhook secret in one statement. With an overlap, the secret it
   * replaces becomes the previous one until now() + overlap (a previous one still in its overlap is
   * dropped); without, the old secret stops at once. Null when the account has no such merchant.
   */
  async rotateWebhookSecret(
    id: number,
    accountId: number,
    secret: string,
    overlapSeconds: number,
    manager: EntityManager = this.db.manager,
  ): Promise<MerchantRecord | null> {
    // On the right of SET, columns are the row's values before this UPDATE.
    const [rows] = await manager.query(
      `UPDATE merchants SET
         previous_webhook_secret = CASE WHEN $4::integer > 0 THEN webhook_secret END,
         previous_secret_expires_at = CASE WHEN $4::integer > 0 THEN now() + make_interval(secs => $4::integer) END,
         webhook_secret = $3,
         updated_at = now()
       WHERE id = $1 AND account_id = $2 RETURNING *`,
      [id, accountId, this.secrets.seal(secret), overlapSeconds],
    );
    return this.toRecord(manager, rows[0]);
  }

  /**
   * Forgets secrets a rotation replaced once their overlap has ended (they no longer sign
   * anything), a bounded batch at a time; returns how many merchants it cleared.
   */
  async forgetExpiredSecrets(limit = 500, manager: EntityManager = this.db.manager): Promise<number> {
    const [, count] = await manager.query(
      `UPDATE merchants SET previous_webhook_secret = NULL, previous_secret_expires_at = NULL
        WHERE id IN (SELECT id FROM merchants WHERE previous_secret_expires_at <= now() LIMIT $1)
          AND previous_secret_expires_at <= now()`,
      [limit],
    );
    return count;
  }

  /**
   * Seals secrets stored in clear (rows from before encryption at rest), in batches by id, and
   * returns how many rows it sealed. Idempotent and safe with several processes at once: a row is
   * rewritten only if it still holds the clear values read. First opens one sealed secret, so a
   * changed SECRETS_KEY fails here (SecretBoxError), before anything is sealed under it.
   */
  async sealLegacySecrets(manager: EntityManager = this.db.manager): Promise<number> {
    const [probe] = await manager.query('SELECT webhook_secret FROM merchants WHERE webhook_secret LIKE $1 LIMIT 1', [`${SEALED_PREFIX}%`]);
    if (probe) this.secrets.open(probe.webhook_secret);
    let sealed = 0;
    let afterId = 0;
    for (;;) {
      const rows: Array<{ id: number; webhook_secret: string; previous_webhook_secret: string | null }> = await manager.query(
        `SELECT id, webhook_secret, previous_webhook_secret FROM merchants
          WHERE id > $1 AND (webhook_secret NOT LIKE $2 OR previous_webhook_secret NOT LIKE $2)
          ORDER BY id LIMIT $3`,
        [afterId, `${SEALED_PREFIX}%`, SEAL_BATCH],
      );
      if (rows.length === 0) return sealed;
      afterId = rows[rows.length - 1]!.id;
      const sealIfClear = (v: string | null) => (v === null || v.startsWith(SEALED_PREFIX) ? v : this.secrets.seal(v));
      const [, count] = await manager.query(
        `UPDATE merchants m SET webhook_secret = u.sealed, previous_webhook_secret = u.previous_sealed
           FROM unnest($1::integer[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u(id, clear, previous_clear, sealed, previous_sealed)
          WHERE m.id = u.id AND m.webhook_secret = u.clear AND m.previous_webhook_secret IS NOT DISTINCT FROM u.previous_clear`,
        [
          rows.map((r) => r.id),
          rows.map((r) => r.webhook_secret),
          rows.map((r) => r.previous_webhook_secret),
          rows.map((r) => sealIfClear(r.webhook_secret)),
          rows.map((r) => sealIfClear(r.previous_webhook_secret)),
        ],
      );
      sealed += Number(count);
    }
  }

  /** The record callers see: secrets opened. */
  private toRecord(manager: EntityManager, row: Row | undefined): MerchantRecord | null {
    const record = mapRow(manager, MerchantEntity, row);
    if (!record) return null;
    record.webhookSecret = this.secrets.open(record.webhookSecret);
    if (record.previousWebhookSecret) record.previousWebhookSecret = this.secrets.open(record.previousWebhookSecret);
    return record;
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
