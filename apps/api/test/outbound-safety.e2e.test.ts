import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { LookupFunction } from 'node:net';
import { startWebhookReceiver, waitFor, type WebhookReceiver } from '@wr/testing';
import { startHarness, type Harness } from './support/harness.js';

/**
 * A resolver that answers 127.0.0.1 for every name: a public-looking name rebinding to loopback.
 * It is also the guarantee that these tests never reach anything but loopback.
 */
const everyNameIsLoopback = ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
  if (options?.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
}) as unknown as LookupFunction;


describe('outbound safety with private targets disallowed', () => {
  let h: Harness;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    h = await startHarness({ worker: true, lookup: everyNameIsLoopback, env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false' } });
    receiver = await startWebhookReceiver();
  });

  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  const port = () => new URL(receiver.url).port;

  it.each([
    (p: string) => `http://127.0.0.1:${p}/hook`,
    (p: string) => `http://127.1:${p}/hook`,
    (p: string) => `http://2130706433:${p}/hook`,
    (p: string) => `http://0x7f000001:${p}/hook`,
    (p: string) => `http://0177.0.0.1:${p}/hook`,
    (p: string) => `http://[::1]:${p}/hook`,
    (p: string) => `http://[::ffff:127.0.0.1]:${p}/hook`,
    (p: string) => `http://[::127.0.0.1]:${p}/hook`,
    (p: string) => `http://0.0.0.0:${p}/hook`,
    (p: string) => `http://localhost:${p}/hook`,
  ])('when an override URL names loopback (%#), then 400 names the field and the receiver gets nothing', async (urlFor) => {
    const tenant = await h.createTenant({ webhookUrl: null });
    const tx = await h.createTransaction({ merchant_id: tenant.merchant.id });
    const res = await h.request('POST', `/api/resend-webhook/${tx.id}`, { token: tenant.apiKey, body: { url: urlFor(port()) } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ statusCode: 400, message: '"url" must point to a public address', error: 'Bad Request' });
    expect(receiver.received).toHaveLength(0);
  });

  it('when a merchant is given a loopback or credentialed URL, then 400 names webhook_url', async () => {
    const account = await h.admin('POST', '/admin/accounts', { name: 'ssrf' });
    for (const [url, message] of [
      [`http://[::1]:${port()}/`, '"webhook_url" must point to a public address'],
      ['http://169.254.169.254/latest/meta-data', '"webhook_url" must point to a public address'],
      ['https://user:secret@shop.example/hook', '"webhook_url" must not contain a user name or password'],
    ]) {
      const res = await h.admin('POST', '/admin/merchants', { account_id: account.body.id, name: 'm', webhook_url: url });
      expect(res.status).toBe(400);
      expect(res.body.message).toBe(message);
    }
  });

  it('when a public name resolves to 127.0.0.1, then the synchronous resend is refused at connect time, audited as blocked, and nothing arrives', async () => {
    const tenant = await h.createTenant({ webhookUrl: `http://hooks.shop.example:${port()}/hook` });
    const tx = await h.createTransaction({ merchant_id: tenant.merchant.id });
    const res = await h.request('POST', `/api/resend-webhook/${tx.id}`, { token: tenant.apiKey });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      statusCode: 400,
      message: 'Webhook URL points to a non-public address',
      webhookLogId: expect.any(Number),
      sentAt: expect.any(String),
    });
    const log = await h.request('GET', `/v1/webhook-logs/${res.body.webhookLogId}`, { token: tenant.apiKey });
    expect(log.body).toMatchObject({ outcome: 'blocked', http_status: null, url: `http://hooks.shop.example:${port()}/hook` });
    expect(receiver.received).toHaveLength(0);
  });

  it('when an automatic webhook targets a name that resolves to loopback, then one blocked attempt is audited, with no retries, and nothing arrives', async () => {
    const tenant = await h.createTenant({ webhookUrl: `http://rebind.shop.example:${port()}/hook` });
    const tx = await h.createTransaction({ merchant_id: tenant.merchant.id, status_id: 1 });
    expect((await h.admin('PATCH', `/admin/transactions/${tx.id}`, { status_id: 3 })).status).toBe(200);
    const logs = async () => (await h.request('GET', `/v1/webhook-logs?transaction_id=${tx.id}`, { token: tenant.apiKey })).body.data;
    await waitFor(async () => (await logs()).length >= 1, 10_000, 'the blocked attempt to be audited');
    // Blocked is final: once nothing is left to do, no retry was queued.
    await h.untilIdle();
    const rows = await logs();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ outcome: 'blocked', trigger: 'automatic', attempt: 1 });
    expect(receiver.received).toHaveLength(0);
  });

  it('when a loopback literal was stored before the policy, then the worker still refuses it at connect time', async () => {
    const tenant = await h.createTenant({ webhookUrl: null });
    // As if the URL had been accepted under an older, looser configuration.
    await h.db.dataSource.query('UPDATE merchants SET webhook_url = $1 WHERE id = $2', [`http://127.0.0.1:${port()}/old`, tenant.merchant.id]);
    const tx = await h.createTransaction({ merchant_id: tenant.merchant.id, status_id: 1 });
    await h.admin('PATCH', `/admin/transactions/${tx.id}`, { status_id: 4 });
    const logs = async () => (await h.request('GET', `/v1/webhook-logs?transaction_id=${tx.id}`, { token: tenant.apiKey })).body.data;
    await waitFor(async () => (await logs()).length >= 1, 10_000, 'the blocked attempt to be audited');
    // Blocked is final: once nothing is left to do, no retry was queued.
    await h.untilIdle();
    expect(await logs()).toEqual([expect.objectContaining({ outcome: 'blocked', url: `http://127.0.0.1:${port()}/old` })]);
    expect(receiver.received).toHaveLength(0);
  });
});

describe('redirects', () => {
  let h: Harness;
  let redirecting: WebhookReceiver;
  let target: WebhookReceiver;

  beforeAll(async () => {
    h = await startHarness();
    target = await startWebhookReceiver();
    redirecting = await startWebhookReceiver({ status: 302, headers: { location: `${target.url}/elsewhere` } });
  });

  afterAll(async () => {
    await redirecting.close();
    await target.close();
    await h.close();
  });

  it('when the receiver answers 302, then the attempt is a failure and the redirect is not followed', async () => {
    const tenant = await h.createTenant({ webhookUrl: redirecting.url });
    const tx = await h.createTransaction({ merchant_id: tenant.merchant.id });
    const res = await h.request('POST', `/api/resend-webhook/${tx.id}`, { token: tenant.apiKey });
    expect(res.status).toBe(502);
    expect(res.body.message).toBe('Webhook failed with status 302');
    expect(redirecting.received).toHaveLength(1);
    expect(target.received).toHaveLength(0);
    const log = await h.request('GET', `/v1/webhook-logs/${res.body.webhookLogId}`, { token: tenant.apiKey });
    expect(log.body).toMatchObject({ outcome: 'http_error', http_status: 302 });
  });
});
