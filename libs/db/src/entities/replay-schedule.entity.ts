import { EntitySchema } from 'typeorm';
import type { TransactionKind } from '@wr/domain';

/**
 * A recurring replay. Kept in PostgreSQL (Redis only holds its BullMQ job scheduler, rebuilt from
 * here); `coveredUntil` is the high-water mark: each firing replays from it to the firing's time,
 * so a skipped or late firing leaves no gap.
 */
export interface ReplayScheduleRecord {
  id: string;
  accountId: number;
  merchantId: number;
  everySeconds: number;
  lookbackSeconds: number;
  onlyFailed: boolean;
  kind: TransactionKind | null;
  coveredUntil: Date | null;
  createdAt: Date;
  deletedAt: Date | null;
}

export const ReplayScheduleEntity = new EntitySchema<ReplayScheduleRecord>({
  name: 'ReplaySchedule',
  tableName: 'replay_schedules',
  columns: {
    id: { type: 'text', primary: true },
    accountId: { name: 'account_id', type: 'integer' },
    merchantId: { name: 'merchant_id', type: 'integer' },
    everySeconds: { name: 'every_seconds', type: 'integer' },
    lookbackSeconds: { name: 'lookback_seconds', type: 'integer' },
    onlyFailed: { name: 'only_failed', type: 'boolean' },
    kind: { type: 'text', nullable: true },
    coveredUntil: { name: 'covered_until', type: 'timestamptz', nullable: true },
    createdAt: { name: 'created_at', type: 'timestamptz', createDate: true },
    deletedAt: { name: 'deleted_at', type: 'timestamptz', nullable: true },
  },
});
