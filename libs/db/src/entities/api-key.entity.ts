import { EntitySchema } from 'typeorm';

/** An API key is `wrk_<keyId>_<secret>`; only the SHA-256 of the secret part is kept. */
export interface ApiKeyRecord {
  id: string;
  accountId: number;
  secretHash: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export const ApiKeyEntity = new EntitySchema<ApiKeyRecord>({
  name: 'ApiKey',
  tableName: 'api_keys',
  columns: {
    id: { type: 'text', primary: true },
    accountId: { name: 'account_id', type: 'integer' },
    secretHash: { name: 'secret_hash', type: 'text' },
    createdAt: { name: 'created_at', type: 'timestamptz', createDate: true },
    revokedAt: { name: 'revoked_at', type: 'timestamptz', nullable: true },
  },
});
