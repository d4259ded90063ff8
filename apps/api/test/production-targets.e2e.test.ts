import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { LookupFunction } from 'node:net';
import { startWebhookReceiver, waitFor, type WebhookReceiver } from '@wr/testing';
import { startHarness, type Harness, type Tenant } from './support/harness.js';

/** Every name resolves to loopback: a public-looking merchant host, and the proof nothing else is reached. */
const everyNameIsLoopback = ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
  if (options?.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
}) as unknown as LookupFunction;

/**
 * The delivery path as production runs it: private targets refused, with one exact address
 * allowed (WEBHOOK_ALLOWED_TARGETS = the test receiver's 127.0.0.1:PORT). Deliveries to it go
 * through the full connect-time filter; anything else on loopback stays refused; the filter
 * prints nothing either way.
 */
describe('production configuration: private targets refused, the receiver allowed by its exact address', () => {
  let h: Harness;
  let allowed: WebhookReceiver;
  let other: WebhookReceiver;
  let tenant: Tenant;
  const printed: unknown[] = [];

  beforeAll(async () => {
    allowed = await startWebhookReceiver();
    other = await startWebhookReceiver();
    h = await startHarness({
      worker: true,
      lookup: everyNameIsLoopback,
      env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false', WEBHOOK_ALLOWED_TARGETS: new URL(allowed.url).host },
    });
    tenant = await h.createTenant({ webhookUrl: `${allowed.url}/hooks` });
    for (const method of ['warn', 'error', 'log'] as const) {
      jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void printed.push(args));
    }
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await allowed.close();
    await other.close();
    await h.close();
  });

  it('when a status changes, then its automatic webhook reaches the allowed address through the filter, with a success audit row', async () => {
    const tx = await h.createTransaction({ merchant_id: tenant.merchant.id, status_id: 1 });
    expect((await h.admin('PATCH', `/admin/transactions/${tx.id}`, { status_id: 3 })).status).toBe(200);
    const [hook] = await allowed.waitForCount(1);
    expect(JSON.parse(hook!.body)).toMatchObject({ transactionId: tx.id, statusId: 3, sequence: 2 });
    await waitFor(
      async () => (await h.request('GET', `/v1/webhook-logs?transaction_id=${tx.id}`, { token: tenant.apiKey })).body.data.length === 1,
      10_000,
      'the audit row',
    );
    const logs = await h.request('GET', `/v1/webhook-logs?transaction_id=${tx.id}`, { token: tenant.apiKey });
    expect(logs.body.data[0]).toMatchObject({ trigger: 'automatic', outcome: 'success', http_status: 200 });
  });

  it('when a bulk replay runs, then every notification reaches the allowed address', async () => {
    const base = Date.parse('2026-03-24T08:00:00Z');
    const created = await h.admin('POST', '/admin/transactions/batch', {
      notify: false,
      transactions: Array.from({ length: 300 }, (_, i) => ({
        merchant_id: tenant.merchant.id,
        kind: 'CASHIN',
        status_id: 3,
        amount: i + 1,
        status_changed_at: new Date(base + i * 1000).toISOString(),
      })),
    });
    expect(created.status).toBe(201);
    const before = allowed.received.length;
    const job = await h.request('POST', '/v2/payin/notifications/resend', {
      token: tenant.apiKey,
      body: { merchant_id: tenant.merchant.id, start_time: '2026-03-24 08:00:00', end_time: '2026-03-24 11:00:00' },
    });
    expect(job.status).toBe(200);
    let status: any;
    await waitFor(
      async () => (status = (await h.request('GET', `/v1/resend-jobs/${job.body.job_id}`, { token: tenant.apiKey })).body).state === 'completed',
      20_000,
      'the replay to complete',
    );
    expect(status).toMatchObject({ total: 300, processed: 300, succeeded: 300, failed: 0 });
    expect(allowed.received.length - before).toBe(300);
  });

  it('when the same loopback address is reached on a port that is not listed, then the attempt is blocked and that receiver gets nothing', async () => {
    // The API refuses the literal at once; a public-looking name resolving there is refused at connect time.
    const literal = await h.request('POST', `/api/resend-webhook/${(await h.createTransaction({ merchant_id: tenant.merchant.id })).id}`, {
      token: tenant.apiKey,
      body: { url: `${other.url}/hooks` },
    });
    expect(literal.status).toBe(400);
    expect(literal.body.message).toContain('"url" must point to a public address');

    const tx = await h.createTransaction({ merchant_id: tenant.merchant.id });
    const named = await h.request('POST', `/api/resend-webhook/${tx.id}`, {
      token: tenant.apiKey,
      body: { url: `http://shop.example:${new URL(other.url).port}/hooks` },
    });
    expect(named.status).toBe(400);
    expect(named.body).toMatchObject({ message: 'Webhook URL points to a non-public address' });
    await h.untilIdle();
    expect(other.received).toHaveLength(0);
    const logs = await h.request('GET', `/v1/webhook-logs?transaction_id=${tx.id}`, { token: tenant.apiKey });
    expect(logs.body.data.map((r: any) => r.outcome)).toEqual(['blocked']);

    // The allowed address under the same name passes: the check is on the resolved address and port.
    const allowedByName = await h.request('POST', `/api/resend-webhook/${tx.id}`, {
      token: tenant.apiKey,
      body: { url: `http://shop.example:${new URL(allowed.url).port}/hooks` },
    });
    expect(allowedByName.status).toBe(200);
  });

  it('when all of the above ran, then the filter printed nothing', () => {
    expect(printed).toEqual([]);
  });
});
