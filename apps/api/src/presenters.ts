import Joi from 'joi';
import { DELIVERY_OUTCOMES, DELIVERY_TRIGGERS, statusName, TRANSACTION_STATUSES, URL_SOURCES } from '@wr/domain';
import { RESEND_JOB_STATES, type AccountRecord, type ApiKeyRecord, type MerchantRecord, type ResendJobRecord, type TransactionRecord, type WebhookLogRecord } from '@wr/db';
import { API_KEY_ID_PATTERN, apiKeyPrefix } from './auth/api-key.js';
import { notifiableStatusId, statusId, transactionKind } from './http/joi-types.js';
import { answer, EXAMPLE_JOB_ID, EXAMPLE_TIME, int32Id, isoTime, jobCounters, jobId, JOB_ID_PATTERN, transactionId } from './http/response-schemas.js';
import { formatUtcDateTime, UTC_DATETIME_PATTERN } from './payin-bulk/payin-bulk.schemas.js';

/**
 * Records as clients see them: snake_case JSON, ISO timestamps, no secrets unless asked for.
 * Each presenter's answer is described once, by the joi schema beside it (the OpenAPI document's).
 */

export const resendJobStateSchema = Joi.string().valid(...RESEND_JOB_STATES);

const accountKeys = { id: int32Id(), name: Joi.string(), created_at: isoTime() };
export const accountSchema = answer(accountKeys)
  .id('Account')
  .example({ id: 1, name: 'Acme', created_at: EXAMPLE_TIME });

export function presentAccount(account: AccountRecord) {
  return { id: account.id, name: account.name, created_at: account.createdAt.toISOString() };
}

const plaintextApiKey = Joi.string()
  .pattern(/^wrk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/)
  .description('The API key in clear. Shown only in this answer; stored hashed.');
export const apiKeyId = Joi.string().pattern(API_KEY_ID_PATTERN).description('The key id: 16 hex characters, the middle of `wrk_<id>_<secret>`.');
const apiKeyPrefixSchema = Joi.string().pattern(/^wrk_[0-9a-f]{16}$/).description('The non-secret start of the key (`wrk_<id>`), to tell keys apart.');

/** An account just created: the only answer that carries its first API key in clear. */
export const createdAccountSchema = answer({ ...accountKeys, api_key: plaintextApiKey }).id('CreatedAccount');

export function presentCreatedAccount(account: AccountRecord, plaintextKey: string) {
  return { ...presentAccount(account), api_key: plaintextKey };
}

export const apiKeySchema = answer({
  id: apiKeyId,
  prefix: apiKeyPrefixSchema,
  created_at: isoTime(),
  revoked_at: isoTime().allow(null).description('When it was revoked (it then answers 401); null while it works.'),
})
  .id('ApiKey')
  .description('An API key as listed: never the key or its hash.')
  .example({ id: '9f86d081884c7d65', prefix: 'wrk_9f86d081884c7d65', created_at: EXAMPLE_TIME, revoked_at: null });

/** An API key as listed: never the key nor its hash, only the prefix that names it. */
export function presentApiKey(key: ApiKeyRecord) {
  return {
    id: key.id,
    prefix: apiKeyPrefix(key.id),
    created_at: key.createdAt.toISOString(),
    revoked_at: key.revokedAt?.toISOString() ?? null,
  };
}

export const issuedApiKeySchema = answer({
  id: apiKeyId,
  account_id: int32Id(),
  api_key: plaintextApiKey,
  prefix: apiKeyPrefixSchema,
  created_at: isoTime(),
}).id('CreatedApiKey');

/** A key just issued: the only answer that carries it in clear. */
export function presentIssuedApiKey(key: ApiKeyRecord, plaintext: string) {
  return { id: key.id, account_id: key.accountId, api_key: plaintext, prefix: apiKeyPrefix(key.id), created_at: key.createdAt.toISOString() };
}

