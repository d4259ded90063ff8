import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startWebhookReceiver, waitFor, type WebhookReceiver } from '@wr/testing';
import { startHarness, type Harness, type Tenant } from './support/harness.js';

const SUCCESS = 'Webhook reenviado com sucesso';

describe('POST /invoices/resend-webhook/:id (invoice resend, gates2b contract)', () => {
  let h: Harness;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    h = await startHarness({ worker: true });
  });

  afterAll(async () => {
    for (const r of receivers) await r.close();
    await h.close();
  });

  /** A tenant of its own with a receiver of its own, so every count below is this test's alone. */
  async function tenantWithReceiver(behaviour: Parameters<typeof startWebhookReceiver>[0] = {}): Promise<{ t: Tenant; receiver: WebhookReceiver }> {
    const receiver = await startWebhookReceiver(behaviour);
    receivers.push(receiver);
    const t = await h.createTenant({ webhookUrl: `${receiver.url}/hooks` });
    return { t, receiver };
  }

  const resendInvoice = (id: string | number, token?: string) => h.request('POST', `/invoices/resend-webhook/${id}`, { token });

  async function auditRows(t: Tenant, transactionId: number): Promise<any[]> {
    const res = await h.request('GET', `/v1/webhook-logs?transaction_id=${transactionId}&limit=200`, { token: t.apiKey });
    expect(res.status).toBe(200);
    return [...res.body.data].sort((a: any, b: any) => a.attempt - b.attempt || a.id - b.id);
  }

  /** Nothing is left that could still send (see the harness): what is not here by then never comes. */
  const settle = () => h.untilIdle();

  it('when the receiver is healthy, then 200 success, the webhook arrives once and its audit row says manual', async () => {
    const { t, receiver } = await tenantWithReceiver();
    const tx = await h.createTransaction({ merchant_id: t.merchant.id, kind: 'CASHIN', status_id: 3, external_id: 'inv-1' });

    const res = await resendInvoice(tx.id, t.apiKey);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: SUCCESS, invoice_id: tx.id, status: 'success' });

    await settle();
    expect(receiver.received).toHaveLength(1);
    expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({
      type: 'transaction.status_changed',
      transactionId: tx.id,
      externalId: 'inv-1',
      merchantId: t.merchant.id,
      kind: 'CASHIN',
      statusId: 3,
      status: 'Paid',
    });
    const rows = await auditRows(t, tx.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ trigger: 'manual', outcome: 'success', http_status: 200, attempt: 1, url: `${receiver.url}/hooks`, url_source: 'configured' });
  });

  it('when it is called again after a success, then each call delivers once more (no side effect beyond a fresh delivery)', async () => {
    const { t, receiver } = await tenantWithReceiver();
    const tx = await h.createTransaction({ merchant_id: t.merchant.id, kind: 'CASHIN', status_id: 4 });

    for (let i = 1; i <= 2; i++) {
      const res = await resendInvoice(tx.id, t.apiKey);
      expect(res.body).toEqual({ message: SUCCESS, invoice_id: tx.id, status: 'success' });
      await settle();
      expect(receiver.received).toHaveLength(i);
    }
    // The same event: receivers can deduplicate by webhook-id.
    expect(receiver.received[0]!.headers['webhook-id']).toBe(receiver.received[1]!.headers['webhook-id']);
  });

  it('when the receiver answers 500, then 200 pending within about the delivery timeout, and the worker makes 4 attempts in all', async () => {
    const { t, receiver } = await tenantWithReceiver({ status: 500, body: 'down' });
    const tx = await h.createTransaction({ merchant_id: t.merchant.id, kind: 'CASHIN', status_id: 3 });

    const started = Date.now();
    const res = await resendInvoice(tx.id, t.apiKey);
    const elapsed = Date.now() - started;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: expect.any(String), invoice_id: tx.id, status: 'pending' });
    expect(res.body.message).not.toBe(SUCCESS);
    expect(elapsed).toBeLessThan(h.config.webhookTimeoutMs + 1000);

    await receiver.waitForCount(4, 10_000);
    await waitFor(async () => (await auditRows(t, tx.id)).length >= 4, 10_000, 'four audit rows');
    await settle();
    expect(receiver.received).toHaveLength(4);
    const rows = await auditRows(t, tx.id);
    expect(rows.map((r) => r.attempt)).toEqual([1, 2, 3, 4]);
    expect(rows.every((r) => r.trigger === 'manual' && r.outcome === 'http_error' && r.http_status === 500)).toBe(true);
  });

  it('when the first attempt fails and the retries are slow, then pending comes back within the delivery timeout, not after the retries', async () => {
    let n = 0;
    const { t, receiver } = await tenantWithReceiver();
    // Attempt 1 fails at once; later attempts take 2.5 s each and fail too.
    receiver.respondWith(() => (++n === 1 ? { status: 500 } : { status: 500, delayMs: 2500 }));
    const tx = await h.createTransaction({ merchant_id: t.merchant.id, kind: 'CASHIN', status_id: 3 });

    const started = Date.now();
    const res = await resendInvoice(tx.id, t.apiKey);
    const elapsed = Date.now() - started;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ invoice_id: tx.id, status: 'pending' });
    expect(elapsed).toBeLessThan(h.config.webhookTimeoutMs + 1000);

    await receiver.waitForCount(4, 15_000);
    await waitFor(async () => (await auditRows(t, tx.id)).length >= 4, 15_000, 'four audit rows');
    expect((await auditRows(t, tx.id)).map((r) => r.attempt)).toEqual([1, 2, 3, 4]);
  }, 30_000);

  it('when a second call arrives while the first delivery is still pending, then it adds no second delivery', async () => {
    let n = 0;
    const { t, receiver } = await tenantWithReceiver();
    // The first attempt is slow and fails; the retry succeeds: one job makes exactly 2 requests.
    receiver.respondWith(() => (++n === 1 ? { status: 500, delayMs: 2500 } : { status: 200 }));
    const tx = await h.createTransaction({ merchant_id: t.merchant.id, kind: 'CASHIN', status_id: 3 });

    const first = resendInvoice(tx.id, t.apiKey);
    await receiver.waitForCount(1, 5_000);
    const second = await resendInvoice(tx.id, t.apiKey);
    const firstRes = await first;

    for (const res of [firstRes, second]) {
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ invoice_id: tx.id, status: expect.stringMatching(/^(success|pending)$/) });
    }
    await waitFor(async () => (await auditRows(t, tx.id)).some((r) => r.outcome === 'success'), 10_000, 'the retry to succeed');
    await settle();
    expect(receiver.received).toHaveLength(2);
    const rows = await auditRows(t, tx.id);
    expect(rows.map((r) => [r.attempt, r.outcome])).toEqual([
      [1, 'http_error'],
      [2, 'success'],
    ]);
  }, 30_000);

  it("when the id is unknown, another account's, a payout's or not a number, then 404 Invoice not found and nothing is sent", async () => {
    const { t, receiver } = await tenantWithReceiver();
    const { t: stranger, receiver: strangerReceiver } = await tenantWithReceiver();
    const strangersInvoice = await h.createTransaction({ merchant_id: stranger.merchant.id, kind: 'CASHIN' });
    const payout = await h.createTransaction({ merchant_id: t.merchant.id, kind: 'CASHOUT' });

    for (const id of ['987654321', String(strangersInvoice.id), String(payout.id), 'abc', '12abc', '-1', '0', '1.5', '99999999999999999999999', '%20']) {
      const res = await resendInvoice(id, t.apiKey);
      expect({ id, status: res.status }).toEqual({ id, status: 404 });
      expect(res.body).toEqual({ message: 'Invoice not found', status: 'error' });
    }
    await settle();
    expect(receiver.received).toHaveLength(0);
    expect(strangerReceiver.received).toHaveLength(0);
  });

  it.each([
    ['no key', () => undefined],
    ['a malformed key', () => 'not-a-key'],
    ["a real key's id with a wrong secret", (key: string) => key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A')],
    ['the admin token', () => h.config.adminToken],
  ])('when the request has %s, then 401 Unauthorized in the gates2b shape and nothing is sent', async (_what, tokenFor) => {
    const { t, receiver } = await tenantWithReceiver();
    const tx = await h.createTransaction({ merchant_id: t.merchant.id, kind: 'CASHIN' });
    const res = await resendInvoice(tx.id, tokenFor(t.apiKey));
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ message: 'Unauthorized', status: 'error' });
    await settle();
    expect(receiver.received).toHaveLength(0);
  });
});
