import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret } from '@wr/delivery';
import { startWebhookReceiver, testConfig, waitFor, type ReceivedWebhook, type WebhookReceiver } from '@wr/testing';
import { startApiServer } from '../src/server.js';
import { startHarness, type Harness, type Tenant } from './support/harness.js';

/**
 * SPEC 2, 3, 6, 8: webhook secrets are encrypted at rest under SECRETS_KEY, and a rotation keeps
 * the replaced secret signing (a second signature) until its overlap ends.
 */
describe('webhook secrets at rest and POST /v1/merchants/:id/webhook-secret/rotate', () => {
  let h: Harness;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    h = await startHarness({ worker: true });
  });

  afterAll(async () => {
    for (const r of receivers) await r.close();
    await h.close();
  });

  /** A tenant with a receiver of its own, so every webhook counted is this test's. */
  async function tenantWithReceiver(): Promise<{ t: Tenant; receiver: WebhookReceiver }> {
    const receiver = await startWebhookReceiver();
    receivers.push(receiver);
    const t = await h.createTenant({ webhookUrl: `${receiver.url}/hooks` });
    return { t, receiver };
  }

  const rotate = (merchantId: number, token: string | undefined, body?: unknown) =>
    h.request('POST', `/v1/merchants/${merchantId}/webhook-secret/rotate`, { token, body });

  async function storedRow(merchantId: number): Promise<{ webhook_secret: string; previous_webhook_secret: string | null; previous_secret_expires_at: Date | null }> {
    const [row] = await h.db.dataSource.query(
      'SELECT webhook_secret, previous_webhook_secret, previous_secret_expires_at FROM merchants WHERE id = $1',
      [merchantId],
    );
    return row;
  }

  /** Makes the worker send one automatic webhook to the tenant's receiver, and returns it. */
  async function nextWebhook(t: Tenant, receiver: WebhookReceiver): Promise<ReceivedWebhook> {
    const before = receiver.received.length;
    await h.createTransaction({ merchant_id: t.merchant.id, notify: true });
    const all = await receiver.waitForCount(before + 1);
    return all[before]!;
  }

  /** What a receiver using the Standard Webhooks library with `secret` concludes. */
  function verifiesWith(secret: string, hook: ReceivedWebhook): boolean {
    try {
      new Webhook(secret).verify(hook.body, {
        'webhook-id': String(hook.headers['webhook-id']),
        'webhook-timestamp': String(hook.headers['webhook-timestamp']),
        'webhook-signature': String(hook.headers['webhook-signature']),
      });
      return true;
    } catch {
      return false;
    }
  }

  const signaturesOf = (hook: ReceivedWebhook) => String(hook.headers['webhook-signature']).split(' ');

  it('when a merchant is created, then its secret is stored sealed (enc:v1:, without the secret) and its webhooks verify with the secret shown', async () => {
    const { t, receiver } = await tenantWithReceiver();
    const secret = t.merchant.webhook_secret;
    expect(secret).toMatch(/^whsec_/);

    const row = await storedRow(t.merchant.id);
    expect(row.webhook_secret.startsWith('enc:v1:')).toBe(true);
    expect(row.webhook_secret).not.toContain(secret);
    expect(row.webhook_secret).not.toContain(secret.slice('whsec_'.length));
    expect(row).toMatchObject({ previous_webhook_secret: null, previous_secret_expires_at: null });

    const hook = await nextWebhook(t, receiver);
    expect(signaturesOf(hook)).toHaveLength(1);
    expect(verifiesWith(secret, hook)).toBe(true);
  });

  it('when the secret is rotated with an overlap, then the new secret is shown once and the next webhook verifies with both the old and the new secret', async () => {
    const { t, receiver } = await tenantWithReceiver();
    const old = t.merchant.webhook_secret;

    const before = Date.now();
    const res = await rotate(t.merchant.id, t.apiKey, { overlap_seconds: 3600 });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toEqual({
      merchant_id: t.merchant.id,
      webhook_secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/=]{16,}$/),
      previous_secret_expires_at: expect.any(String),
    });
    const fresh = res.body.webhook_secret as string;
    expect(fresh).not.toBe(old);
    const expiresAt = Date.parse(res.body.previous_secret_expires_at);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 3_600_000 - 2000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3_600_000 + 2000);

    const row = await storedRow(t.merchant.id);
    for (const stored of [row.webhook_secret, row.previous_webhook_secret!]) {
      expect(stored.startsWith('enc:v1:')).toBe(true);
      expect(stored).not.toContain(fresh.slice('whsec_'.length));
      expect(stored).not.toContain(old.slice('whsec_'.length));
    }

    const hook = await nextWebhook(t, receiver);
    expect(signaturesOf(hook)).toHaveLength(2);
    expect(verifiesWith(fresh, hook)).toBe(true);
    expect(verifiesWith(old, hook)).toBe(true);
    expect(verifiesWith(generateWebhookSecret(), hook)).toBe(false);

    // The admin API never shows a secret again, current or previous.
    const patched = await h.admin('PATCH', `/admin/merchants/${t.merchant.id}`, { name: 'renamed after rotation' });
    expect(patched.status).toBe(200);
    expect(Object.keys(patched.body).filter((k) => /secret/.test(k))).toEqual([]);
    expect(patched.text).not.toContain(fresh.slice('whsec_'.length));
    expect(patched.text).not.toContain(old.slice('whsec_'.length));
  });

  it('when it is rotated again during an overlap, then the then-current secret becomes the previous one and the oldest stops verifying', async () => {
    const { t, receiver } = await tenantWithReceiver();
    const first = t.merchant.webhook_secret;
    const second = (await rotate(t.merchant.id, t.apiKey, { overlap_seconds: 600 })).body.webhook_secret as string;
    const third = (await rotate(t.merchant.id, t.apiKey, { overlap_seconds: 600 })).body.webhook_secret as string;

    const hook = await nextWebhook(t, receiver);
    expect(signaturesOf(hook)).toHaveLength(2);
    expect(verifiesWith(third, hook)).toBe(true);
    expect(verifiesWith(second, hook)).toBe(true);
    expect(verifiesWith(first, hook)).toBe(false);
  });

  it('when it is rotated with overlap_seconds 0, then webhooks verify only with the newest secret and fail with the old ones', async () => {
    const { t, receiver } = await tenantWithReceiver();
    const first = t.merchant.webhook_secret;
    const second = (await rotate(t.merchant.id, t.apiKey, { overlap_seconds: 600 })).body.webhook_secret as string;

    const res = await rotate(t.merchant.id, t.apiKey, { overlap_seconds: 0 });
    expect(res.status).toBe(200);
    expect(res.body.previous_secret_expires_at).toBeNull();
    const newest = res.body.webhook_secret as string;
    expect(await storedRow(t.merchant.id)).toMatchObject({ previous_webhook_secret: null, previous_secret_expires_at: null });

    const hook = await nextWebhook(t, receiver);
    expect(signaturesOf(hook)).toHaveLength(1);
    expect(verifiesWith(newest, hook)).toBe(true);
    expect(verifiesWith(second, hook)).toBe(false);
    expect(verifiesWith(first, hook)).toBe(false);
  });

  it('when the overlap runs out, then the old secret stops signing without another call', async () => {
    const { t, receiver } = await tenantWithReceiver();
    const old = t.merchant.webhook_secret;
    const res = await rotate(t.merchant.id, t.apiKey, { overlap_seconds: 1 });
    expect(res.status).toBe(200);
    const fresh = res.body.webhook_secret as string;

    const expiresAt = Date.parse(res.body.previous_secret_expires_at);
    await waitFor(() => Date.now() > expiresAt, 5000, 'the overlap to run out');
    const hook = await nextWebhook(t, receiver);
    expect(signaturesOf(hook)).toHaveLength(1);
    expect(verifiesWith(fresh, hook)).toBe(true);
    expect(verifiesWith(old, hook)).toBe(false);

    // The workers' housekeeping then forgets it: a secret that signs nothing is not kept.
    expect(await storedRow(t.merchant.id)).toMatchObject({ previous_webhook_secret: expect.any(String) });
    await h.worker!.housekeeping.runOnce();
    expect(await storedRow(t.merchant.id)).toMatchObject({ previous_webhook_secret: null, previous_secret_expires_at: null });
  });

  it('when the body is not an optional overlap_seconds of 0 to 2,592,000, then 400 naming the field, and the secret is unchanged', async () => {
    const { t } = await tenantWithReceiver();
    const stored = (await storedRow(t.merchant.id)).webhook_secret;
    const cases: Array<[unknown, string]> = [
      [{ overlap_seconds: -1 }, 'overlap_seconds'],
      [{ overlap_seconds: 2_592_001 }, 'overlap_seconds'],
      [{ overlap_seconds: 1.5 }, 'overlap_seconds'],
      [{ overlap_seconds: '60' }, 'overlap_seconds'],
      [{ overlap_seconds: null }, 'overlap_seconds'],
      [{ overlap: 60 }, 'overlap'],
    ];
    for (const [body, field] of cases) {
      const res = await rotate(t.merchant.id, t.apiKey, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining(`"${field}"`) });
    }
    const malformed = await rotate(t.merchant.id, t.apiKey, '{"overlap_seconds":');
    expect(malformed.status).toBe(400);
    expect((await storedRow(t.merchant.id)).webhook_secret).toBe(stored);

    const max = await rotate(t.merchant.id, t.apiKey, { overlap_seconds: 2_592_000 });
    expect(max.status).toBe(200);
  });

  it("when the merchant is another account's or does not exist, then 404 and its secret is unchanged", async () => {
    const mine = await tenantWithReceiver();
    const theirs = await tenantWithReceiver();
    const stored = (await storedRow(theirs.t.merchant.id)).webhook_secret;

    for (const id of [theirs.t.merchant.id, 2_147_483_647]) {
      const res = await rotate(id, mine.t.apiKey, { overlap_seconds: 60 });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ statusCode: 404, message: 'Merchant not found', error: 'Not Found' });
    }
    expect((await h.request('POST', '/v1/merchants/abc/webhook-secret/rotate', { token: mine.t.apiKey })).status).toBe(404);
    expect((await storedRow(theirs.t.merchant.id)).webhook_secret).toBe(stored);
  });

  it('when no API key (or a bad one) is given, then 401 and nothing changes', async () => {
    const { t } = await tenantWithReceiver();
    const stored = (await storedRow(t.merchant.id)).webhook_secret;
    for (const token of [undefined, 'not-a-key']) {
      const res = await rotate(t.merchant.id, token, { overlap_seconds: 60 });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ statusCode: 401 });
    }
    expect((await storedRow(t.merchant.id)).webhook_secret).toBe(stored);
  });

  it('when a row still holds its secret in clear (from before encryption), then its webhooks verify, and the next API start seals it', async () => {
    const { t, receiver } = await tenantWithReceiver();
    const legacy = generateWebhookSecret();
    await h.db.dataSource.query('UPDATE merchants SET webhook_secret = $1 WHERE id = $2', [legacy, t.merchant.id]);

    expect(verifiesWith(legacy, await nextWebhook(t, receiver))).toBe(true);

    const restarted = await startApiServer(h.config);
    await restarted.close();
    const row = await storedRow(t.merchant.id);
    expect(row.webhook_secret.startsWith('enc:v1:')).toBe(true);
    expect(row.webhook_secret).not.toContain(legacy.slice('whsec_'.length));
    expect(verifiesWith(legacy, await nextWebhook(t, receiver))).toBe(true);
  });

  it('when an API starts with a different SECRETS_KEY, then it refuses to start with a message naming SECRETS_KEY and no secret', async () => {
    const { t } = await tenantWithReceiver();
    const stored = (await storedRow(t.merchant.id)).webhook_secret;
    const config = testConfig(h.db.url, h.config.queuePrefix, { SECRETS_KEY: 'a-different-secrets-key-0123456789abcdef' });
    const failure = await startApiServer(config).then(
      async (api) => {
        await api.close();
        return null;
      },
      (err: Error) => err,
    );
    expect(failure?.message).toMatch(/SECRETS_KEY is not the key it was sealed with/);
    expect(failure?.message).not.toContain(stored);
    expect(failure?.message).not.toContain(t.merchant.webhook_secret);
  });
});
