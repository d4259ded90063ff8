import type { DataSource, EntityManager } from 'typeorm';
import { AccountEntity, type AccountRecord } from '../entities/index.js';
import { ApiKeyEntity, type ApiKeyRecord } from '../entities/index.js';
import { mapRow, mapRows } from '../row-mapper.js';

/**
 * One keyset page, newest first: rows with an id below `beforeId` (the first page: no bound), at
 * most `limit`. In SQL the bound is `id < COALESCE($n::bigint, <max bigint>)`, one statement either way.
 */
export interface IdPage {
  beforeId?: number;
  limit: number;
}

export class AccountRepository {
  constructor(private readonly db: DataSource) {}

  async create(name: string, manager: EntityManager = this.db.manager): Promise<AccountRecord> {
    const rows = await manager.query('INSERT INTO accounts (name) VALUES ($1) RETURNING *', [name]);
    return mapRow(manager, AccountEntity, rows[0])!;
  }

  async findById(id: number, manager: EntityManager = this.db.manager): Promise<AccountRecord | null> {
    const rows = await manager.query('SELECT * FROM accounts WHERE id = $1', [id]);
    return mapRow(manager, AccountEntity, rows[0]);
  }

  /** Newest first, by id (the primary key walks it backwards). */
  async list(page: IdPage, manager: EntityManager = this.db.manager): Promise<AccountRecord[]> {
    const rows = await manager.query('SELECT * FROM accounts WHERE id < COALESCE($1::bigint, 9223372036854775807) ORDER BY id DESC LIMIT $2', [
      page.beforeId ?? null,
      page.limit,
    ]);
    return mapRows(manager, AccountEntity, rows);
  }

  /** Fails with a foreign key violation when the account does not exist. */
  async addApiKey(
    key: { id: string; accountId: number; secretHash: string },
    manager: EntityManager = this.db.manager,
  ): Promise<ApiKeyRecord> {
    const rows = await manager.query('INSERT INTO api_keys (id, account_id, secret_hash) VALUES ($1, $2, $3) RETURNING *', [
      key.id,
      key.accountId,
      key.secretHash,
    ]);
    return mapRow(manager, ApiKeyEntity, rows[0])!;
  }

  async findActiveApiKey(id: string, manager: EntityManager = this.db.manager): Promise<ApiKeyRecord | null> {
    const rows = await manager.query('SELECT * FROM api_keys WHERE id = $1 AND revoked_at IS NULL', [id]);
    return mapRow(manager, ApiKeyEntity, rows[0]);
  }

  /** Every key of the account, revoked ones included, newest first. */
  async listApiKeys(accountId: number, manager: EntityManager = this.db.manager): Promise<ApiKeyRecord[]> {
    const rows = await manager.query('SELECT * FROM api_keys WHERE account_id = $1 ORDER BY created_at DESC, id', [accountId]);
    return mapRows(manager, ApiKeyEntity, rows);
  }

  /**
   * Revokes a key; revoking it again keeps the first revocation time. Null when there is no such
   * key. Every client request reads the key's row, so a revoked key stops working at once.
   */
  async revokeApiKey(id: string, manager: EntityManager = this.db.manager): Promise<ApiKeyRecord | null> {
    // TypeORM answers UPDATE ... RETURNING with [rows, rowCount].
    const [rows] = await manager.query('UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING *', [id]);
    return mapRow(manager, ApiKeyEntity, rows[0]);
  }
}
