import { NotFoundError, statusChangedAtOf, webhookBodyOf, webhookIdFor, type DeliveryOutcome, type DeliveryTrigger } from '@wr/domain';
import type { DeliveryRepository, TransactionRecord, TransactionRepository, WebhookLogRecord } from '@wr/db';
import type { WebhookLogsService } from '../webhook-logs/webhook-logs.service.js';
import type { PortalSession } from './portal-sessions.service.js';

export interface AttemptFilters {
  /** A transaction's numeric id, external id or end-to-end id, within the session's merchant. */
  transaction?: string;
  outcome?: DeliveryOutcome;
  trigger?: DeliveryTrigger;
  from?: Date;
  to?: Date;
}

/** What an attempt POSTed, rebuilt from its audit row and its transaction (see `requestAsSent`). */
export interface SentRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** False when the status's `sequence` was not recorded (a synchronous resend of a past status). */
  exact: boolean;
}

/**
 * The delivery log of one console session: the audit trail service (`GET /v1/webhook-logs`)
 * narrowed to the session's merchant, and each attempt with the request it sent.
 */
export class ConsoleAttemptsService {
  constructor(
    private readonly deps: {
      logs: Pick<WebhookLogsService, 'list' | 'find'>;
      transactions: Pick<TransactionRepository, 'findByIdentifier' | 'findById'>;
      deliveries: Pick<DeliveryRepository, 'findById'>;
    },
  ) {}

  async list(session: PortalSession, filters: AttemptFilters, page: { beforeId?: number; limit: number }): Promise<WebhookLogRecord[]> {
    let transactionId: number | undefined;
    if (filters.transaction !== undefined) {
      // External ids are unique per merchant: within one, an identifier names one transaction.
      const [own] = await this.deps.transactions.findByIdentifier(filters.transaction, session.accountId, session.merchantId);
      if (!own) return [];
      transactionId = own.id;
    }
    return this.deps.logs.list(
      session.accountId,
      { merchantId: session.merchantId, transactionId, outcome: filters.outcome, trigger: filters.trigger, sentFrom: filters.from, sentTo: filters.to },
      page,
    );
  }

  /** One attempt of the session's merchant; another merchant's is "not found", as if absent. */
  async find(session: PortalSession, id: number): Promise<{ log: WebhookLogRecord; request: SentRequest | null }> {
    const log = await this.deps.logs.find(session.accountId, id);
    if (log.merchantId !== session.merchantId) throw new NotFoundError('Webhook log not found');
    const transaction = await this.deps.transactions.findById(log.transactionId);
    return { log, request: transaction ? await this.requestAsSent(log, transaction) : null };
  }

  /**
   * The audit row keeps the URL, the webhook id and the status, not the bytes sent: the body is
   * rebuilt with the deliverer's own `webhookBodyOf` (a transaction's other fields never change),
   * the status time comes from the webhook id and the `sequence` from the delivery. The signature
   * is not shown: it was made with the secret of the day and is not kept.
   */
  private async requestAsSent(log: WebhookLogRecord, transaction: TransactionRecord): Promise<SentRequest> {
    const statusChangedAt = statusChangedAtOf(log.webhookId) ?? transaction.statusChangedAt;
    const isCurrent = webhookIdFor({ transactionId: transaction.id, statusId: transaction.statusId, statusChangedAt: transaction.statusChangedAt }) === log.webhookId;
    const delivery = log.deliveryId !== null ? await this.deps.deliveries.findById(log.deliveryId) : null;
    const sequence = log.deliveryId !== null ? (delivery?.sequence ?? null) : isCurrent ? transaction.sequence : null;
    const body = webhookBodyOf(transaction, { statusId: log.statusId, statusChangedAt, sequence: sequence ?? 0 });
    if (sequence === null) body.sequence = null;
    return {
      url: log.url,
      headers: {
        'content-type': 'application/json',
        'webhook-id': log.webhookId,
        'webhook-timestamp': String(Math.floor(log.sentAt.getTime() / 1000)),
        'webhook-signature': 'v1,… (HMAC-SHA256 with the secret of the day; not kept)',
      },
      body: JSON.stringify(body, null, 2),
      exact: sequence !== null,
    };
  }
}
