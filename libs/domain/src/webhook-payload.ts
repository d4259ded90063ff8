import { NOTIFIABLE_STATUS_IDS, statusName, TRANSACTION_KINDS, TRANSACTION_STATUSES, type TransactionKind } from './statuses.js';

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

/** A transaction as a webhook needs it: what never changes between its statuses. */
export type WebhookTransaction = { id: number } & Pick<WebhookEvent, 'merchantId' | 'kind' | 'externalId' | 'endToEndId' | 'amount' | 'data'>;

/** The body of the webhook of one status of a transaction (the deliverer's, and the console's rebuild). */
export function webhookBodyOf(
  transaction: WebhookTransaction,
  status: Pick<WebhookEvent, 'statusId' | 'statusChangedAt' | 'sequence'>,
): Record<string, unknown> {
  return buildWebhookBody({
    transactionId: transaction.id,
    merchantId: transaction.merchantId,
    kind: transaction.kind,
    externalId: transaction.externalId,
    endToEndId: transaction.endToEndId,
    amount: transaction.amount,
    data: transaction.data,
    ...status,
  });
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

const integerId = (maximum: number) => ({ type: 'integer', minimum: 1, maximum });

/** `buildWebhookBody`'s answer as JSON Schema 2020-12 (the API's OpenAPI document shows it). */
export const webhookBodyJsonSchema = {
  type: 'object',
  required: ['type', 'transactionId', 'externalId', 'endToEndId', 'merchantId', 'kind', 'statusId', 'status', 'amount', 'statusChangedAt', 'sequence', 'data'],
  additionalProperties: false,
  properties: {
    type: { const: 'transaction.status_changed' },
    transactionId: integerId(Number.MAX_SAFE_INTEGER),
    externalId: { type: ['string', 'null'] },
    endToEndId: { type: ['string', 'null'] },
    merchantId: integerId(2_147_483_647),
    kind: { type: 'string', enum: [...TRANSACTION_KINDS] },
    statusId: { type: 'integer', enum: [...NOTIFIABLE_STATUS_IDS], description: 'A status that is notified (2 to 10).' },
    status: { type: 'string', enum: Object.values(TRANSACTION_STATUSES) },
    amount: { type: 'integer', minimum: 0 },
    statusChangedAt: { type: 'string', format: 'date-time' },
    sequence: { type: 'integer', minimum: 1, description: "1 for the transaction's first status, +1 for each change: orders a transaction's webhooks." },
    data: { type: 'object', additionalProperties: true },
  },
  examples: [
    {
      type: 'transaction.status_changed',
      transactionId: 123,
      externalId: 'order-1',
      endToEndId: 'E12345678202611221200abcdefghijkl',
      merchantId: 303,
      kind: 'CASHIN',
      statusId: 3,
      status: 'Paid',
      amount: 1500,
      statusChangedAt: '2026-11-22T12:00:00.000Z',
      sequence: 1,
      data: {},
    },
  ],
};

/**
 * Standard Webhooks `webhook-id`: one per transaction status, so every retry and resend of the
 * same status carries the same id and receivers can deduplicate.
 */
export function webhookIdFor(event: Pick<WebhookEvent, 'transactionId' | 'statusId' | 'statusChangedAt'>): string {
  return `msg_${event.transactionId}_${event.statusId}_${event.statusChangedAt.getTime()}`;
}

/** The status time a `webhookIdFor` id carries; null for an id of another shape. */
export function statusChangedAtOf(webhookId: string): Date | null {
  const ms = /^msg_\d+_\d+_(\d+)$/.exec(webhookId)?.[1];
  return ms === undefined ? null : new Date(Number(ms));
}
