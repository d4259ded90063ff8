import { EntitySchema } from 'typeorm';
import type { TransactionKind } from '@wr/domain';
import { bigintAsNumber } from './column-transformers.js';

export interface TransactionRecord {
  id: number;
  merchantId: number;
  kind: TransactionKind;
  externalId: string | null;
  endToEndId: string | null;
  statusId: number;
  /** Integer cents. */
  amount: number;
  data: Record<string, unknown>;
  /** When the current status was reached; bulk windows filter on it. */
  statusChangedAt: Date;
  /** 1 for the first status, +1 for each change, taken under the row lock: orders a transaction's webhooks. */
  sequence: number;
  createdAt: Date;
  updatedAt: Date;
}

export const TransactionEntity = new EntitySchema<TransactionRecord>({
  name: 'Transaction',
  tableName: 'transactions',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment', transformer: bigintAsNumber },
    merchantId: { name: 'merchant_id', type: 'integer' },
    kind: { type: 'text' },
    externalId: { name: 'external_id', type: 'text', nullable: true },
    endToEndId: { name: 'end_to_end_id', type: 'text', nullable: true },
    statusId: { name: 'status_id', type: 'smallint' },
    amount: { type: 'bigint', transformer: bigintAsNumber },
    data: { type: 'jsonb' },
    statusChangedAt: { name: 'status_changed_at', type: 'timestamptz' },
    sequence: { type: 'integer' },
    createdAt: { name: 'created_at', type: 'timestamptz', createDate: true },
    updatedAt: { name: 'updated_at', type: 'timestamptz', updateDate: true },
  },
});
