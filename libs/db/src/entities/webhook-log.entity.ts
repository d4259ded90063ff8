import { EntitySchema } from 'typeorm';
import type { DeliveryOutcome, DeliveryTrigger, UrlSource } from '@wr/domain';
import { bigintAsNumber } from './column-transformers.js';

/** The audit row of one delivery attempt, whatever its outcome. */
export interface WebhookLogRecord {
  id: number;
  accountId: number;
  merchantId: number;
  transactionId: number;
  webhookId: string;
  statusId: number;
  trigger: DeliveryTrigger;
  resendJobId: string | null;
  url: string;
  urlSource: UrlSource;
  attempt: number;
  httpStatus: number | null;
  durationMs: number;
  /** null while the attempt is in flight (the row is written before the request). */
  outcome: DeliveryOutcome | null;
  error: string | null;
  responseBody: string | null;
  sentAt: Date;
  /** The ledger row this attempt belongs to (null for a synchronous resend). */
  deliveryId: number | null;
}

export const WebhookLogEntity = new EntitySchema<WebhookLogRecord>({
  name: 'WebhookLog',
  tableName: 'webhook_logs',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment', transformer: bigintAsNumber },
    accountId: { name: 'account_id', type: 'integer' },
    merchantId: { name: 'merchant_id', type: 'integer' },
    transactionId: { name: 'transaction_id', type: 'bigint', transformer: bigintAsNumber },
    webhookId: { name: 'webhook_id', type: 'text' },
    statusId: { name: 'status_id', type: 'smallint' },
    trigger: { type: 'text' },
    resendJobId: { name: 'resend_job_id', type: 'text', nullable: true },
    url: { type: 'text' },
    urlSource: { name: 'url_source', type: 'text' },
    attempt: { type: 'smallint' },
    httpStatus: { name: 'http_status', type: 'smallint', nullable: true },
    durationMs: { name: 'duration_ms', type: 'integer' },
    outcome: { type: 'text', nullable: true },
    error: { type: 'text', nullable: true },
    responseBody: { name: 'response_body', type: 'text', nullable: true },
    sentAt: { name: 'sent_at', type: 'timestamptz' },
    deliveryId: { name: 'delivery_id', type: 'bigint', nullable: true, transformer: bigintAsNumber },
  },
});
