import { createHmac, randomBytes } from 'node:crypto';
import type { MerchantRecord } from '@wr/db';

const SECRET_PREFIX = 'whsec_';

/** A Standard Webhooks secret: `whsec_` + base64 of 24 random bytes. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(24).toString('base64');
}

export interface WebhookSignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Standard Webhooks signature: base64 HMAC-SHA256 of `${id}.${timestamp}.${body}` keyed with the
 * base64-decoded secret. Written here (it is the spec's one formula) rather than taken from the
 * `standardwebhooks` package, so that the tests' use of that package is an independent check.
 * Several secrets give several space-separated signatures, first secret first: the spec lets a
 * receiver accept any one of them, which is what makes a rotation with overlap work.
 */
export function signWebhook(secrets: string | readonly string[], webhookId: string, sentAt: Date, body: string): WebhookSignatureHeaders {
  const keys = typeof secrets === 'string' ? [secrets] : secrets;
  if (keys.length === 0) throw new Error('A webhook needs at least one secret to be signed with');
  const timestamp = Math.floor(sentAt.getTime() / 1000).toString();
  const signed = `${webhookId}.${timestamp}.${body}`;
  const signatures = keys.map((secret) => {
    const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
    return `v1,${createHmac('sha256', key).update(signed).digest('base64')}`;
  });
  return { 'webhook-id': webhookId, 'webhook-timestamp': timestamp, 'webhook-signature': signatures.join(' ') };
}

/**
 * The secrets a webhook sent at `sentAt` is signed with: the merchant's current one, then the one
 * a rotation replaced while its overlap lasts, so receivers still on the old secret keep verifying.
 */
export function signingSecrets(
  merchant: Pick<MerchantRecord, 'webhookSecret' | 'previousWebhookSecret' | 'previousSecretExpiresAt'>,
  sentAt: Date,
): string[] {
  const { webhookSecret, previousWebhookSecret, previousSecretExpiresAt } = merchant;
  return previousWebhookSecret && previousSecretExpiresAt && previousSecretExpiresAt.getTime() > sentAt.getTime()
    ? [webhookSecret, previousWebhookSecret]
    : [webhookSecret];
}
