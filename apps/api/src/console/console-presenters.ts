import type { EndpointStanding, ResendJobRecord, WebhookLogRecord } from '@wr/db';
import type { NamedQueueDepth } from './console-admin.service.js';
import type { PortalSession } from './portal-sessions.service.js';

/** The console's JSON: snake_case and ISO times like the public API, never a token. */

export function presentSession(s: PortalSession) {
  return { merchant_id: s.merchantId, merchant_name: s.merchantName, expires_at: s.expiresAt.toISOString() };
}

/** "Resend now": the attempt's verdict in the words of the synchronous resend (SPEC 5.2). */
export function presentVerdict(log: WebhookLogRecord) {
  const message =
    log.outcome === 'success'
      ? `Delivered: HTTP ${log.httpStatus}`
      : log.outcome === 'http_error'
        ? `Webhook failed with status ${log.httpStatus}`
        : log.outcome === 'blocked'
          ? 'Webhook URL points to a non-public address'
          : log.outcome === 'timeout'
            ? (log.error ?? 'Timed out')
            : `Webhook failed: ${log.error ?? 'no answer'}`;
  return {
    delivered: log.outcome === 'success',
    outcome: log.outcome,
    http_status: log.httpStatus,
    message,
    webhook_log_id: log.id,
    sent_at: log.sentAt.toISOString(),
    duration_ms: log.durationMs,
  };
}

export function presentStanding(e: EndpointStanding) {
  return {
    merchant_id: e.merchantId,
    account_id: e.accountId,
    name: e.name,
    webhook_url: e.webhookUrl,
    state: e.state,
    consecutive_failures: e.consecutiveFailures,
    failing_since: e.failingSince?.toISOString() ?? null,
    failed_last_day: e.failedLastDay,
  };
}

export function presentJob(j: ResendJobRecord) {
  return {
    job_id: j.id,
    merchant_id: j.merchantId,
    source: j.source,
    state: j.state,
    window_start: j.windowStart.toISOString(),
    window_end: j.windowEnd.toISOString(),
    total: j.total,
    processed: j.processed,
    succeeded: j.succeeded,
    failed: j.failed,
    created_at: j.createdAt.toISOString(),
  };
}

export function presentQueue(q: NamedQueueDepth) {
  return { ...q };
}
