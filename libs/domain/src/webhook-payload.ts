import { statusName, type TransactionKind } from './statuses.js';

/** The facts of one transaction status a webhook reports. */
export interface WebhookEvent {
  transactionId: number;
  merchantId: number;
  kind: TransactionKind;
  externalId: string | null;
  endToEndId: string | null;
  statusId: number;
  amount: number;
  statusChangedAt: Date;
  /** 1 for the transaction's first status, +1 for each change: orders a transaction's webhooks. */
  sequence: number;
  data: Record<string, unknown>;
}

/** The body a merchant receives (SPEC 3). Field order is part of the contract's look. */
export function buildWebhookBody(event: WebhookEvent): Record<string, unknown> {
  return {
    type: 'transaction.status_changed',
    transactionId: event.transactionId,
    externalId: event.externalId,
    endToEndId: event.endToEndId,
    merchantId: event.merchantId,
    kind: event.kind,
    statusId: event.statusId,
    status: statusName(event.statusId),
    amount: event.amount,
    statusChangedAt: event.statusChangedAt.toISOString(),
    sequence: event.sequence,
    data: event.data,
  };
}

/**
 * Standard Webhooks `webhook-id`: one per transaction status, so every retry and resend of the
 * same status carries the same id and receivers can deduplicate.
 */
export function webhookIdFor(event: Pick<WebhookEvent, 'transactionId' | 'statusId' | 'statusChangedAt'>): string {
  return `msg_${event.transactionId}_${event.statusId}_${event.statusChangedAt.getTime()}`;
}
