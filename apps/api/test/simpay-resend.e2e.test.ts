import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startWebhookReceiver, waitFor, type ReceivedWebhook, type WebhookReceiver } from '@wr/testing';
import { startHarness, type Harness } from './support/harness.js';

const REQUEST_CREATED = /^Webhook resend request created\. ID: ([0-9a-f]{32})$/;

/** A SimPay client: an account with its key and one merchant that has a bank account. */
interface BankTenant {
  accountId: number;
  apiKey: string;
  merchantId: number;
  branch: string;
  accountNumber: string;
  /** The webhooks this tenant's merchant received. */
  hooks(): ReceivedWebhook[];
}

describe('POST /v3/webhooks/resend and resend logs (SimPay contract)', () => {
  let h: Harness;
  let receiver: WebhookReceiver;
  let seq = 0;

  beforeAll(async () => {
    h = await startHarness({ worker: true });
    receiver = await startWebhookReceiver();
  });

  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  async function addMerchant(accountId: number): Promise<Omit<BankTenant, 'accountId' | 'apiKey'>> {
    const n = ++seq;
    const path = `/merchant-${n}`;
    const branch = '0001';
    const accountNumber = String(123456 + n);
    const merchant = await h.admin('POST', '/admin/merchants', {
      account_id: accountId,
      name: `simpay merchant ${n}`,
      branch_identifier: branch,
      account_number: accountNumber,
      webhook_url: `${receiver.url}${path}`,
    });
    if (merchant.status !== 201) throw new Error(`merchant: ${merchant.text}`);
    return { merchantId: merchant.body.id, branch, accountNumber, hooks: () => receiver.received.filter((r) => r.path === path) };
  }

  async function bankTenant(): Promise<BankTenant> {
    const account = await h.admin('POST', '/admin/accounts', { name: `simpay account ${seq + 1}` });
    if (account.status !== 201) throw new Error(`account: ${account.text}`);
    return { accountId: account.body.id, apiKey: account.body.api_key, ...(await addMerchant(account.body.id)) };
  }

  async function createTransactions(rows: Array<Record<string, unknown>>): Promise<void> {
    const res = await h.admin('POST', '/admin/transactions/batch', { notify: false, transactions: rows.map((r) => ({ amount: 1500, ...r })) });
    if (res.status !== 201) throw new Error(`batch: ${res.text}`);
  }

  async function createTransaction(fields: Record<string, unknown>): Promise<{ id: number }> {
    return h.createTransaction({ status_changed_at: '2026-05-02T10:00:00.000Z', ...fields });
  }

  const resend = (body: unknown, token: string) => h.request('POST', '/v3/webhooks/resend', { token, body });
  const resendLogs = (token: string) => h.request('GET', '/v3/webhooks/resend-logs', { token });
  const resendLog = (id: string, token: string) => h.request('GET', `/v3/webhooks/resend-logs/${id}`, { token });

  function requestIdOf(res: { status: number; body: any; text: string }): string {
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ worked: true, detail: expect.stringMatching(REQUEST_CREATED) });
    return REQUEST_CREATED.exec(res.body.detail)![1]!;
  }

  async function waitForRequestState(id: string, token: string, state: string, timeoutMs = 20_000): Promise<any> {
    let log: any;
    await waitFor(async () => {
      log = (await resendLog(id, token)).body;
      return log?.data?.state === state;
    }, timeoutMs, `resend request ${id} to be ${state} (last: ${JSON.stringify(log?.data ?? log)})`);
    return log.data;
  }

  const bodiesOf = (hooks: ReceivedWebhook[]) => hooks.map((r) => JSON.parse(r.body));

  describe('object mode', () => {
    it.each<['CASHIN' | 'CASHOUT']>([['CASHIN'], ['CASHOUT']])('when a %s object_reference_id of the caller is given, then 200 with a request id and the webhook arrives once', async (kind) => {
      const t = await bankTenant();
      const tx = await createTransaction({ merchant_id: t.merchantId, kind, status_id: 3, external_id: `obj-${kind}` });
      const other = await createTransaction({ merchant_id: t.merchantId, kind, status_id: 4 });

      const res = await resend({ resend_type: kind, object_reference_id: tx.id }, t.apiKey);
      const id = requestIdOf(res);

      const log = await waitForRequestState(id, t.apiKey, 'completed');
      expect(log).toMatchObject({ id, resend_type: kind, object_reference_id: tx.id, state: 'completed', total: 1, processed: 1, succeeded: 1, failed: 0 });
      // Any stray duplicate would have landed once nothing is left to run.
      await h.untilIdle();
      const bodies = bodiesOf(t.hooks());
      expect(bodies).toHaveLength(1);
      expect(bodies[0]).toMatchObject({ type: 'transaction.status_changed', transactionId: tx.id, externalId: `obj-${kind}`, kind, statusId: 3 });
      expect(bodies.some((b) => b.transactionId === other.id)).toBe(false);
    });

    it.each<['CASHIN' | 'CASHOUT', string]>([
      ['CASHIN', 'QR Code not found'],
      ['CASHOUT', 'Transaction not found'],
    ])(
      'when a %s object_reference_id is unknown, belongs to another account or is of the other kind, then 400 %j and nothing is sent',
      async (kind, detail) => {
        const t = await bankTenant();
        const stranger = await bankTenant();
        const otherKind = kind === 'CASHIN' ? 'CASHOUT' : 'CASHIN';
        const strangers = await createTransaction({ merchant_id: stranger.merchantId, kind });
        const wrongKind = await createTransaction({ merchant_id: t.merchantId, kind: otherKind });

        for (const objectId of [987_654_321, strangers.id, wrongKind.id]) {
          const res = await resend({ resend_type: kind, object_reference_id: objectId }, t.apiKey);
          expect(res.status).toBe(400);
          expect(res.body).toEqual({ worked: false, detail });
        }
        const logs = await resendLogs(t.apiKey);
        expect(logs.body).toEqual({ worked: true, data: [] });
        await h.untilIdle();
        expect(t.hooks()).toHaveLength(0);
        expect(stranger.hooks()).toHaveLength(0);
      },
    );
  });

  describe('range mode', () => {
    it("when the branch and account number are unknown or another account's, then 400 Account not found and nothing is sent", async () => {
      const t = await bankTenant();
      const stranger = await bankTenant();
      await createTransaction({ merchant_id: stranger.merchantId, kind: 'CASHIN', status_changed_at: '2026-05-01T01:00:00Z' });
      const range = { resend_type: 'CASHIN', start_datetime: '2026-05-01T00:00:00Z', end_datetime: '2026-05-02T00:00:00Z' };

      for (const account of [
        { source_account_branch_identifier: '0001', source_account_number: '999999999' },
        { source_account_branch_identifier: '0002', source_account_number: t.accountNumber },
        { source_account_branch_identifier: stranger.branch, source_account_number: stranger.accountNumber },
      ]) {
        const res = await resend({ ...range, ...account }, t.apiKey);
        expect(res.status).toBe(400);
        expect(res.body).toEqual({ worked: false, detail: 'Account not found' });
      }
      expect((await resendLogs(t.apiKey)).body).toEqual({ worked: true, data: [] });
      await h.untilIdle();
      expect(stranger.hooks()).toHaveLength(0);
    });

    it('when a 12-day range is requested, then exactly the matching transactions of that kind are delivered once each and the log shows 96 completed jobs', async () => {
      const t = await bankTenant();
      // A second merchant of the same account: its transactions are not this bank account's.
      const sibling = await addMerchant(t.accountId);
      const start = Date.parse('2026-05-01T00:00:00Z');
      const end = Date.parse('2026-05-13T00:00:00Z');
      const at = (ms: number) => new Date(ms).toISOString();
      const HOUR = 3_600_000;

      const rows: Array<{ external_id: string; merchant_id: number; kind: 'CASHIN' | 'CASHOUT'; status_id: number; status_changed_at: string }> = [];
      const add = (name: string, kind: 'CASHIN' | 'CASHOUT', statusId: number, ms: number, merchantId = t.merchantId) =>
        rows.push({ external_id: name, merchant_id: merchantId, kind, status_id: statusId, status_changed_at: at(ms) });

      // Spread across the range: every 7h13m, both kinds, every notifiable status, some Pending.
      for (let i = 0; i < 40; i++) {
        const kind = i % 3 === 0 ? 'CASHOUT' : 'CASHIN';
        const status = i % 7 === 0 ? 1 : 2 + (i % 9);
        add(`spread-${i}`, kind, status, start + i * 433 * 60_000 + 1000);
      }
      // The edges: start is included, end is excluded (half-open), just outside on each side.
      add('at-start', 'CASHIN', 3, start);
      add('at-start-out', 'CASHOUT', 3, start);
      add('at-end', 'CASHIN', 3, end);
      add('before-start-1ms', 'CASHIN', 3, start - 1);
      add('before-start-1h', 'CASHIN', 4, start - HOUR);
      add('before-end-1ms', 'CASHIN', 8, end - 1);
      add('after-end-1h', 'CASHIN', 3, end + HOUR);
      add('after-end-1ms', 'CASHIN', 3, end + 1);
      // Exactly on an inner 3-hour job boundary: belongs to one job only.
      add('on-job-boundary', 'CASHIN', 9, start + 3 * HOUR);
      add('pending-in-range', 'CASHIN', 1, start + 5 * HOUR);
      add('sibling-in-range', 'CASHIN', 3, start + 6 * HOUR, sibling.merchantId);
      await createTransactions(rows);

      const expected = rows
        .filter((r) => r.merchant_id === t.merchantId && r.kind === 'CASHIN' && r.status_id !== 1)
        .filter((r) => Date.parse(r.status_changed_at) >= start && Date.parse(r.status_changed_at) < end)
        .map((r) => r.external_id)
        .sort();
      expect(expected).toEqual(expect.arrayContaining(['at-start', 'before-end-1ms', 'on-job-boundary']));
      expect(expected).not.toEqual(expect.arrayContaining(['at-end']));

      const res = await resend(
        {
          resend_type: 'CASHIN',
          source_account_branch_identifier: t.branch,
          source_account_number: t.accountNumber,
          start_datetime: '2026-05-01T00:00:00Z',
          end_datetime: '2026-05-13T00:00:00Z',
        },
        t.apiKey,
      );
      const id = requestIdOf(res);

      const log = await waitForRequestState(id, t.apiKey, 'completed', 40_000);
      expect(log).toMatchObject({
        id,
        resend_type: 'CASHIN',
        object_reference_id: null,
        merchant_id: t.merchantId,
        start_datetime: '2026-05-01T00:00:00.000Z',
        end_datetime: '2026-05-13T00:00:00.000Z',
        state: 'completed',
        jobs: 96,
        total: expected.length,
        processed: expected.length,
        succeeded: expected.length,
        failed: 0,
      });
      expect(log.jobs_detail).toHaveLength(96);
      expect(log.jobs_detail.every((j: any) => j.state === 'completed')).toBe(true);

      await h.untilIdle();
      const bodies = bodiesOf(t.hooks());
      expect(bodies.map((b) => b.externalId).sort()).toEqual(expected);
      expect(bodies.every((b) => b.kind === 'CASHIN' && b.statusId !== 1 && b.merchantId === t.merchantId)).toBe(true);
      expect(sibling.hooks()).toHaveLength(0);
    }, 60_000);
  });

  describe('validation and authentication', () => {
    const account = { source_account_branch_identifier: '0001', source_account_number: '123456' };
    const range = { ...account, start_datetime: '2026-05-01T00:00:00Z', end_datetime: '2026-05-02T00:00:00Z' };

    it.each([
      ['resend_type is missing', { object_reference_id: 1 }, /"resend_type" is required/],
      ['resend_type is not CASHIN or CASHOUT', { resend_type: 'PIX', object_reference_id: 1 }, /"resend_type" must be one of \[CASHIN, CASHOUT\]/],
      ['resend_type is lowercase', { resend_type: 'cashin', object_reference_id: 1 }, /"resend_type" must be one of/],
      ['neither an object nor a range is given', { resend_type: 'CASHIN' }, /object_reference_id.*start_datetime/],
      ['both object_reference_id and a range are given', { resend_type: 'CASHIN', object_reference_id: 1, ...range }, /object_reference_id.*not both/],
      ['the range lacks end_datetime', { resend_type: 'CASHIN', ...range, end_datetime: undefined }, /missing.*\bend_datetime\b/],
      ['the range lacks start_datetime', { resend_type: 'CASHIN', ...range, start_datetime: undefined }, /missing.*\bstart_datetime\b/],
      [
        'the range lacks the account number',
        { resend_type: 'CASHIN', ...range, source_account_number: undefined },
        /missing.*\bsource_account_number\b/,
      ],
      [
        'the range lacks the branch',
        { resend_type: 'CASHOUT', ...range, source_account_branch_identifier: undefined },
        /missing.*\bsource_account_branch_identifier\b/,
      ],
      ['start_datetime is not a date', { resend_type: 'CASHIN', ...range, start_datetime: '01/05/2026' }, /"start_datetime" must be an ISO 8601/],
      ['end_datetime is not a date', { resend_type: 'CASHIN', ...range, end_datetime: 'tomorrow' }, /"end_datetime" must be an ISO 8601/],
      // Without a zone the instant depends on the server's local time zone: replicas would disagree.
      ['start_datetime has no time zone', { resend_type: 'CASHIN', ...range, start_datetime: '2026-05-01T00:00:00' }, /"start_datetime" must be an ISO 8601/],
      ['end_datetime has no time zone', { resend_type: 'CASHIN', ...range, end_datetime: '2026-05-02T00:00:00' }, /"end_datetime" must be an ISO 8601/],
      ['end_datetime is before start_datetime', { resend_type: 'CASHIN', ...range, end_datetime: '2026-04-30T00:00:00Z' }, /"end_datetime" must be after "start_datetime"/],
      ['end_datetime equals start_datetime', { resend_type: 'CASHIN', ...range, end_datetime: range.start_datetime }, /"end_datetime" must be after "start_datetime"/],
      ['the range is over 31 days', { resend_type: 'CASHIN', ...range, end_datetime: '2026-06-01T00:00:01Z' }, /"end_datetime" must be at most 31 days/],
      ['an unknown field is sent', { resend_type: 'CASHIN', object_reference_id: 1, callback: 'x' }, /"callback" is not allowed/],
      ['object_reference_id is a fraction', { resend_type: 'CASHIN', object_reference_id: 1.5 }, /"object_reference_id" must be an integer/],
      ['object_reference_id is text', { resend_type: 'CASHOUT', object_reference_id: 'abc' }, /"object_reference_id" must be a number/],
      ['object_reference_id is zero', { resend_type: 'CASHOUT', object_reference_id: 0 }, /"object_reference_id" must be greater than or equal to 1/],
      ['the body is a JSON array', [{ resend_type: 'CASHIN' }], /must be of type object/],
    ])('when %s, then 422 with a detail naming the field and rule', async (_what, body, detail) => {
      const t = await bankTenant();
      // The tenant's own bank account: a body that slipped past validation would create a request.
      const own = (b: any) =>
        b && !Array.isArray(b) && b.source_account_number ? { ...b, source_account_branch_identifier: b.source_account_branch_identifier && t.branch, source_account_number: t.accountNumber } : b;
      const res = await resend(own(body), t.apiKey);
      expect(res.status).toBe(422);
      expect(res.body).toEqual({ worked: false, detail: expect.stringMatching(detail) });
      expect((await resendLogs(t.apiKey)).body).toEqual({ worked: true, data: [] });
    });

    it('when the range is exactly 31 days, then it is accepted', async () => {
      const t = await bankTenant();
      const res = await resend(
        {
          resend_type: 'CASHOUT',
          source_account_branch_identifier: t.branch,
          source_account_number: t.accountNumber,
          start_datetime: '2026-05-01T00:00:00Z',
          end_datetime: '2026-06-01T00:00:00Z',
        },
        t.apiKey,
      );
      const id = requestIdOf(res);
      const log = await waitForRequestState(id, t.apiKey, 'completed', 40_000);
      expect(log).toMatchObject({ jobs: 248, total: 0, processed: 0 });
    }, 60_000);

    it('when the body is malformed JSON, then 400 worked false, not 500', async () => {
      const t = await bankTenant();
      const res = await resend('{"resend_type": "CASHIN", ', t.apiKey);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ worked: false, detail: 'Malformed JSON body' });
    });

    it.each([
      ['no key', () => undefined],
      ['a malformed key', () => 'not-a-key'],
      ['an unknown key of the right shape', () => `wrk_${'0'.repeat(16)}_${'a'.repeat(43)}`],
      ["a real key's id with a wrong secret", (key: string) => key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A')],
      ['the admin token', () => h.config.adminToken],
    ])('when the request has %s, then 401 worked false Unauthorized on every SimPay endpoint', async (_what, tokenFor) => {
      const t = await bankTenant();
      const token = tokenFor(t.apiKey);
      const tx = await createTransaction({ merchant_id: t.merchantId, kind: 'CASHIN' });
      const post = await h.request('POST', '/v3/webhooks/resend', { token, body: { resend_type: 'CASHIN', object_reference_id: tx.id } });
      const list = await h.request('GET', '/v3/webhooks/resend-logs', { token });
      const one = await h.request('GET', `/v3/webhooks/resend-logs/${'a'.repeat(32)}`, { token });
      for (const res of [post, list, one]) {
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ worked: false, detail: 'Unauthorized' });
      }
      await h.untilIdle();
      expect(t.hooks()).toHaveLength(0);
    });
  });

  describe('resend logs', () => {
    it("when the caller lists its resend requests, then it sees only its own, newest first, with state and counts", async () => {
      const t = await bankTenant();
      const stranger = await bankTenant();
      const cashin = await createTransaction({ merchant_id: t.merchantId, kind: 'CASHIN' });
      const cashout = await createTransaction({ merchant_id: t.merchantId, kind: 'CASHOUT' });
      await createTransactions([
        { merchant_id: t.merchantId, kind: 'CASHIN', status_id: 3, status_changed_at: '2026-05-03T01:00:00Z' },
        { merchant_id: t.merchantId, kind: 'CASHIN', status_id: 4, status_changed_at: '2026-05-03T04:00:00Z' },
      ]);
      const strangerTx = await createTransaction({ merchant_id: stranger.merchantId, kind: 'CASHIN' });

      const first = requestIdOf(await resend({ resend_type: 'CASHIN', object_reference_id: cashin.id }, t.apiKey));
      const second = requestIdOf(await resend({ resend_type: 'CASHOUT', object_reference_id: cashout.id }, t.apiKey));
      const third = requestIdOf(
        await resend(
          {
            resend_type: 'CASHIN',
            source_account_branch_identifier: t.branch,
            source_account_number: t.accountNumber,
            start_datetime: '2026-05-03T00:00:00Z',
            end_datetime: '2026-05-03T06:00:00Z',
          },
          t.apiKey,
        ),
      );
      const strangers = requestIdOf(await resend({ resend_type: 'CASHIN', object_reference_id: strangerTx.id }, stranger.apiKey));
      for (const id of [first, second, third]) await waitForRequestState(id, t.apiKey, 'completed');
      await waitForRequestState(strangers, stranger.apiKey, 'completed');

      const list = await resendLogs(t.apiKey);
      expect(list.status).toBe(200);
      expect(list.body.worked).toBe(true);
      expect(list.body.data.map((r: any) => r.id)).toEqual([third, second, first]);
      expect(list.body.data[0]).toMatchObject({
        resend_type: 'CASHIN',
        object_reference_id: null,
        start_datetime: '2026-05-03T00:00:00.000Z',
        end_datetime: '2026-05-03T06:00:00.000Z',
        state: 'completed',
        jobs: 2,
        total: 2,
        processed: 2,
        succeeded: 2,
        failed: 0,
      });
      expect(list.body.data[1]).toMatchObject({ resend_type: 'CASHOUT', object_reference_id: cashout.id, state: 'completed', jobs: 1, total: 1, succeeded: 1 });
      expect(list.body.data[2]).toMatchObject({ resend_type: 'CASHIN', object_reference_id: cashin.id, state: 'completed', jobs: 1, total: 1, succeeded: 1 });

      const theirs = await resendLogs(stranger.apiKey);
      expect(theirs.body.data.map((r: any) => r.id)).toEqual([strangers]);
    });

    it.each([
      ["another account's request id", 'stranger'],
      ['an unknown well-formed id', 'f'.repeat(32)],
      ['a malformed id', 'not-an-id'],
      ['an upper-case id', 'upper'],
      ['an overlong id', 'a'.repeat(300)],
    ])('when resend-logs/:id is asked for %s, then 404 Resend request not found', async (_what, which) => {
      const t = await bankTenant();
      const stranger = await bankTenant();
      const strangerTx = await createTransaction({ merchant_id: stranger.merchantId, kind: 'CASHOUT' });
      const strangers = requestIdOf(await resend({ resend_type: 'CASHOUT', object_reference_id: strangerTx.id }, stranger.apiKey));
      const own = requestIdOf(
        await resend({ resend_type: 'CASHOUT', object_reference_id: (await createTransaction({ merchant_id: t.merchantId, kind: 'CASHOUT' })).id }, t.apiKey),
      );
      const id = which === 'stranger' ? strangers : which === 'upper' ? own.toUpperCase() : which;

      const res = await resendLog(id, t.apiKey);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ worked: false, detail: 'Resend request not found' });
      // The owner does see it.
      expect((await resendLog(which === 'stranger' ? strangers : own, which === 'stranger' ? stranger.apiKey : t.apiKey)).status).toBe(200);
    });
  });
});
