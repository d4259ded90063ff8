import {
  webhookBodyOf,
  webhookIdFor,
  type DeliveryOutcome,
  type DeliveryTrigger,
  type UrlSource,
} from '@wr/domain';
import type { MerchantRecord, TransactionRecord, WebhookLogRecord, WebhookLogRepository } from '@wr/db';
import type { Logger } from '@wr/logger';
import type { ServiceMetrics } from '@wr/metrics';
import type { HttpAttempt, WebhookHttpClient } from './webhook-http-client.js';
import { retryAfterMs } from './retry-after.js';
import { signingSecrets, signWebhook } from './webhook-signer.js';

export interface DeliveryRequest {
  transaction: TransactionRecord;
  merchant: MerchantRecord;
  /** The status being notified; defaults to the transaction's current one. */
  event?: { statusId: number; statusChangedAt: Date; sequence: number };
  /** A one-off destination (SPEC 5.2): used for this attempt only, never stored on the merchant. */
  overrideUrl?: string;
}

/** A webhook ready to send: signed, with what its audit row records. */
export interface PreparedWebhook {
  url: string;
  urlSource: UrlSource;
  webhookId: string;
  statusId: number;
  transactionId: number;
  body: string;
  headers: Record<string, string>;
  sentAt: Date;
}

/** How one attempt ended, as its audit row records it. */
export interface AttemptOutcome {
  outcome: DeliveryOutcome;
  httpStatus: number | null;
  durationMs: number;
  error: string | null;
  responseBody: string | null;
  /** A 429 or 503 that said how long to wait (Retry-After, capped at an hour). */
  retryAfterMs?: number;
}

export class NoWebhookUrlError extends Error {
  constructor() {
    super('No webhook configured and no override URL provided');
  }
}

/**
 * The one place a webhook is built, signed and POSTed. Callers record the attempt's audit row
 * before `post` (so an attempt whose process dies is still on record) and complete it after;
 * retrying is the ledger's business, never the HTTP client's.
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

  /** Builds and signs the webhook of one transaction status (SPEC 3). */
  prepare(request: DeliveryRequest, sentAt = new Date()): PreparedWebhook {
    const { transaction, merchant } = request;
    const url = request.overrideUrl ?? merchant.webhookUrl;
    if (!url) throw new NoWebhookUrlError();
    const event = request.event ?? {
      statusId: transaction.statusId,
      statusChangedAt: transaction.statusChangedAt,
      sequence: transaction.sequence,
    };
    const webhookId = webhookIdFor({ transactionId: transaction.id, ...event });
    const body = JSON.stringify(webhookBodyOf(transaction, event));
    return {
      url,
      urlSource: request.overrideUrl ? 'override' : 'configured',
      webhookId,
      statusId: event.statusId,
      transactionId: transaction.id,
      body,
      headers: { 'content-type': 'application/json', ...signWebhook(signingSecrets(merchant, sentAt), webhookId, sentAt, body) },
      sentAt,
    };
  }

  /** Sends one attempt; never throws. */
  async post(webhook: PreparedWebhook, trigger: DeliveryTrigger): Promise<AttemptOutcome> {
    const attempt = await this.deps.http.post(webhook.url, webhook.body, webhook.headers);
    const { outcome, error } = classify(attempt);
    const labels = { trigger, outcome };
    this.deps.metrics?.deliveries.inc(labels);
    this.deps.metrics?.deliveryDuration.observe(labels, attempt.durationMs / 1000);
    const waitMs = attempt.kind === 'response' && (attempt.status === 429 || attempt.status === 503) ? retryAfterMs(attempt.retryAfter) : undefined;
    return {
      outcome,
      error,
      ...(waitMs !== undefined ? { retryAfterMs: waitMs } : {}),
      httpStatus: attempt.kind === 'response' ? attempt.status : null,
      durationMs: attempt.durationMs,
      responseBody: attempt.kind === 'response' ? sanitizeForText(attempt.bodyExcerpt) : null,
    };
  }

  /**
   * A delivery outside the ledger (the synchronous resend, whose caller waits for the verdict):
   * its audit row is written before the request and completed after.
   */
  async deliverNow(request: DeliveryRequest & { trigger: DeliveryTrigger }): Promise<WebhookLogRecord> {
    const webhook = this.prepare(request);
    const open = await this.deps.webhookLogs.insert({
      accountId: request.merchant.accountId,
      merchantId: request.merchant.id,
      transactionId: webhook.transactionId,
      webhookId: webhook.webhookId,
      statusId: webhook.statusId,
      trigger: request.trigger,
      resendJobId: null,
      url: webhook.url,
      urlSource: webhook.urlSource,
      attempt: 1,
      httpStatus: null,
      durationMs: 0,
      outcome: null,
      error: null,
      responseBody: null,
      sentAt: webhook.sentAt,
      deliveryId: null,
    });
    // A Retry-After is flow control's business; the synchronous resend only reports the answer.
    const { retryAfterMs: _notHeld, ...outcome } = await this.post(webhook, request.trigger);
    const log = { ...open, ...outcome };
    await this.deps.webhookLogs.complete(open, outcome);
    this.logAttempt(log);
    return log;
  }

  /** One log line per attempt (its audit row holds the rest). */
  logAttempt(log: Pick<WebhookLogRecord, 'transactionId' | 'merchantId' | 'trigger' | 'attempt' | 'outcome' | 'httpStatus' | 'durationMs'> & { id?: number }): void {
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
