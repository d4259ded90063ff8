import { EntitySchema } from 'typeorm';
import type { DeliveryTrigger } from '@wr/domain';
import { bigintAsNumber } from './column-transformers.js';

/** pending until final; superseded = a newer status of the transaction was delivered first. */
export const DELIVERY_STATES = ['pending', 'succeeded', 'failed', 'blocked', 'superseded', 'cancelled'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/**
 * One delivery owed (the ledger, SPEC 2): written with the change that causes it, final once it
 * succeeded, spent its attempts, was blocked, superseded or cancelled. Queue jobs only wake
 * workers up for it; `next_attempt_at` says when it is due (or, while an attempt runs, when that
 * attempt's lease ends).
 */
export interface DeliveryRecord {
  id: number;
  transactionId: number;
  merchantId: number;
  statusId: number;
  statusChangedAt: Date;
  sequence: number;
  trigger: DeliveryTrigger;
  resendJobId: string | null;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: Date;
  createdAt: Date;
  finishedAt: Date | null;
  /** Set while the delivery waits for its endpoint to recover (no attempt spent, no wake-up queued). */
  heldSince: Date | null;
  /** How often it was released from a hold: each release has a wake-up id of its own. */
  releases: number;
  /** The endpoint incident it waited through, or that a `recovery` delivery replays. */
  incidentId: number | null;
}

export const DeliveryEntity = new EntitySchema<DeliveryRecord>({
  name: 'Delivery',
  tableName: 'deliveries',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment', transformer: bigintAsNumber },
    transactionId: { name: 'transaction_id', type: 'bigint', transformer: bigintAsNumber },
    merchantId: { name: 'merchant_id', type: 'integer' },
    statusId: { name: 'status_id', type: 'smallint' },
    statusChangedAt: { name: 'status_changed_at', type: 'timestamptz' },
    sequence: { type: 'integer' },
    trigger: { type: 'text' },
    resendJobId: { name: 'resend_job_id', type: 'text', nullable: true },
    state: { type: 'text' },
    attempts: { type: 'smallint' },
    nextAttemptAt: { name: 'next_attempt_at', type: 'timestamptz' },
    createdAt: { name: 'created_at', type: 'timestamptz', createDate: true },
    finishedAt: { name: 'finished_at', type: 'timestamptz', nullable: true },
    heldSince: { name: 'held_since', type: 'timestamptz', nullable: true },
    releases: { type: 'integer' },
    incidentId: { name: 'incident_id', type: 'bigint', nullable: true, transformer: bigintAsNumber },
  },
});
