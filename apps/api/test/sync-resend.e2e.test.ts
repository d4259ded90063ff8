import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { startWebhookReceiver, type WebhookReceiver } from '@wr/testing';
import { startHarness, type Harness, type Tenant } from './support/harness.js';

const E2E_ID = 'E12345678202611221200abcdefghijkl';

describe('POST /api/resend-webhook/:identifier (synchronous resend, Avista contract)', () => {
  let h: Harness;
  let receiver: WebhookReceiver;
  let tenant: Tenant;
  let tx: any;

  beforeAll(async () => {
    h = await startHarness();
    receiver = await startWebhookReceiver();
    tenant = await h.createTenant({ webhookUrl: `${receiver.url}/configured` });
    tx = await h.createTransaction({ merchant_id: tenant.merchant.id, external_id: 'order-1', end_to_end_id: E2E_ID, data: { payer: 'Ana' } });
  });

  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  const resend = (identifier: string, body?: unknown, token = tenant.apiKey) =>
    h.request('POST', `/api/resend-webhook/${encodeURIComponent(identifier)}`, { token, body });

  it.each([
    ['numeric id', () => String(tx.id)],
    ['external id', () => 'order-1'],
    ['end-to-end id', () => E2E_ID],
  ])('when the transaction is named by its %s, then it is delivered and the answer is 200 with the audit id', async (_kind, identifier) => {
    const before = receiver.received.length;
    const res = await resend(identifier());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Webhook resent successfully', webhookLogId: expect.any(Number), sentAt: expect.any(String), statusCode: 200 });
    expect(receiver.received.length).toBe(before + 1);
    const delivered = receiver.received.at(-1)!;
    expect(delivered.path).toBe('/configured');
    expect(JSON.parse(delivered.body)).toEqual({
      type: 'transaction.status_changed',
      transactionId: tx.id,
      externalId: 'order-1',
      endToEndId: E2E_ID,
      merchantId: tenant.merchant.id,
      kind: 'CASHIN',
      statusId: 3,
      status: 'Paid',
      amount: 1500,
      statusChangedAt: tx.status_changed_at,
      sequence: 1,
      data: { payer: 'Ana' },
    });
    const log = await h.request('GET', `/v1/webhook-logs/${res.body.webhookLogId}`, { token: tenant.apiKey });
    expect(log.body).toMatchObject({ trigger: 'manual', url_source: 'configured', outcome: 'success', http_status: 200, attempt: 1, transaction_id: tx.id });
  });

  it('when a resend arrives, then its Standard Webhooks signature verifies and its webhook-id repeats on the next resend', async () => {
    await resend(String(tx.id));
    await resend('order-1');
    const [first, second] = receiver.received.slice(-2);
    const verifier = new Webhook(tenant.merchant.webhook_secret);
    for (const hook of [first!, second!]) {
      const headers = {
        'webhook-id': String(hook.headers['webhook-id']),
        'webhook-timestamp': String(hook.headers['webhook-timestamp']),
        'webhook-signature': String(hook.headers['webhook-signature']),
      };
      expect(verifier.verify(hook.body, headers)).toMatchObject({ transactionId: tx.id });
      expect(hook.headers['content-type']).toBe('application/json');
    }
    expect(first!.headers['webhook-id']).toBe(second!.headers['webhook-id']);
    const wrongSecret = new Webhook('whsec_' + Buffer.alloc(24, 7).toString('base64'));
    expect(() => wrongSecret.verify(first!.body, first!.headers as Record<string, string>)).toThrow();
  });

  it('when an override URL is given, then it gets the webhook, the audit row says so, and the merchant keeps its URL', async () => {
    const res = await resend('order-1', { url: `${receiver.url}/override` });
    expect(res.status).toBe(200);
    expect(receiver.received.at(-1)!.path).toBe('/override');
    const log = await h.request('GET', `/v1/webhook-logs/${res.body.webhookLogId}`, { token: tenant.apiKey });
    expect(log.body).toMatchObject({ url: `${receiver.url}/override`, url_source: 'override' });
    await resend('order-1');
    expect(receiver.received.at(-1)!.path).toBe('/configured');
    const rows = await h.db.dataSource.query('SELECT webhook_url FROM merchants WHERE id = $1', [tenant.merchant.id]);
    expect(rows[0].webhook_url).toBe(`${receiver.url}/configured`);
  });

  it('when the merchant has no URL and none is given, then 400 with the documented body', async () => {
    const bare = await h.createTenant({ webhookUrl: null });
    const t = await h.createTransaction({ merchant_id: bare.merchant.id });
    const res = await resend(String(t.id), undefined, bare.apiKey);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ statusCode: 400, message: 'No webhook configured and no override URL provided', error: 'Bad Request' });
  });

  it.each([
    ['a non-URL', { url: 'not a url' }],
    ['a non-http scheme', { url: 'ftp://127.0.0.1/x' }],
    ['a number', { url: 42 }],
    ['an unknown field', { uri: 'http://127.0.0.1/' }],
  ])('when the body holds %s, then 400 names the field', async (_what, body) => {
    const res = await resend('order-1', body);
    expect(res.status).toBe(400);
    expect(res.body.statusCode).toBe(400);
    expect(res.body.message).toMatch(/"(url|uri)"/);
  });

  it('when the body is malformed JSON, then 400, not 500', async () => {
    const res = await resend('order-1', '{"url": ');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ statusCode: 400, message: 'Malformed JSON body', error: 'Bad Request' });
  });

  it.each(['999999', 'no-such-order', 'D' + 'x'.repeat(32), 'x'.repeat(300), '99999999999999999999999', '%00', ' '])(
    'when the identifier %j names nothing, then 404 Transaction not found',
    async (identifier) => {
      const res = await resend(identifier);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ statusCode: 404, message: 'Transaction not found', error: 'Not Found' });
    },
  );

  it("when another account's transaction is named by any identifier, then 404 exactly as if it did not exist, and nothing is sent", async () => {
    const other = await h.createTenant({ webhookUrl: `${receiver.url}/other` });
    const before = receiver.received.length;
    for (const identifier of [String(tx.id), 'order-1', E2E_ID]) {
      const res = await resend(identifier, undefined, other.apiKey);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ statusCode: 404, message: 'Transaction not found', error: 'Not Found' });
    }
    expect(receiver.received.length).toBe(before);
  });

  it('when the receiver answers 500, then 502 with the status, and the failed attempt has its audit row', async () => {
    const failing = await startWebhookReceiver({ status: 500, body: 'boom' });
    try {
      const res = await resend('order-1', { url: `${failing.url}/down` });
      expect(res.status).toBe(502);
      expect(res.body).toEqual({ statusCode: 502, message: 'Webhook failed with status 500', webhookLogId: expect.any(Number), sentAt: expect.any(String) });
      const log = await h.request('GET', `/v1/webhook-logs/${res.body.webhookLogId}`, { token: tenant.apiKey });
      expect(log.body).toMatchObject({ outcome: 'http_error', http_status: 500, response_body: 'boom', url_source: 'override' });
    } finally {
      await failing.close();
    }
  });

  it('when the connection is refused, then 502 naming the connection failure, with its audit row', async () => {
    const closedPort = await freePort();
    const res = await resend('order-1', { url: `http://127.0.0.1:${closedPort}/gone` });
    expect(res.status).toBe(502);
    expect(res.body.message).toMatch(/^Webhook failed: .*ECONNREFUSED/);
    const log = await h.request('GET', `/v1/webhook-logs/${res.body.webhookLogId}`, { token: tenant.apiKey });
    expect(log.body).toMatchObject({ outcome: 'network_error', http_status: null });
  });

  it('when no credentials or a bad key are sent, then 401 with the documented body', async () => {
    for (const token of [undefined, 'nonsense', `wrk_0123456789abcdef_${'A'.repeat(43)}`]) {
      const res = await h.request('POST', `/api/resend-webhook/${tx.id}`, { token });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ statusCode: 401, message: 'Unauthorized', error: 'Unauthorized' });
    }
  });
});

