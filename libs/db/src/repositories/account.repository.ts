import type { DataSource, EntityManager } from 'typeorm';
import { AccountEntity, type AccountRecord } from '../entities/index.js';
import { ApiKeyEntity, type ApiKeyRecord } from '../entities/index.js';
import { mapRow } from '../row-mapper.js';

export class AccountRepository {
  constructor(private readonly db: DataSource) {}

  async create(name: string, manager: EntityManager = this.db.manager): Promise<AccountRecord> {
    const rows = await manager.query('INSERT INTO accounts (name) VALUES ($1) RETURNING *', [name]);
    return mapRow(manager, AccountEntity, rows[0])!;
  }

  async addApiKey(
    key: { id: string; accountId: number; secretHash: string },
    manager: EntityManager = this.db.manager,
  ): Promise<void> {
    await manager.query('INSERT INTO api_keys (id, account_id, secret_hash) VALUES ($1, $2, $3)', [
      key.id,
      key.accountId,
      key.secretHash,
    ]);
  }

  async findActiveApiKey(id: string, manager: EntityManager = this.db.manager): Promise<ApiKeyRecord | null> {
    const rows = await manager.query('SELECT * FROM api_keys WHERE id = $1 AND revoked_at IS NULL', [id]);
    return mapRow(manager, ApiKeyEntity, rows[0]);
  }
}
