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

  /**
   * The audit row of an attempt outside the ledger (a synchronous resend), written open before
   * its request; `open_attempts` names it in flight until `complete`, so the sweeper closes it as
   * abandoned if this process dies meanwhile.
   */
  async insert(log: NewWebhookLog, manager: EntityManager = this.db.manager): Promise<WebhookLogRecord> {
    const values = rowValues(log);
    const placeholders = COLUMNS.map((_, i) => `$${i + 1}`).join(', ');
    const rows = await manager.query(
      `WITH log AS (INSERT INTO webhook_logs (${COLUMNS.join(', ')}) VALUES (${placeholders}) RETURNING *),
            open AS (INSERT INTO open_attempts (webhook_log_id, sent_at) SELECT id, sent_at FROM log WHERE outcome IS NULL)
       SELECT * FROM log`,
      values,
    );
    return mapRow(manager, WebhookLogEntity, rows[0])!;
  }

  /** Completes an attempt's audit row, written before its request (found by its partition key too). */
  async complete(
    log: Pick<WebhookLogRecord, 'id' | 'sentAt'>,
    result: Pick<WebhookLogRecord, 'outcome' | 'httpStatus' | 'durationMs' | 'error' | 'responseBody'>,
    manager: EntityManager = this.db.manager,
  ): Promise<void> {
    await manager.query(
      `WITH closed AS (DELETE FROM open_attempts WHERE webhook_log_id = $1)
       UPDATE webhook_logs SET outcome = $3, http_status = $4, duration_ms = $5, error = $6, response_body = $7
        WHERE id = $1 AND sent_at = $2 AND (outcome IS NULL OR error LIKE 'attempt abandoned:%')`,
      [log.id, log.sentAt.toISOString(), result.outcome, result.httpStatus, result.durationMs, result.error, result.responseBody],
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
    const { sql, params } = auditPageQuery(accountId, filters, page);
    return mapRows(manager, WebhookLogEntity, await manager.query(sql, params));
  }
}

/**
 * The SQL of one page of the audit trail (exported so a test can EXPLAIN the very statement).
 * Newest first by (sent_at, id), the partition key first: the newest partitions are read in
 * order and the scan stops at the page's end; a time filter, and the cursor row's `sent_at`,
 * leave the partitions outside the range unread (pruned).
 */
export function auditPageQuery(
  accountId: number,
  filters: WebhookLogFilters,
  page: { beforeId?: number; limit: number },
): { sql: string; params: unknown[] } {
  const where = ['account_id = $1'];
  const params: unknown[] = [accountId];
  const add = (clause: string, value: unknown) => {
    params.push(value);
    where.push(clause.replaceAll('?', `$${params.length}`));
  };
  if (filters.transactionId !== undefined) add('transaction_id = ?', filters.transactionId);
  if (filters.merchantId !== undefined) add('merchant_id = ?', filters.merchantId);
  if (filters.trigger !== undefined) add('trigger = ?', filters.trigger);
  if (filters.outcome !== undefined) add('outcome = ?', filters.outcome);
  if (filters.resendJobId !== undefined) add('resend_job_id = ?', filters.resendJobId);
  if (filters.sentFrom !== undefined) add('sent_at >= ?', filters.sentFrom.toISOString());
  if (filters.sentTo !== undefined) add('sent_at < ?', filters.sentTo.toISOString());
  if (page.beforeId !== undefined) {
    // The cursor names the last row served; its sent_at (one lookup) bounds the next page.
    add(
      `sent_at <= (SELECT c.sent_at FROM webhook_logs c WHERE c.id = ? AND c.account_id = $1)
       AND (sent_at, id) < (SELECT c.sent_at, c.id FROM webhook_logs c WHERE c.id = ? AND c.account_id = $1)`,
      page.beforeId,
    );
  }
  params.push(page.limit);
  return {
    sql: `SELECT * FROM webhook_logs WHERE ${where.join(' AND ')} ORDER BY sent_at DESC, id DESC LIMIT $${params.length}`,
    params,
  };
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
