import { EntitySchema } from 'typeorm';

export interface MerchantRecord {
  id: number;
  accountId: number;
  name: string;
  branchIdentifier: string | null;
  accountNumber: string | null;
  webhookUrl: string | null;
  /** Needed in clear to sign webhooks (HMAC), so it cannot be hashed; never logged or queued. */
  webhookSecret: string;
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
    createdAt: { name: 'created_at', type: 'timestamptz', createDate: true },
    updatedAt: { name: 'updated_at', type: 'timestamptz', updateDate: true },
  },
});
