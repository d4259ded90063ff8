import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startWebhookReceiver, waitFor, type WebhookReceiver } from '@wr/testing';
import { startHarness, type Harness, type Tenant } from './support/harness.js';

describe('POST /v2/payin/notifications/resend (bulk payin resend, WePayout contract)', () => {
  let h: Harness;
  let receiver: WebhookReceiver;
  let tenant: Tenant;

  beforeAll(async () => {
    h = await startHarness({ worker: true });
    receiver = await startWebhookReceiver();
    tenant = await h.createTenant({ webhookUrl: receiver.url });
  });

  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  it('when a window holds payins, then the job delivers each once and completes with exact counts', async () => {
    const base = Date.parse('2026-03-24T08:00:00Z');
    const batch = await h.admin('POST', '/admin/transactions/batch', {
      notify: false,
      transactions: Array.from({ length: 120 }, (_, i) => ({
        merchant_id: tenant.merchant.id,
        kind: i % 10 === 0 ? 'CASHOUT' : 'CASHIN',
        status_id: i % 3 === 0 ? 4 : 3,
        amount: 100 + i,
        status_changed_at: new Date(base + i * 60_000).toISOString(),
      })),
    });
    expect(batch.status).toBe(201);
    const res = await h.request('POST', '/v2/payin/notifications/resend', {
      token: tenant.apiKey,
      body: { merchant_id: tenant.merchant.id, start_time: '2026-03-24 08:00:00', end_time: '2026-03-24 11:00:00' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ job_id: expect.stringMatching(/^[0-9a-f]{32}$/), total: 108 });
    let status: any;
    await waitFor(async () => {
      status = (await h.request('GET', `/v2/payin/notifications/resend/${res.body.job_id}`, { token: tenant.apiKey })).body;
      return status.state === 'completed';
    }, 20_000, 'the job to complete');
    expect(status).toMatchObject({ total: 108, processed: 108, succeeded: 108, failed: 0 });
    const ids = receiver.received.map((r) => JSON.parse(r.body));
    expect(ids).toHaveLength(108);
    expect(ids.every((b) => b.kind === 'CASHIN')).toBe(true);
  });
});
