import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startWebhookReceiver, waitFor, type WebhookReceiver } from '@wr/testing';
import { startHarness, type Harness, type HttpAnswer, type Tenant } from './support/harness.js';

/** The fields SPEC 2 documents for an audit row, as the API names them. */
const LOG_FIELDS = [
  'id',
  'transaction_id',
  'merchant_id',
  'webhook_id',
  'status_id',
  'trigger',
  'resend_job_id',
  'url',
  'url_source',
  'attempt',
  'http_status',
  'duration_ms',
  'outcome',
  'error',
  'response_body',
  'sent_at',
].sort();

const NOT_FOUND = { statusCode: 404, message: 'Webhook log not found', error: 'Not Found' };

/** One audit row produced by the setup, as the resend call that produced it reported it. */
interface Produced {
  id: number;
  sentAt: string;
  transactionId: number;
  merchantId: number;
  outcome: 'success' | 'http_error';
  url: string;
  urlSource: 'configured' | 'override';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('GET /v1/webhook-logs and GET /v1/webhook-logs/:id (audit trail)', () => {
  let h: Harness;
  let ok: WebhookReceiver;
  let failing: WebhookReceiver;
  let a: Tenant;
  let b: Tenant;
  let aSecondMerchantId: number;
  let txA1: any;
  let txA2: any;
  let txA3: any;
  let txAuto: any;
  let txB: any;
  /** Account A's automatic delivery row (the oldest of A's rows). */
  let autoRow: any;
  /** Account A's manual rows, oldest first. */
  const manual: Produced[] = [];
  /** Account B's only row. */
  let bRow: Produced;

  const list = (query: string, token = a.apiKey) => h.request('GET', `/v1/webhook-logs${query}`, { token });
  const ids = (res: HttpAnswer) => (res.body.data as Array<{ id: number }>).map((row) => row.id);
  /** Manual rows by their 1-based creation order, newest first as the API lists them. */
  const m = (...positions: number[]) => positions.map((p) => manual[p - 1]!.id);

  const resend = async (token: string, tx: any, url?: string): Promise<HttpAnswer> =>
    h.request('POST', `/api/resend-webhook/${tx.id}`, { token, body: url ? { url } : undefined });

  beforeAll(async () => {
    h = await startHarness({ worker: true });
    ok = await startWebhookReceiver();
    failing = await startWebhookReceiver({ status: 500, body: 'boom' });
    a = await h.createTenant({ webhookUrl: `${ok.url}/a` });
    const second = await h.admin('POST', '/admin/merchants', { account_id: a.accountId, name: 'A second merchant', webhook_url: `${ok.url}/a2` });
    if (second.status !== 201) throw new Error(`merchant: ${second.text}`);
    aSecondMerchantId = second.body.id;
    b = await h.createTenant({ webhookUrl: `${ok.url}/b` });

    // One automatic delivery (through the worker) so the trail holds more than one trigger.
    txAuto = await h.createTransaction({ merchant_id: a.merchant.id, external_id: 'auto-1', notify: true });
    await waitFor(
      async () => (await list('?trigger=automatic')).body.data?.length === 1,
      15_000,
      'the automatic delivery audit row',
    );
    autoRow = (await list('?trigger=automatic')).body.data[0];

    txA1 = await h.createTransaction({ merchant_id: a.merchant.id, external_id: 'a-1' });
    txA2 = await h.createTransaction({ merchant_id: a.merchant.id, external_id: 'a-2' });
    txA3 = await h.createTransaction({ merchant_id: aSecondMerchantId, external_id: 'a-3' });
    txB = await h.createTransaction({ merchant_id: b.merchant.id, external_id: 'b-1' });

    const plan: Array<{ tx: any; merchantId: number; url?: string; configuredUrl: string }> = [
      { tx: txA1, merchantId: a.merchant.id, configuredUrl: `${ok.url}/a` },
      { tx: txA1, merchantId: a.merchant.id, url: `${failing.url}/fail`, configuredUrl: `${ok.url}/a` },
      { tx: txA2, merchantId: a.merchant.id, configuredUrl: `${ok.url}/a` },
      { tx: txA3, merchantId: aSecondMerchantId, configuredUrl: `${ok.url}/a2` },
      { tx: txA3, merchantId: aSecondMerchantId, url: `${failing.url}/fail`, configuredUrl: `${ok.url}/a2` },
    ];
    for (const step of plan) {
      // Distinct milliseconds between rows, so time-range filters have room between them.
      await sleep(30);
      const res = await resend(a.apiKey, step.tx, step.url);
      if (res.status !== 200 && res.status !== 502) throw new Error(`resend: ${res.status} ${res.text}`);
      manual.push({
        id: res.body.webhookLogId,
        sentAt: res.body.sentAt,
        transactionId: step.tx.id,
        merchantId: step.merchantId,
        outcome: res.status === 200 ? 'success' : 'http_error',
        url: step.url ?? step.configuredUrl,
        urlSource: step.url ? 'override' : 'configured',
      });
    }
    await sleep(30);
    const resB = await resend(b.apiKey, txB);
    if (resB.status !== 200) throw new Error(`resend B: ${resB.status} ${resB.text}`);
    bRow = {
      id: resB.body.webhookLogId,
      sentAt: resB.body.sentAt,
      transactionId: txB.id,
      merchantId: b.merchant.id,
      outcome: 'success',
      url: `${ok.url}/b`,
      urlSource: 'configured',
    };
  }, 60_000);

  afterAll(async () => {
    await ok?.close();
    await failing?.close();
    await h?.close();
  });

  describe('listing', () => {
    it('when the account lists its trail, then every attempt is there, newest first, and there is no next page', async () => {
      const res = await list('');
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['data', 'next_cursor']);
      expect(ids(res)).toEqual([...m(5, 4, 3, 2, 1), autoRow.id]);
      expect(res.body.next_cursor).toBeNull();
      const sentAts = (res.body.data as Array<{ sent_at: string }>).map((row) => Date.parse(row.sent_at));
      expect([...sentAts].sort((x, y) => y - x)).toEqual(sentAts);
    });

    it('when a row is listed, then it carries exactly the documented snake_case fields with the values of its attempt', async () => {
      const res = await list('');
      const byId = new Map((res.body.data as any[]).map((row) => [row.id, row]));
      for (const produced of manual) {
        const row = byId.get(produced.id);
        expect(Object.keys(row).sort()).toEqual(LOG_FIELDS);
        expect(row).toEqual({
          id: produced.id,
          transaction_id: produced.transactionId,
          merchant_id: produced.merchantId,
          webhook_id: expect.any(String),
          status_id: 3,
          trigger: 'manual',
          resend_job_id: null,
          url: produced.url,
          url_source: produced.urlSource,
          attempt: 1,
          http_status: produced.outcome === 'success' ? 200 : 500,
          duration_ms: expect.any(Number),
          outcome: produced.outcome,
          error: produced.outcome === 'success' ? null : expect.stringContaining('500'),
          response_body: produced.outcome === 'success' ? '{"ok":true}' : 'boom',
          sent_at: produced.sentAt,
        });
        expect(row.duration_ms).toBeGreaterThanOrEqual(0);
        expect(row.webhook_id.length).toBeGreaterThan(0);
      }
      expect(byId.get(autoRow.id)).toMatchObject({
        transaction_id: txAuto.id,
        merchant_id: a.merchant.id,
        trigger: 'automatic',
        resend_job_id: null,
        url: `${ok.url}/a`,
        url_source: 'configured',
        attempt: 1,
        http_status: 200,
        outcome: 'success',
        error: null,
      });
      expect(Object.keys(byId.get(autoRow.id)).sort()).toEqual(LOG_FIELDS);
    });

    it('when the same transaction status is sent twice, then both rows share one webhook_id that differs from other transactions', async () => {
      const res = await list('');
      const byId = new Map((res.body.data as any[]).map((row) => [row.id, row]));
      const [first, second, other] = m(1, 2, 3).map((id) => byId.get(id));
      expect(first.webhook_id).toBe(second.webhook_id);
      expect(other.webhook_id).not.toBe(first.webhook_id);
    });

    it('when one row is fetched by id, then it equals its entry in the list', async () => {
      const listed = (await list('')).body.data as any[];
      for (const row of listed) {
        const res = await h.request('GET', `/v1/webhook-logs/${row.id}`, { token: a.apiKey });
        expect(res.status).toBe(200);
        expect(res.body).toEqual(row);
      }
    });

    it('when no API key is sent, then 401 with the documented body', async () => {
      for (const path of ['/v1/webhook-logs', `/v1/webhook-logs/${manual[0]!.id}`]) {
        const res = await h.request('GET', path);
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ statusCode: 401, message: 'Unauthorized', error: 'Unauthorized' });
      }
    });
  });

  describe('filters', () => {
    it('when filtered by transaction_id, then only that transaction’s attempts are listed', async () => {
      expect(ids(await list(`?transaction_id=${txA1.id}`))).toEqual(m(2, 1));
      expect(ids(await list(`?transaction_id=${txA3.id}`))).toEqual(m(5, 4));
      expect(ids(await list(`?transaction_id=${txAuto.id}`))).toEqual([autoRow.id]);
    });

    it('when filtered by merchant_id, then only that merchant’s attempts are listed', async () => {
      expect(ids(await list(`?merchant_id=${aSecondMerchantId}`))).toEqual(m(5, 4));
      expect(ids(await list(`?merchant_id=${a.merchant.id}`))).toEqual([...m(3, 2, 1), autoRow.id]);
    });

    it('when filtered by trigger, then only attempts with that trigger are listed', async () => {
      expect(ids(await list('?trigger=manual'))).toEqual(m(5, 4, 3, 2, 1));
      expect(ids(await list('?trigger=automatic'))).toEqual([autoRow.id]);
      const none = await list('?trigger=bulk');
      expect(none.status).toBe(200);
      expect(none.body).toEqual({ data: [], next_cursor: null });
    });

    it('when filtered by outcome, then only attempts with that outcome are listed', async () => {
      expect(ids(await list('?outcome=http_error'))).toEqual(m(5, 2));
      expect(ids(await list('?outcome=success'))).toEqual([...m(4, 3, 1), autoRow.id]);
      expect((await list('?outcome=timeout')).body).toEqual({ data: [], next_cursor: null });
    });

    it('when filters are combined, then a row must match all of them', async () => {
      expect(ids(await list(`?merchant_id=${a.merchant.id}&outcome=success&trigger=manual`))).toEqual(m(3, 1));
      expect(ids(await list(`?transaction_id=${txA1.id}&outcome=http_error`))).toEqual(m(2));
      expect(ids(await list(`?transaction_id=${txA2.id}&outcome=http_error`))).toEqual([]);
    });

    it('when a from/to time range is given, then only attempts sent inside it are listed', async () => {
      const between = (older: number, newer: number) =>
        new Date((Date.parse(manual[older - 1]!.sentAt) + Date.parse(manual[newer - 1]!.sentAt)) / 2).toISOString();
      const from = between(1, 2);
      const to = between(3, 4);
      expect(ids(await list(`?from=${encodeURIComponent(from)}`))).toEqual(m(5, 4, 3, 2));
      expect(ids(await list(`?to=${encodeURIComponent(to)}`))).toEqual([...m(3, 2, 1), autoRow.id]);
      expect(ids(await list(`?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`))).toEqual(m(3, 2));
      expect(ids(await list(`?from=${encodeURIComponent(between(4, 5))}&outcome=http_error`))).toEqual(m(5));
      const future = new Date(Date.now() + 3_600_000).toISOString();
      expect((await list(`?from=${encodeURIComponent(future)}`)).body).toEqual({ data: [], next_cursor: null });
    });
  });

  describe('cursor pagination', () => {
    /** Follows next_cursor from the first page to the last, returning every page's ids. */
    const walk = async (query: string): Promise<{ pages: number[][]; lastCursor: unknown }> => {
      const pages: number[][] = [];
      let res = await list(query);
      for (;;) {
        expect(res.status).toBe(200);
        pages.push(ids(res));
        if (res.body.next_cursor === null || pages.length > 20) break;
        expect(typeof res.body.next_cursor).toBe('string');
        res = await list(`${query}&cursor=${encodeURIComponent(res.body.next_cursor)}`);
      }
      return { pages, lastCursor: res.body.next_cursor };
    };

    it('when 5 rows are paged with limit=2, then following next_cursor visits every row once, in order, and the last page has next_cursor null', async () => {
      const { pages, lastCursor } = await walk('?trigger=manual&limit=2');
      expect(pages).toEqual([m(5, 4), m(3, 2), m(1)]);
      expect(lastCursor).toBeNull();
      const visited = pages.flat();
      expect(new Set(visited).size).toBe(visited.length);
      expect(visited).toEqual(m(5, 4, 3, 2, 1));
    });

    it('when the last page is exactly full, then its next_cursor is null', async () => {
      const { pages, lastCursor } = await walk('?limit=2');
      expect(pages).toEqual([m(5, 4), m(3, 2), [manual[0]!.id, autoRow.id]]);
      expect(lastCursor).toBeNull();
      const exact = await list('?trigger=manual&limit=5');
      expect(ids(exact)).toEqual(m(5, 4, 3, 2, 1));
      expect(exact.body.next_cursor).toBeNull();
    });

    it('when limit is omitted, then all six rows fit on one page', async () => {
      const res = await list('');
      expect(res.body.data).toHaveLength(6);
      expect(res.body.next_cursor).toBeNull();
    });
  });

  describe('bad query input', () => {
    it.each([
      ['limit=0', 'limit'],
      ['limit=1000', 'limit'],
      ['limit=abc', 'limit'],
      ['outcome=bogus', 'outcome'],
      ['trigger=bogus', 'trigger'],
      ['transaction_id=abc', 'transaction_id'],
      ['merchant_id=-1', 'merchant_id'],
      ['from=notadate', 'from'],
      ['to=notadate', 'to'],
      ['cursor=garbage', 'cursor'],
      ['colour=blue', 'colour'],
      ['outcome=success&outcome=timeout', 'outcome'],
    ])('when the query is ?%s, then 400 names "%s"', async (query, param) => {
      const res = await list(`?${query}`);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ statusCode: 400, message: expect.stringContaining(`"${param}"`), error: 'Bad Request' });
    });
  });

  describe('tenant isolation', () => {
    it('when account B lists, then it sees only its own row, never account A’s', async () => {
      const res = await list('', b.apiKey);
      expect(res.status).toBe(200);
      expect(ids(res)).toEqual([bRow.id]);
      expect(res.body.data[0]).toMatchObject({ transaction_id: txB.id, merchant_id: b.merchant.id, url: bRow.url });
      const aIds = (await list('')).body.data.map((row: { id: number }) => row.id);
      expect(aIds).not.toContain(bRow.id);
    });

    it('when account B filters by account A’s transaction_id or merchant_id, then the list is empty', async () => {
      for (const query of [
        `?transaction_id=${txA1.id}`,
        `?transaction_id=${txA3.id}`,
        `?merchant_id=${a.merchant.id}`,
        `?merchant_id=${aSecondMerchantId}`,
        `?merchant_id=${a.merchant.id}&outcome=http_error`,
      ]) {
        const res = await list(query, b.apiKey);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ data: [], next_cursor: null });
      }
    });

    it('when account B pages with a cursor from account A, then it still sees only its own rows', async () => {
      const aPage = await list('?limit=1');
      const res = await list(`?cursor=${encodeURIComponent(aPage.body.next_cursor)}`, b.apiKey);
      expect(res.status).toBe(200);
      for (const row of res.body.data) expect(row.merchant_id).toBe(b.merchant.id);
      expect(ids(res).filter((id) => manual.some((p) => p.id === id))).toEqual([]);
    });

    it('when account B fetches account A’s row by id, then 404 exactly as for an id that does not exist', async () => {
      const missing = await h.request('GET', '/v1/webhook-logs/987654321', { token: b.apiKey });
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual(NOT_FOUND);
      for (const produced of [...manual, { id: autoRow.id }]) {
        const res = await h.request('GET', `/v1/webhook-logs/${produced.id}`, { token: b.apiKey });
        expect(res.status).toBe(missing.status);
        expect(res.text).toBe(missing.text);
      }
      const reverse = await h.request('GET', `/v1/webhook-logs/${bRow.id}`, { token: a.apiKey });
      expect(reverse.status).toBe(404);
      expect(reverse.body).toEqual(NOT_FOUND);
    });

    it.each([
      ['non-numeric', 'abc'],
      ['zero', '0'],
      ['negative', '-1'],
      ['fractional', '1.5'],
      ['exponent', '1e3'],
      ['hex', '0x10'],
      ['an encoded space', '%20'],
      ['an encoded NUL', '%00'],
      ['past int4 but unused', '2147483648'],
      ['past MAX_SAFE_INTEGER', '9007199254740993'],
      ['past bigint', '99999999999999999999'],
      ['300 digits long', '1'.repeat(300)],
    ])('when the id is %s, then 404 Webhook log not found', async (_what, id) => {
      const res = await h.request('GET', `/v1/webhook-logs/${id}`, { token: a.apiKey });
      expect(res.status).toBe(404);
      expect(res.body).toEqual(NOT_FOUND);
    });
  });
});