describe('synchronous resend timeout', () => {
  let h: Harness;
  let slow: WebhookReceiver;

  beforeAll(async () => {
    h = await startHarness({ env: { WEBHOOK_TIMEOUT_MS: '1000' } });
    slow = await startWebhookReceiver({ delayMs: 2000 });
  });

  afterAll(async () => {
    await slow.close();
    await h.close();
  });

  it('when the receiver takes 2 s and the timeout is 1 s, then 504 after about 1 s with the audit row', async () => {
    const tenant = await h.createTenant({ webhookUrl: slow.url });
    const tx = await h.createTransaction({ merchant_id: tenant.merchant.id });
    const started = Date.now();
    const res = await h.request('POST', `/api/resend-webhook/${tx.id}`, { token: tenant.apiKey });
    const elapsed = Date.now() - started;
    expect(res.status).toBe(504);
    expect(res.body).toEqual({ statusCode: 504, message: 'Timeout after 1000ms', webhookLogId: expect.any(Number), sentAt: expect.any(String) });
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(1900);
    const log = await h.request('GET', `/v1/webhook-logs/${res.body.webhookLogId}`, { token: tenant.apiKey });
    expect(log.body).toMatchObject({ outcome: 'timeout', http_status: null, error: 'Timeout after 1000ms' });
  });
});

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