const merchantKeys = {
  id: int32Id(),
  account_id: int32Id(),
  name: Joi.string(),
  branch_identifier: Joi.string().allow(null),
  account_number: Joi.string().allow(null),
  webhook_url: Joi.string().allow(null),
  max_concurrency: Joi.number()
    .integer()
    .allow(null)
    .description('Deliveries in flight at once, across all workers (null: the deployment default, MERCHANT_MAX_CONCURRENCY).'),
  max_per_second: Joi.number().integer().allow(null).description('Deliveries per second, across all workers (null: no rate cap).'),
  created_at: isoTime(),
  updated_at: isoTime(),
};
export const merchantSchema = answer(merchantKeys).id('Merchant');
export const merchantWithSecretSchema = answer({ ...merchantKeys, webhook_secret: Joi.string().pattern(/^whsec_[A-Za-z0-9+/=]+$/) })
  .id('MerchantWithSecret')
  .description('A merchant as created: with its Standard Webhooks secret (shown only here).');

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

export const transactionSchema = answer({
  id: transactionId(),
  merchant_id: int32Id(),
  kind: transactionKind,
  external_id: Joi.string().allow(null),
  end_to_end_id: Joi.string().allow(null),
  status_id: statusId,
  status: Joi.string().valid(...Object.values(TRANSACTION_STATUSES)),
  amount: Joi.number().integer().min(0),
  data: Joi.object().unknown(true),
  status_changed_at: isoTime().description('Taken by the database; never goes backwards.'),
  sequence: Joi.number().integer().min(1).description('1 for the first status, +1 for each change (carried in the webhook body).'),
  created_at: isoTime(),
}).id('Transaction');

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

export const webhookLogSchema = answer({
  id: Joi.number().integer().min(1),
  transaction_id: transactionId(),
  merchant_id: int32Id(),
  webhook_id: Joi.string().description('The Standard Webhooks `webhook-id` sent (same for every delivery of one status).'),
  status_id: statusId,
  trigger: Joi.string().valid(...DELIVERY_TRIGGERS),
  resend_job_id: Joi.string().pattern(JOB_ID_PATTERN).allow(null),
  url: Joi.string(),
  url_source: Joi.string().valid(...URL_SOURCES),
  attempt: Joi.number().integer().min(1).max(4),
  http_status: Joi.number().integer().allow(null),
  duration_ms: Joi.number().integer().min(0),
  outcome: Joi.string()
    .valid(...DELIVERY_OUTCOMES)
    .allow(null)
    .description('null while the attempt is in flight (the row is written before the request).'),
  error: Joi.string().allow(null),
  response_body: Joi.string().allow(null).description('First bytes of the response body.'),
  sent_at: isoTime(),
})
  .id('WebhookLog')
  .description('One delivery attempt, whatever its outcome.');

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

const utcDateTime = Joi.string().pattern(UTC_DATETIME_PATTERN);

export const payinJobSchema = answer({
  job_id: jobId(),
  merchant_id: int32Id(),
  state: resendJobStateSchema,
  start_time: utcDateTime,
  end_time: utcDateTime,
  status_ids: Joi.array().items(notifiableStatusId).allow(null),
  ...jobCounters,
  created_at: isoTime(),
  started_at: isoTime().allow(null),
  finished_at: isoTime().allow(null),
})
  .id('ResendJob')
  .description('The Job Status answer: one bulk job (any contract).')
  .example({
    job_id: EXAMPLE_JOB_ID,
    merchant_id: 303,
    state: 'running',
    start_time: '2026-03-24 08:00:00',
    end_time: '2026-03-24 11:00:00',
    status_ids: [3, 4],
    total: 142,
    processed: 100,
    succeeded: 98,
    failed: 2,
    created_at: '2026-03-24T12:00:00.000Z',
    started_at: '2026-03-24T12:00:01.000Z',
    finished_at: null,
  });

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
