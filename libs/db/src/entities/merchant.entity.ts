import { EntitySchema } from 'typeorm';

export interface MerchantRecord {
  id: number;
  accountId: number;
  name: string;
  branchIdentifier: string | null;
  accountNumber: string | null;
  webhookUrl: string | null;
  /**
   * Needed in clear to sign webhooks (HMAC), so it cannot be hashed: stored sealed (SecretBox), in
   * clear only in this record. Never logged or queued.
   */
  webhookSecret: string;
  /** The secret the last rotation replaced, still signing (second signature) until its expiry. */
  previousWebhookSecret: string | null;
  previousSecretExpiresAt: Date | null;
  /** Deliveries in flight to this merchant at once, across all workers; null = MERCHANT_MAX_CONCURRENCY. */
  maxConcurrency: number | null;
  /** Deliveries per second to this merchant, across all workers; null = no rate cap. */
  maxPerSecond: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export const MerchantEntity = new EntitySchema<MerchantRecord>({
  name: 'Merchant',
  tableName: 'merchants',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    accountId: { name: 'account_id', type: 'integer' },
    name: { type: 'text' },
    branchIdentifier: { name: 'branch_identifier', type: 'text', nullable: true },
    accountNumber: { name: 'account_number', type: 'text', nullable: true },
    webhookUrl: { name: 'webhook_url', type: 'text', nullable: true },
    webhookSecret: { name: 'webhook_secret', type: 'text' },
    previousWebhookSecret: { name: 'previous_webhook_secret', type: 'text', nullable: true },
    previousSecretExpiresAt: { name: 'previous_secret_expires_at', type: 'timestamptz', nullable: true },
    maxConcurrency: { name: 'max_concurrency', type: 'integer', nullable: true },
    maxPerSecond: { name: 'max_per_second', type: 'integer', nullable: true },
    createdAt: { name: 'created_at', type: 'timestamptz', createDate: true },
    updatedAt: { name: 'updated_at', type: 'timestamptz', updateDate: true },
  },
});
