import { randomBytes } from 'node:crypto';
import type { Logger } from '@wr/logger';
import type { WebhookHttpClient } from './webhook-http-client.js';
import { signWebhook } from './webhook-signer.js';

/** What the platform's operators are told when a merchant endpoint changes state (SPEC 6). */
export interface EndpointEvent {
  type: 'endpoint.failing' | 'endpoint.disabled' | 'endpoint.recovered';
  merchantId: number;
  state: 'healthy' | 'failing' | 'disabled';
  incident: {
    id: number;
    startedAt: Date;
    disabledAt: Date | null;
    disabledReason: string | null;
    endedAt: Date | null;
    endedBy: string | null;
    firstError: string | null;
    probes: number;
  } | null;
  counts: { deliveriesFailed: number; held: number; replayed: number; stillToSend: number };
}

/** Tries a notification a few times, close together: the incident itself stays readable in the API. */
const NOTIFY_ATTEMPTS = 3;
const NOTIFY_PAUSE_MS = 1000;

/**
 * Signed webhooks to the platform's operators (OPERATOR_WEBHOOK_URL), through the same HTTP
 * client and outbound rules as merchants' webhooks. Best effort: a transition is recorded in
 * PostgreSQL first (the incident), so an operator who missed a notification still finds it.
 */
export class OperatorNotifier {
  constructor(private readonly deps: { http: WebhookHttpClient; url: string; secret: string; logger: Logger }) {}

  async notify(event: EndpointEvent): Promise<boolean> {
    const webhookId = `msg_${randomBytes(12).toString('hex')}`;
    const body = JSON.stringify({
      type: event.type,
      timestamp: new Date().toISOString(),
      data: {
        merchant_id: event.merchantId,
        state: event.state,
        incident: event.incident && {
          id: event.incident.id,
          started_at: event.incident.startedAt.toISOString(),
          disabled_at: event.incident.disabledAt?.toISOString() ?? null,
          disabled_reason: event.incident.disabledReason,
          ended_at: event.incident.endedAt?.toISOString() ?? null,
          ended_by: event.incident.endedBy,
          first_error: event.incident.firstError,
          probes: event.incident.probes,
        },
        deliveries_failed: event.counts.deliveriesFailed,
        held: event.counts.held,
        replayed: event.counts.replayed,
        still_to_send: event.counts.stillToSend,
      },
    });
    for (let attempt = 1; attempt <= NOTIFY_ATTEMPTS; attempt++) {
      const headers = { 'content-type': 'application/json', ...signWebhook(this.deps.secret, webhookId, new Date(), body) };
      const answer = await this.deps.http.post(this.deps.url, body, headers);
      if (answer.kind === 'response' && answer.status >= 200 && answer.status < 300) return true;
      const why = answer.kind === 'response' ? `HTTP ${answer.status}` : answer.error;
      this.deps.logger.warn('operator notification failed', { type: event.type, merchantId: event.merchantId, attempt, error: why });
      if (attempt < NOTIFY_ATTEMPTS) await new Promise((r) => setTimeout(r, NOTIFY_PAUSE_MS * attempt));
    }
    return false;
  }
}
