import { EntitySchema } from 'typeorm';
import type { TransactionKind } from '@wr/domain';

export const RESEND_JOB_STATES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type ResendJobState = (typeof RESEND_JOB_STATES)[number];

/** A bulk replay of one merchant's notifications over a window of at most 3 hours. */
export interface ResendJobRecord {
  id: string;
  accountId: number;
  merchantId: number;
  /** Groups the 3-hour jobs one client request was split into. */
  requestId: string | null;
  kind: TransactionKind | null;
  windowStart: Date;
  windowEnd: Date;
  statusIds: number[] | null;
  onlyFailed: boolean;
  trigger: 'bulk' | 'scheduled';
  state: ResendJobState;
  total: number;
  processed: number;
  succeeded: number;
  failed: number;
  requestedBy: string;
  error: string | null;
  runAt: Date | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export const ResendJobEntity = new EntitySchema<ResendJobRecord>({
  name: 'ResendJob',
  tableName: 'resend_jobs',
  columns: {
    id: { type: 'text', primary: true },
    accountId: { name: 'account_id', type: 'integer' },
    merchantId: { name: 'merchant_id', type: 'integer' },
    requestId: { name: 'request_id', type: 'text', nullable: true },
    kind: { type: 'text', nullable: true },
    windowStart: { name: 'window_start', type: 'timestamptz' },
    windowEnd: { name: 'window_end', type: 'timestamptz' },
    statusIds: { name: 'status_ids', type: 'smallint', array: true, nullable: true },
    onlyFailed: { name: 'only_failed', type: 'boolean' },
    trigger: { type: 'text' },
    state: { type: 'text' },
    total: { type: 'integer' },
    processed: { type: 'integer' },
    succeeded: { type: 'integer' },
    failed: { type: 'integer' },
    requestedBy: { name: 'requested_by', type: 'text' },
    error: { type: 'text', nullable: true },
    runAt: { name: 'run_at', type: 'timestamptz', nullable: true },
    createdAt: { name: 'created_at', type: 'timestamptz', createDate: true },
    startedAt: { name: 'started_at', type: 'timestamptz', nullable: true },
    finishedAt: { name: 'finished_at', type: 'timestamptz', nullable: true },
  },
});
