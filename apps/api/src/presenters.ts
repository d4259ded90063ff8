import { statusName } from '@wr/domain';
import type { AccountRecord, ApiKeyRecord, MerchantRecord, ResendJobRecord, TransactionRecord, WebhookLogRecord } from '@wr/db';
import { apiKeyPrefix } from './auth/api-key.js';
import { formatUtcDateTime } from './payin-bulk/payin-bulk.schemas.js';

/** Records as clients see them: snake_case JSON, ISO timestamps, no secrets unless asked for. */
export function presentAccount(account: AccountRecord) {
  return { id: account.id, name: account.name, created_at: account.createdAt.toISOString() };
}

/** An API key as listed: never the key nor its hash, only the prefix that names it. */
export function presentApiKey(key: ApiKeyRecord) {
  return {
    id: key.id,
    prefix: apiKeyPrefix(key.id),
    created_at: key.createdAt.toISOString(),
    revoked_at: key.revokedAt?.toISOString() ?? null,
  };
}

/** A key just issued: the only answer that carries it in clear. */
export function presentIssuedApiKey(key: ApiKeyRecord, plaintext: string) {
  return { id: key.id, account_id: key.accountId, api_key: plaintext, prefix: apiKeyPrefix(key.id), created_at: key.createdAt.toISOString() };
}

export function presentMerchant(merchant: MerchantRecord, options: { withSecret?: boolean } = {}) {
  return {
    id: merchant.id,
    account_id: merchant.accountId,
    name: merchant.name,
    branch_identifier: merchant.branchIdentifier,
    account_number: merchant.accountNumber,
    webhook_url: merchant.webhookUrl,
    max_concurrency: merchant.maxConcurrency,
    max_per_second: merchant.maxPerSecond,
    ...(options.withSecret ? { webhook_secret: merchant.webhookSecret } : {}),
    created_at: merchant.createdAt.toISOString(),
    updated_at: merchant.updatedAt.toISOString(),
  };
}

export function presentTransaction(tx: TransactionRecord) {
  return {
    id: tx.id,
    merchant_id: tx.merchantId,
    kind: tx.kind,
    external_id: tx.externalId,
    end_to_end_id: tx.endToEndId,
    status_id: tx.statusId,
    status: statusName(tx.statusId),
    amount: tx.amount,
    data: tx.data,
    status_changed_at: tx.statusChangedAt.toISOString(),
    sequence: tx.sequence,
    created_at: tx.createdAt.toISOString(),
  };
}

export function presentWebhookLog(log: WebhookLogRecord) {
  return {
    id: log.id,
    transaction_id: log.transactionId,
    merchant_id: log.merchantId,
    webhook_id: log.webhookId,
    status_id: log.statusId,
    trigger: log.trigger,
    resend_job_id: log.resendJobId,
    url: log.url,
    url_source: log.urlSource,
    attempt: log.attempt,
    http_status: log.httpStatus,
    duration_ms: log.durationMs,
    outcome: log.outcome,
    error: log.error,
    response_body: log.responseBody,
    sent_at: log.sentAt.toISOString(),
  };
}

/** The Job Status endpoint's answer. */
export function presentPayinJob(job: ResendJobRecord) {
  return {
    job_id: job.id,
    merchant_id: job.merchantId,
    state: job.state,
    start_time: formatUtcDateTime(job.windowStart),
    end_time: formatUtcDateTime(job.windowEnd),
    status_ids: job.statusIds,
    total: job.total,
    processed: job.processed,
    succeeded: job.succeeded,
    failed: job.failed,
    created_at: job.createdAt.toISOString(),
    started_at: job.startedAt?.toISOString() ?? null,
    finished_at: job.finishedAt?.toISOString() ?? null,
  };
}
