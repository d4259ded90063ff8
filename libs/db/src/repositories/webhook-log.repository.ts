import type { DataSource, EntityManager } from 'typeorm';
import type { DeliveryOutcome, DeliveryTrigger } from '@wr/domain';
import { WebhookLogEntity, type WebhookLogRecord } from '../entities/index.js';
import { mapRow, mapRows } from '../row-mapper.js';

export type NewWebhookLog = Omit<WebhookLogRecord, 'id'>;

export interface WebhookLogFilters {
  transactionId?: number;
  merchantId?: number;
  trigger?: DeliveryTrigger;
  outcome?: DeliveryOutcome;
  resendJobId?: string;
  sentFrom?: Date;
  sentTo?: Date;
}

const COLUMNS = [
  'account_id',
  'merchant_id',
  'transaction_id',
  'webhook_id',
  'status_id',
  'trigger',
  'resend_job_id',
  'url',
  'url_source',
  'attempt',
  'http_status',
  'duration_ms',
  'outcome',
  'error',
  'response_body',
  'sent_at',
  'delivery_id',
] as const;

export class WebhookLogRepository {
  constructor(private readonly db: DataSource) {}

  async insert(log: NewWebhookLog, manager: EntityManager = this.db.manager): Promise<WebhookLogRecord> {
    const values = rowValues(log);
    const placeholders = COLUMNS.map((_, i) => `$${i + 1}`).join(', ');
    const rows = await manager.query(
      `INSERT INTO webhook_logs (${COLUMNS.join(', ')}) VALUES (${placeholders}) RETURNING *`,
      values,
    );
    return mapRow(manager, WebhookLogEntity, rows[0])!;
  }

  /** Completes an attempt's audit row, written before its request. */
  async complete(
    id: number,
    result: Pick<WebhookLogRecord, 'outcome' | 'httpStatus' | 'durationMs' | 'error' | 'responseBody'>,
    manager: EntityManager = this.db.manager,
  ): Promise<void> {
    await manager.query(
      `UPDATE webhook_logs SET outcome = $2, http_status = $3, duration_ms = $4, error = $5, response_body = $6
        WHERE id = $1 AND outcome IS NULL`,
      [id, result.outcome, result.httpStatus, result.durationMs, result.error, result.responseBody],
    );
  }

  async findInAccount(id: number, accountId: number, manager: EntityManager = this.db.manager): Promise<WebhookLogRecord | null> {
    const rows = await manager.query('SELECT * FROM webhook_logs WHERE id = $1 AND account_id = $2', [id, accountId]);
    return mapRow(manager, WebhookLogEntity, rows[0]);
  }

  /** One page of an account's audit trail, newest first; `beforeId` is the keyset cursor. */
  async listInAccount(
    accountId: number,
    filters: WebhookLogFilters,
    page: { beforeId?: number; limit: number },
    manager: EntityManager = this.db.manager,
  ): Promise<WebhookLogRecord[]> {
    const where = ['account_id = $1'];
    const params: unknown[] = [accountId];
    const add = (clause: string, value: unknown) => {
      params.push(value);
      where.push(clause.replace('?', `$${params.length}`));
    };
    if (filters.transactionId !== undefined) add('transaction_id = ?', filters.transactionId);
    if (filters.merchantId !== undefined) add('merchant_id = ?', filters.merchantId);
    if (filters.trigger !== undefined) add('trigger = ?', filters.trigger);
    if (filters.outcome !== undefined) add('outcome = ?', filters.outcome);
    if (filters.resendJobId !== undefined) add('resend_job_id = ?', filters.resendJobId);
    if (filters.sentFrom !== undefined) add('sent_at >= ?', filters.sentFrom.toISOString());
    if (filters.sentTo !== undefined) add('sent_at < ?', filters.sentTo.toISOString());
    if (page.beforeId !== undefined) add('id < ?', page.beforeId);
    params.push(page.limit);
    const rows = await manager.query(
      `SELECT * FROM webhook_logs WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    return mapRows(manager, WebhookLogEntity, rows);
  }
}

function rowValues(log: NewWebhookLog): unknown[] {
  return [
    log.accountId,
    log.merchantId,
    log.transactionId,
    log.webhookId,
    log.statusId,
    log.trigger,
    log.resendJobId,
    log.url,
    log.urlSource,
    log.attempt,
    log.httpStatus,
    log.durationMs,
    log.outcome,
    log.error,
    log.responseBody,
    log.sentAt.toISOString(),
    log.deliveryId,
  ];
}
