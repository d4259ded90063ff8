import { EntitySchema } from 'typeorm';
import type { TransactionKind } from '@wr/domain';
import { bigintAsNumber } from './column-transformers.js';

export const RESEND_JOB_STATES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type ResendJobState = (typeof RESEND_JOB_STATES)[number];

/** A bulk replay of one merchant's notifications over a window of at most 3 hours. */
export const RESEND_JOB_SOURCES = ['payin_bulk', 'simpay', 'replay'] as const;
export type ResendJobSource = (typeof RESEND_JOB_SOURCES)[number];

export const FINAL_RESEND_JOB_STATES: readonly ResendJobState[] = ['completed', 'failed', 'cancelled'];

export interface ResendJobRecord {
  id: string;
  /** Which contract created it (payin bulk resend, SimPay resend, operator replay). */
  source: ResendJobSource;
  /** Set for a single-transaction job (SimPay `object_reference_id`). */
  transactionId: number | null;
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
  /** The fan-out has queued every matching transaction; `total` is then exact. */
  fanoutDone: boolean;
  /** Distinct transactions queued so far by the fan-out. */
  dispatched: number;
  /** Keyset position of the fan-out, so a restarted fan-out resumes where it stopped. */
  cursorChangedAt: Date | null;
  cursorTransactionId: number | null;
  /** When the job last moved (a fan-out page, a finished batch): the sweeper resumes a job that stopped. */
  progressedAt: Date | null;
  /** A running fan-out holds the job until then; another may take over once it passes. */
  fanoutLeaseUntil: Date | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export const ResendJobEntity = new EntitySchema<ResendJobRecord>({
  name: 'ResendJob',
  tableName: 'resend_jobs',
  columns: {
    id: { type: 'text', primary: true },
    source: { type: 'text' },
    transactionId: { name: 'transaction_id', type: 'bigint', nullable: true, transformer: bigintAsNumber },
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
    fanoutDone: { name: 'fanout_done', type: 'boolean' },
    dispatched: { type: 'integer' },
    cursorChangedAt: { name: 'cursor_changed_at', type: 'timestamptz', nullable: true },
    cursorTransactionId: { name: 'cursor_transaction_id', type: 'bigint', nullable: true, transformer: bigintAsNumber },
    progressedAt: { name: 'progressed_at', type: 'timestamptz', nullable: true },
    fanoutLeaseUntil: { name: 'fanout_lease_until', type: 'timestamptz', nullable: true },
    createdAt: { name: 'created_at', type: 'timestamptz', createDate: true },
    startedAt: { name: 'started_at', type: 'timestamptz', nullable: true },
    finishedAt: { name: 'finished_at', type: 'timestamptz', nullable: true },
  },
});
