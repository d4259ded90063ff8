import {
  buildWebhookBody,
  webhookIdFor,
  type DeliveryOutcome,
  type DeliveryTrigger,
  type UrlSource,
} from '@wr/domain';
import type { MerchantRecord, NewWebhookLog, TransactionRecord, WebhookLogRecord, WebhookLogRepository } from '@wr/db';
import type { Logger } from '@wr/logger';
import type { ServiceMetrics } from '@wr/metrics';
import type { HttpAttempt, WebhookHttpClient } from './webhook-http-client.js';
import { signWebhook } from './webhook-signer.js';

export interface DeliveryRequest {
  transaction: TransactionRecord;
  merchant: MerchantRecord;
  /** The status being notified; defaults to the transaction's current one. */
  event?: { statusId: number; statusChangedAt: Date };
  trigger: DeliveryTrigger;
  attempt: number;
  resendJobId?: string | null;
  /** A one-off destination (SPEC 5.2): used for this attempt only, never stored on the merchant. */
  overrideUrl?: string;
}

export class NoWebhookUrlError extends Error {
  constructor() {
    super('No webhook configured and no override URL provided');
  }
}

/**
 * The one place a webhook is POSTed: builds and signs the body, sends it once, and writes the
 * attempt's audit row whatever the outcome. Retrying is the caller's business (BullMQ).
 */
export class WebhookDeliverer {
  constructor(
    private readonly deps: {
      http: WebhookHttpClient;
      webhookLogs: WebhookLogRepository;
      logger: Logger;
      metrics?: Pick<ServiceMetrics, 'deliveries' | 'deliveryDuration'>;
    },
  ) {}

  /** Sends one attempt and writes its audit row. */
  async deliver(request: DeliveryRequest): Promise<WebhookLogRecord> {
    const log = await this.deps.webhookLogs.insert(await this.send(request));
    this.logAttempt(log);
    return log;
  }

  /**
   * Sends one attempt and returns its audit row unsaved, for callers that write many rows at once
   * (a bulk batch). Every row returned must be written.
   */
  async send(request: DeliveryRequest): Promise<NewWebhookLog> {
    const { transaction, merchant } = request;
    const url = request.overrideUrl ?? merchant.webhookUrl;
    if (!url) throw new NoWebhookUrlError();
    const urlSource: UrlSource = request.overrideUrl ? 'override' : 'configured';
    const event = request.event ?? { statusId: transaction.statusId, statusChangedAt: transaction.statusChangedAt };

    const webhookId = webhookIdFor({ transactionId: transaction.id, ...event });
    const body = JSON.stringify(
      buildWebhookBody({
        transactionId: transaction.id,
        merchantId: transaction.merchantId,
        kind: transaction.kind,
        externalId: transaction.externalId,
        endToEndId: transaction.endToEndId,
        amount: transaction.amount,
        data: transaction.data,
        ...event,
      }),
    );
    const sentAt = new Date();
    const headers = { 'content-type': 'application/json', ...signWebhook(merchant.webhookSecret, webhookId, sentAt, body) };

    const attempt = await this.deps.http.post(url, body, headers);
    const { outcome, error } = classify(attempt);
    const labels = { trigger: request.trigger, outcome };
    this.deps.metrics?.deliveries.inc(labels);
    this.deps.metrics?.deliveryDuration.observe(labels, attempt.durationMs / 1000);
    return {
      accountId: merchant.accountId,
      merchantId: merchant.id,
      transactionId: transaction.id,
      webhookId,
      statusId: event.statusId,
      trigger: request.trigger,
      resendJobId: request.resendJobId ?? null,
      url,
      urlSource,
      attempt: request.attempt,
      httpStatus: attempt.kind === 'response' ? attempt.status : null,
      durationMs: attempt.durationMs,
      outcome,
      error,
      responseBody: attempt.kind === 'response' ? sanitizeForText(attempt.bodyExcerpt) : null,
      sentAt,
    };
  }

  private logAttempt(log: WebhookLogRecord): void {
    this.deps.logger.info('webhook attempt', {
      webhookLogId: log.id,
      transactionId: log.transactionId,
      merchantId: log.merchantId,
      trigger: log.trigger,
      attempt: log.attempt,
      outcome: log.outcome,
      httpStatus: log.httpStatus,
      durationMs: log.durationMs,
    });
  }
}

function classify(attempt: HttpAttempt): { outcome: DeliveryOutcome; error: string | null } {
  if (attempt.kind !== 'response') return { outcome: attempt.kind, error: attempt.error };
  if (attempt.status >= 200 && attempt.status < 300) return { outcome: 'success', error: null };
  return { outcome: 'http_error', error: `HTTP ${attempt.status}` };
}

/** PostgreSQL text cannot hold NUL bytes, which a hostile receiver may send. */
function sanitizeForText(value: string): string {
  return value.replace(/\u0000/g, '');
}
