import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { startWebhookReceiver, waitFor, type ReceivedWebhook, type WebhookReceiver } from '@wr/testing';
import { startHarness, type Harness, type Tenant } from './support/harness.js';

const E2E_ID = 'E98765432202611221200abcdefghijkl';

// "Nothing more arrives" is shown by `h.untilIdle()`: once the ledger owes nothing and no job is
// queued, running or delayed, no further webhook can be sent.

describe('automatic delivery of status changes (worker, 4 attempts)', () => {
  let h: Harness;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    h = await startHarness({ worker: true });
  });

  afterAll(async () => {
    for (const r of receivers) await r.close();
    await h.close();
  });

  /** A receiver of its own per test, so counts and behaviours never interfere. */
  async function newReceiver(): Promise<WebhookReceiver> {
    const receiver = await startWebhookReceiver();
    receivers.push(receiver);
    return receiver;
  }

  /** Every audit row of a transaction, oldest attempt first. */
  async function logsOf(tenant: Tenant, transactionId: number): Promise<any[]> {
    const res = await h.request('GET', `/v1/webhook-logs?transaction_id=${transactionId}&limit=200`, { token: tenant.apiKey });
    expect(res.status).toBe(200);
    expect(res.body.next_cursor).toBeNull();
    return [...res.body.data].sort((a: any, b: any) => a.id - b.id);
  }

  /** At least `count` audit rows, each closed: an attempt's row is written before its request and gets its outcome after the answer. */
  async function waitForLogs(tenant: Tenant, transactionId: number, count: number): Promise<any[]> {
    let rows: any[] = [];
    await waitFor(
      async () => (rows = await logsOf(tenant, transactionId)).length >= count && rows.every((r) => r.outcome !== null),
      10_000,
      `${count} closed audit rows for transaction ${transactionId}`,
    );
    return rows;
  }

  const bodyOf = (hook: ReceivedWebhook) => JSON.parse(hook.body);

  const changeStatus = (id: number, statusId: number) => h.admin('PATCH', `/admin/transactions/${id}`, { status_id: statusId });

  it('when a transaction is created with a notifiable status, then the worker delivers its webhook once, signed, with an automatic success audit row', async () => {
    const receiver = await newReceiver();
    const tenant = await h.createTenant({ webhookUrl: `${receiver.url}/hooks/automatic` });

    const created = await h.admin('POST', '/admin/transactions', {
      merchant_id: tenant.merchant.id,
      kind: 'CASHIN',
      status_id: 3,
      amount: 1500,
      external_id: 'order-auto-1',
      end_to_end_id: E2E_ID,
      data: { payer: 'Ana', items: [1, 2] },
    });
    expect(created.status).toBe(201);
    const tx = created.body;

    const [hook] = await receiver.waitForCount(1);
    expect(hook!.path).toBe('/hooks/automatic');
    expect(hook!.headers['content-type']).toBe('application/json');
    expect(bodyOf(hook!)).toEqual({
      type: 'transaction.status_changed',
      transactionId: tx.id,
      externalId: 'order-auto-1',
      endToEndId: E2E_ID,
      merchantId: tenant.merchant.id,
      kind: 'CASHIN',
      statusId: 3,
      status: 'Paid',
      amount: 1500,
      statusChangedAt: tx.status_changed_at,
      sequence: 1,
      data: { payer: 'Ana', items: [1, 2] },
    });
    const verifier = new Webhook(tenant.merchant.webhook_secret);
    expect(
      verifier.verify(hook!.body, {
        'webhook-id': String(hook!.headers['webhook-id']),
        'webhook-timestamp': String(hook!.headers['webhook-timestamp']),
        'webhook-signature': String(hook!.headers['webhook-signature']),
      }),
    ).toMatchObject({ transactionId: tx.id, statusId: 3 });

    const [log] = await waitForLogs(tenant, tx.id, 1);
    expect(log).toMatchObject({
      transaction_id: tx.id,
      merchant_id: tenant.merchant.id,
      webhook_id: hook!.headers['webhook-id'],
      status_id: 3,
      trigger: 'automatic',
      resend_job_id: null,
      url: `${receiver.url}/hooks/automatic`,
      url_source: 'configured',
      attempt: 1,
      http_status: 200,
      outcome: 'success',
      error: null,
    });

    await h.untilIdle();
    expect(receiver.received).toHaveLength(1);
    expect(await logsOf(tenant, tx.id)).toHaveLength(1);
  });

  it('when the receiver always answers 500, then one status change gets exactly 4 attempts with one webhook-id and 4 http_error audit rows, and no 5th', async () => {
    const receiver = await newReceiver();
    receiver.respondWith({ status: 500, body: 'down for maintenance' });
    const tenant = await h.createTenant({ webhookUrl: `${receiver.url}/failing` });
    const tx = await h.createTransaction({ merchant_id: tenant.merchant.id, status_id: 3 });

    const changed = await changeStatus(tx.id, 4);
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ id: tx.id, status_id: 4, status: 'Credited' });

    const hooks = await receiver.waitForCount(4);
    const rows = await waitForLogs(tenant, tx.id, 4);

    await h.untilIdle();
    expect(receiver.received).toHaveLength(4);
    const finalRows = await logsOf(tenant, tx.id);
    expect(finalRows).toHaveLength(4);
    expect(finalRows.map((r) => r.id)).toEqual(rows.map((r) => r.id));

    expect(finalRows.map((r) => r.attempt)).toEqual([1, 2, 3, 4]);
    for (const row of finalRows) {
      expect(row).toMatchObject({
        trigger: 'automatic',
        outcome: 'http_error',
        http_status: 500,
        status_id: 4,
        url: `${receiver.url}/failing`,
        response_body: 'down for maintenance',
      });
    }

    const webhookIds = new Set(hooks.map((hook) => hook.headers['webhook-id']));
    expect(webhookIds.size).toBe(1);
    const [webhookId] = [...webhookIds];
    expect(webhookId).toEqual(expect.any(String));
    expect(finalRows.every((r) => r.webhook_id === webhookId)).toBe(true);
    for (const hook of hooks) expect(bodyOf(hook)).toMatchObject({ transactionId: tx.id, statusId: 4, status: 'Credited' });
  });

  it('when the first attempt answers 500 and the second 200, then exactly 2 attempts arrive and the audit says http_error then success', async () => {
    const receiver = await newReceiver();
    let calls = 0;
    receiver.respondWith(() => (++calls === 1 ? { status: 500, body: 'try again' } : { status: 200 }));
    const tenant = await h.createTenant({ webhookUrl: `${receiver.url}/flaky` });
    const tx = await h.createTransaction({ merchant_id: tenant.merchant.id, status_id: 6 });

    expect((await changeStatus(tx.id, 8)).status).toBe(200);

    const hooks = await receiver.waitForCount(2);
    await waitForLogs(tenant, tx.id, 2);
    await h.untilIdle();

    expect(receiver.received).toHaveLength(2);
    expect(hooks[0]!.headers['webhook-id']).toBe(hooks[1]!.headers['webhook-id']);
    expect(bodyOf(hooks[1]!)).toMatchObject({ transactionId: tx.id, statusId: 8, status: 'Confirmed' });
    const rows = await logsOf(tenant, tx.id);
    expect(rows.map((r) => [r.attempt, r.outcome, r.http_status])).toEqual([
      [1, 'http_error', 500],
      [2, 'success', 200],
    ]);
    expect(rows.every((r) => r.trigger === 'automatic')).toBe(true);
  });

  it('when notify is false or the status is Pending, then nothing is sent and nothing is audited', async () => {
    const receiver = await newReceiver();
    const tenant = await h.createTenant({ webhookUrl: `${receiver.url}/quiet` });

    const silenced = await h.admin('POST', '/admin/transactions', { merchant_id: tenant.merchant.id, kind: 'CASHIN', status_id: 3, amount: 100, notify: false });
    expect(silenced.status).toBe(201);
    const pending = await h.admin('POST', '/admin/transactions', { merchant_id: tenant.merchant.id, kind: 'CASHOUT', status_id: 1, amount: 200 });
    expect(pending.status).toBe(201);
    expect(pending.body).toMatchObject({ status_id: 1, status: 'Pending' });

    await h.untilIdle();
    expect(receiver.received).toHaveLength(0);
    expect(await logsOf(tenant, silenced.body.id)).toHaveLength(0);
    expect(await logsOf(tenant, pending.body.id)).toHaveLength(0);
  });

  it('when the status is set to the one it already has, then 200 and nothing is sent; when it changes, then the new status is sent under a new webhook-id', async () => {
    const receiver = await newReceiver();
    const tenant = await h.createTenant({ webhookUrl: `${receiver.url}/changes` });
    const created = await h.admin('POST', '/admin/transactions', { merchant_id: tenant.merchant.id, kind: 'CASHIN', status_id: 3, amount: 700 });
    expect(created.status).toBe(201);
    const tx = created.body;
    const [first] = await receiver.waitForCount(1);
    await waitForLogs(tenant, tx.id, 1);

    const same = await changeStatus(tx.id, 3);
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ id: tx.id, status_id: 3, status: 'Paid', status_changed_at: tx.status_changed_at });
    await h.untilIdle();
    expect(receiver.received).toHaveLength(1);
    expect(await logsOf(tenant, tx.id)).toHaveLength(1);

    const changed = await changeStatus(tx.id, 7);
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ id: tx.id, status_id: 7, status: 'Rejected' });
    const [, second] = await receiver.waitForCount(2);
    expect(bodyOf(second!)).toMatchObject({
      transactionId: tx.id,
      statusId: 7,
      status: 'Rejected',
      statusChangedAt: changed.body.status_changed_at,
      sequence: changed.body.sequence,
    });
    expect(changed.body.sequence).toBe(2);
    expect(second!.headers['webhook-id']).toEqual(expect.any(String));
    expect(second!.headers['webhook-id']).not.toBe(first!.headers['webhook-id']);

    const rows = await waitForLogs(tenant, tx.id, 2);
    expect(rows.map((r) => [r.status_id, r.attempt, r.outcome, r.trigger])).toEqual([
      [3, 1, 'success', 'automatic'],
      [7, 1, 'success', 'automatic'],
    ]);
    await h.untilIdle();
    expect(receiver.received).toHaveLength(2);
  });

  it('when 200 notifiable transactions are created in one batch, then each is delivered exactly once and Pending ones are not', async () => {
    const receiver = await newReceiver();
    const tenant = await h.createTenant({ webhookUrl: `${receiver.url}/batch` });
    const notifiable = Array.from({ length: 200 }, (_, i) => ({
      merchant_id: tenant.merchant.id,
      kind: i % 2 === 0 ? 'CASHIN' : 'CASHOUT',
      status_id: 2 + (i % 9),
      amount: 1000 + i,
      external_id: `batch-${i}`,
    }));
    const pendings = Array.from({ length: 10 }, (_, i) => ({
      merchant_id: tenant.merchant.id,
      kind: 'CASHIN',
      status_id: 1,
      amount: 5,
      external_id: `batch-pending-${i}`,
    }));

    const res = await h.admin('POST', '/admin/transactions/batch', { transactions: [...notifiable, ...pendings] });
    expect(res.status).toBe(201);
    expect(res.body.count).toBe(210);
    expect(res.body.ids).toHaveLength(210);
    const notifiableIds: number[] = res.body.ids.slice(0, 200);

    await receiver.waitForCount(200, 20_000);
    await h.untilIdle();
    expect(receiver.received).toHaveLength(200);

    const delivered = receiver.received.map(bodyOf);
    const deliveredIds = delivered.map((b) => b.transactionId).sort((a, b) => a - b);
    expect(deliveredIds).toEqual([...notifiableIds].sort((a, b) => a - b));
    for (const body of delivered) {
      const i = notifiableIds.indexOf(body.transactionId);
      expect(body).toMatchObject({ externalId: `batch-${i}`, statusId: 2 + (i % 9), amount: 1000 + i, merchantId: tenant.merchant.id });
    }

    let auditCount = 0;
    await waitFor(
      async () => {
        const rows = await h.db.dataSource.query('SELECT count(*)::int AS n FROM webhook_logs WHERE merchant_id = $1', [tenant.merchant.id]);
        auditCount = rows[0].n;
        return auditCount >= 200;
      },
      10_000,
      '200 audit rows',
    );
    const audit = await h.request('GET', `/v1/webhook-logs?merchant_id=${tenant.merchant.id}&limit=200`, { token: tenant.apiKey });
    expect(audit.status).toBe(200);
    expect(audit.body.data).toHaveLength(200);
    expect(audit.body.next_cursor).toBeNull();
    expect(audit.body.data.every((r: any) => r.trigger === 'automatic' && r.attempt === 1 && r.outcome === 'success')).toBe(true);
    expect(new Set(audit.body.data.map((r: any) => r.transaction_id)).size).toBe(200);
  });

  it('when the merchant has no webhook URL, then a status change is neither delivered nor audited; once a URL is set, the next change is delivered there', async () => {
    const receiver = await newReceiver();
    const tenant = await h.createTenant({ webhookUrl: null });
    const tx = await h.createTransaction({ merchant_id: tenant.merchant.id, status_id: 3 });

    // Watch the worker handle the delivery owed for this change (the ledger row leaves pending),
    // so the URL is set only after it was handled.
    expect((await changeStatus(tx.id, 4)).status).toBe(200);
    const stateOf = async () =>
      (await h.db.dataSource.query(`SELECT state FROM deliveries WHERE transaction_id = $1 AND status_id = 4`, [tx.id]))[0]?.state;
    await waitFor(async () => (await stateOf()) === 'cancelled', 10_000, 'the worker to handle the change');
    await h.untilIdle();
    expect(await logsOf(tenant, tx.id)).toHaveLength(0);

    const patched = await h.admin('PATCH', `/admin/merchants/${tenant.merchant.id}`, { webhook_url: `${receiver.url}/now-configured` });
    expect(patched.status).toBe(200);
    expect(patched.body.webhook_url).toBe(`${receiver.url}/now-configured`);

    expect((await changeStatus(tx.id, 9)).status).toBe(200);
    const [hook] = await receiver.waitForCount(1);
    expect(hook!.path).toBe('/now-configured');
    expect(bodyOf(hook!)).toMatchObject({ transactionId: tx.id, statusId: 9, status: 'Partial Credited', merchantId: tenant.merchant.id });

    const rows = await waitForLogs(tenant, tx.id, 1);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status_id: 9, trigger: 'automatic', attempt: 1, outcome: 'success', url: `${receiver.url}/now-configured` });
    await h.untilIdle();
    expect(receiver.received).toHaveLength(1);
  });
});
