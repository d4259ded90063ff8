import { describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret, signingSecrets, signWebhook } from './webhook-signer.js';

const BODY = JSON.stringify({ type: 'transaction.status_changed', transactionId: 123, statusId: 3 });
const ID = 'msg_123_3_1795867200000';

/** The headers as a receiver gets them, checked by the Standard Webhooks reference library. */
function verifies(secret: string, headers: Record<string, string>): boolean {
  try {
    new Webhook(secret).verify(BODY, headers);
    return true;
  } catch {
    return false;
  }
}

describe('signWebhook', () => {
  const current = generateWebhookSecret();
  const previous = generateWebhookSecret();
  const stranger = generateWebhookSecret();

  it('when signed with one secret, then one v1 signature that standardwebhooks verifies with that secret only', () => {
    const headers = { ...signWebhook(current, ID, new Date(), BODY) };
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
    expect(verifies(current, headers)).toBe(true);
    expect(verifies(stranger, headers)).toBe(false);
  });

  it('when signed with two secrets, then two space-separated signatures, new first, and each secret verifies', () => {
    const headers = { ...signWebhook([current, previous], ID, new Date(), BODY) };
    const parts = headers['webhook-signature'].split(' ');
    expect(parts).toHaveLength(2);
    expect(parts[0]).toBe(signWebhook(current, ID, new Date(), BODY)['webhook-signature']);
    expect(verifies(current, headers)).toBe(true);
    expect(verifies(previous, headers)).toBe(true);
    expect(verifies(stranger, headers)).toBe(false);
  });

  it('when no secret is given, then it refuses to sign', () => {
    expect(() => signWebhook([], ID, new Date(), BODY)).toThrow(/at least one secret/);
  });
});

describe('signingSecrets', () => {
  const sentAt = new Date('2026-11-22T12:00:00.000Z');
  const merchant = { webhookSecret: 'whsec_new', previousWebhookSecret: 'whsec_old' };

  it('when the previous secret is still in its overlap, then both sign, the current one first', () => {
    expect(signingSecrets({ ...merchant, previousSecretExpiresAt: new Date(sentAt.getTime() + 1000) }, sentAt)).toEqual(['whsec_new', 'whsec_old']);
  });

  it('when the overlap has ended (or there is none), then only the current secret signs', () => {
    expect(signingSecrets({ ...merchant, previousSecretExpiresAt: sentAt }, sentAt)).toEqual(['whsec_new']);
    expect(signingSecrets({ webhookSecret: 'whsec_new', previousWebhookSecret: null, previousSecretExpiresAt: null }, sentAt)).toEqual(['whsec_new']);
  });
});
