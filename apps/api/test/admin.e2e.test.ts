import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startWebhookReceiver, TEST_ADMIN_TOKEN, type WebhookReceiver } from '@wr/testing';
import { startHarness, type Harness, type Tenant } from './support/harness.js';

const UNAUTHORIZED = { statusCode: 401, message: 'Unauthorized', error: 'Unauthorized' };
const MALFORMED = { statusCode: 400, message: 'Malformed JSON body', error: 'Bad Request' };
const API_KEY_FORMAT = /^wrk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A valid BACEN end-to-end id, distinct per seed. */
function e2e(seed: number, prefix: 'E' | 'D' = 'E'): string {
  return prefix + String(seed).padStart(32, '0');
}


/** The secret part of an API key (`wrk_<id>_<secret>`; the secret, base64url, may itself hold `_`). */
function secretOf(apiKey: string): string {
  const secret = /^wrk_[0-9a-f]{16}_(.+)$/.exec(apiKey)?.[1];
  if (!secret) throw new Error(`not an API key: ${apiKey.slice(0, 4)}…`);
  return secret;
}

describe('admin API (SPEC 6): the platform core feed', () => {
  let h: Harness;
  let tenant: Tenant;

  beforeAll(async () => {
    h = await startHarness();
    tenant = await h.createTenant();
  });

  afterAll(async () => {
    await h.close();
  });

  const countTransactions = async (): Promise<number> =>
    (await h.db.dataSource.query('SELECT count(*)::int AS n FROM transactions'))[0].n;

  const tx = (fields: Record<string, unknown> = {}) => ({
    merchant_id: tenant.merchant.id,
    kind: 'CASHIN',
    status_id: 3,
    amount: 1500,
    notify: false,
    ...fields,
  });

  describe('authentication', () => {
    const endpoints: Array<[string, string]> = [
      ['POST', '/admin/accounts'],
      ['POST', '/admin/merchants'],
      ['PATCH', '/admin/merchants/1'],
      ['POST', '/admin/transactions'],
      ['POST', '/admin/transactions/batch'],
      ['PATCH', '/admin/transactions/1'],
      ['GET', '/admin/accounts'],
      ['GET', '/admin/accounts/1'],
      ['GET', '/admin/merchants'],
      ['GET', '/admin/merchants/1'],
      ['GET', '/admin/transactions?merchant_id=1'],
      ['GET', '/admin/transactions/1'],
      ['POST', '/admin/accounts/1/api-keys'],
      ['GET', '/admin/accounts/1/api-keys'],
      ['DELETE', '/admin/api-keys/0123456789abcdef'],
    ];

    it.each(endpoints)('when %s %s is called with no token, a wrong token or a client API key, then 401 with the documented body', async (method, path) => {
      const credentials: Array<[string, Record<string, string>]> = [
        ['none', {}],
        ['wrong bearer', { authorization: 'Bearer not-the-admin-token' }],
        ['admin token plus a character', { authorization: `Bearer ${TEST_ADMIN_TOKEN}x` }],
        ['admin token as a prefix', { authorization: `Bearer ${TEST_ADMIN_TOKEN.slice(0, -1)}` }],
        ['admin token under Basic', { authorization: `Basic ${Buffer.from(`admin:${TEST_ADMIN_TOKEN}`).toString('base64')}` }],
        ['client API key', { authorization: `Bearer ${tenant.apiKey}` }],
      ];
      for (const [what, headers] of credentials) {
        const res = await h.request(method, path, { headers, body: method === 'GET' ? undefined : { name: 'x' } });
        expect({ what, status: res.status, body: res.body }).toEqual({ what, status: 401, body: UNAUTHORIZED });
      }
    });

    it('when a request without credentials would have created something, then nothing is stored', async () => {
      const before = (await h.db.dataSource.query('SELECT count(*)::int AS n FROM accounts'))[0].n;
      const res = await h.request('POST', '/admin/accounts', { body: { name: 'sneaky' } });
      expect(res.status).toBe(401);
      const after = (await h.db.dataSource.query('SELECT count(*)::int AS n FROM accounts'))[0].n;
      expect(after).toBe(before);
    });
  });

  describe('POST /admin/accounts', () => {
    it('when an account is created, then 201 with id, name and a well-formed API key that works on client endpoints', async () => {
      const res = await h.admin('POST', '/admin/accounts', { name: 'Acme Payments' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ id: expect.any(Number), name: 'Acme Payments', api_key: expect.stringMatching(API_KEY_FORMAT) });
      const logs = await h.request('GET', '/v1/webhook-logs', { token: res.body.api_key });
      expect(logs.status).toBe(200);
      expect(logs.body).toEqual({ data: [], next_cursor: null });
    });

    it('when an account is created, then the database holds no plaintext of its key or its secret part', async () => {
      const res = await h.admin('POST', '/admin/accounts', { name: 'Hashed Keys Ltd' });
      expect(res.status).toBe(201);
      const key: string = res.body.api_key;
      const secret = key.split('_').slice(2).join('_');
      expect(secret).toHaveLength(43);
      const rows: Array<Record<string, unknown>> = await h.db.dataSource.query('SELECT * FROM api_keys WHERE account_id = $1', [res.body.id]);
      expect(rows).toHaveLength(1);
      for (const row of rows) {
        for (const [column, value] of Object.entries(row)) {
          const text = value instanceof Date ? value.toISOString() : String(value);
          expect({ column, containsKey: text.includes(key), containsSecret: text.includes(secret) }).toEqual({
            column,
            containsKey: false,
            containsSecret: false,
          });
        }
      }
      const whole = JSON.stringify(await h.db.dataSource.query('SELECT * FROM accounts WHERE id = $1', [res.body.id]));
      expect(whole).not.toContain(secret);
    });

    it('when two accounts are created, then their ids and keys differ', async () => {
      const a = await h.admin('POST', '/admin/accounts', { name: 'A' });
      const b = await h.admin('POST', '/admin/accounts', { name: 'B' });
      expect(a.body.id).not.toBe(b.body.id);
      expect(a.body.api_key).not.toBe(b.body.api_key);
    });

    it.each([
      ['no name', {}],
      ['an empty name', { name: '' }],
      ['a numeric name', { name: 42 }],
      ['an unknown field', { name: 'ok', extra: 1 }],
    ])('when the body has %s, then 400 naming the field', async (_what, body) => {
      const res = await h.admin('POST', '/admin/accounts', body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(res.body.message).toMatch(/"(name|extra)"/);
    });
  });

  describe('POST /admin/merchants', () => {
    it('when a merchant is created, then 201 with the merchant and a whsec_ secret', async () => {
      const res = await h.admin('POST', '/admin/merchants', {
        account_id: tenant.accountId,
        name: 'Loja Centro',
        branch_identifier: '0001',
        account_number: '12345-6',
        webhook_url: 'http://127.0.0.1:9/hooks',
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        id: expect.any(Number),
        account_id: tenant.accountId,
        name: 'Loja Centro',
        branch_identifier: '0001',
        account_number: '12345-6',
        webhook_url: 'http://127.0.0.1:9/hooks',
        webhook_secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/=]{16,}$/),
      });
      const rows = await h.db.dataSource.query('SELECT name, account_id FROM merchants WHERE id = $1', [res.body.id]);
      expect(rows).toEqual([{ name: 'Loja Centro', account_id: tenant.accountId }]);
    });

    it('when two merchants are created, then their webhook secrets differ', async () => {
      const a = await h.admin('POST', '/admin/merchants', { account_id: tenant.accountId, name: 's1' });
      const b = await h.admin('POST', '/admin/merchants', { account_id: tenant.accountId, name: 's2' });
      expect(a.status).toBe(201);
      expect(b.status).toBe(201);
      expect(a.body.webhook_secret).not.toBe(b.body.webhook_secret);
    });

    it('when an explicit id is given, then it is honoured and a later merchant without id gets another id', async () => {
      const explicit = await h.admin('POST', '/admin/merchants', { account_id: tenant.accountId, name: 'Imported 303', id: 303 });
      expect(explicit.status).toBe(201);
      expect(explicit.body.id).toBe(303);
      const later = await h.admin('POST', '/admin/merchants', { account_id: tenant.accountId, name: 'After 303' });
      expect(later.status).toBe(201);
      expect(later.body.id).not.toBe(303);
    });

    it('when an explicit id takes the next sequence value, then the following merchant without id does not collide', async () => {
      const auto = await h.admin('POST', '/admin/merchants', { account_id: tenant.accountId, name: 'auto 1' });
      expect(auto.status).toBe(201);
      const next = auto.body.id + 1;
      const explicit = await h.admin('POST', '/admin/merchants', { account_id: tenant.accountId, name: 'explicit next', id: next });
      expect(explicit.status).toBe(201);
      expect(explicit.body.id).toBe(next);
      const again = await h.admin('POST', '/admin/merchants', { account_id: tenant.accountId, name: 'auto 2' });
      expect(again.status).toBe(201);
      expect(again.body.id).not.toBe(next);
      expect(again.body.id).not.toBe(auto.body.id);
    });

    it('when the id is already taken, then 409 naming id and the first merchant is untouched', async () => {
      const first = await h.admin('POST', '/admin/merchants', { account_id: tenant.accountId, name: 'Original', id: 4040 });
      expect(first.status).toBe(201);
      const dup = await h.admin('POST', '/admin/merchants', { account_id: tenant.accountId, name: 'Usurper', id: 4040 });
      expect(dup.status).toBe(409);
      expect(dup.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
      expect(dup.body.message).toMatch(/"id"/);
      const rows = await h.db.dataSource.query('SELECT name FROM merchants WHERE id = 4040');
      expect(rows).toEqual([{ name: 'Original' }]);
    });

    it('when the branch and account number are already used, then 409 naming them', async () => {
      const bank = { branch_identifier: '7777', account_number: 'ACC-1' };
      const first = await h.admin('POST', '/admin/merchants', { account_id: tenant.accountId, name: 'Bank 1', ...bank });
      expect(first.status).toBe(201);
      const dup = await h.admin('POST', '/admin/merchants', { account_id: tenant.accountId, name: 'Bank 2', ...bank });
      expect(dup.status).toBe(409);
      expect(dup.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
      expect(dup.body.message).toMatch(/branch_identifier|account_number/);
      // The same account number under another branch is a different bank account.
      const other = await h.admin('POST', '/admin/merchants', { account_id: tenant.accountId, name: 'Bank 3', branch_identifier: '7778', account_number: 'ACC-1' });
      expect(other.status).toBe(201);
    });

    it('when a branch is given without an account number (or the reverse), then 400 naming the missing field', async () => {
      const noAccount = await h.admin('POST', '/admin/merchants', { account_id: tenant.accountId, name: 'half', branch_identifier: '0001' });
      expect(noAccount.status).toBe(400);
      expect(noAccount.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(noAccount.body.message).toMatch(/account_number/);
      const noBranch = await h.admin('POST', '/admin/merchants', { account_id: tenant.accountId, name: 'half', account_number: '99' });
      expect(noBranch.status).toBe(400);
      expect(noBranch.body.message).toMatch(/branch_identifier/);
    });

    it('when account_id names no account, then 422 naming account_id', async () => {
      const res = await h.admin('POST', '/admin/merchants', { account_id: 987654, name: 'orphan' });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ statusCode: 422 });
      expect(res.body.message).toMatch(/account_id/);
    });

    it.each([
      ['not a URL', 'not a url'],
      ['a non-http scheme', 'ftp://127.0.0.1/hooks'],
      ['a number', 42],
      ['an empty string', ''],
    ])('when webhook_url is %s, then 400 naming webhook_url', async (_what, url) => {
      const res = await h.admin('POST', '/admin/merchants', { account_id: tenant.accountId, name: 'bad url', webhook_url: url });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(res.body.message).toMatch(/"webhook_url"/);
    });

    it.each([
      ['account_id', { name: 'x' }],
      ['name', { account_id: 1 }],
      ['id', { account_id: 1, name: 'x', id: -5 }],
      ['id', { account_id: 1, name: 'x', id: 1.5 }],
      ['id', { account_id: 1, name: 'x', id: 2_147_483_648 }],
    ])('when %s is missing or invalid, then 400 naming it', async (field, body) => {
      const res = await h.admin('POST', '/admin/merchants', body);
      expect(res.status).toBe(400);
      expect(res.body.message).toContain(`"${field}"`);
    });
  });

  describe('PATCH /admin/merchants/:id', () => {
    let merchantId: number;

    beforeAll(async () => {
      const res = await h.admin('POST', '/admin/merchants', { account_id: tenant.accountId, name: 'Before', webhook_url: 'http://127.0.0.1:9/before' });
      merchantId = res.body.id;
    });

    it('when the name changes, then 200 with the new name and the URL kept', async () => {
      const res = await h.admin('PATCH', `/admin/merchants/${merchantId}`, { name: 'After' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: merchantId, account_id: tenant.accountId, name: 'After', webhook_url: 'http://127.0.0.1:9/before' });
      const rows = await h.db.dataSource.query('SELECT name, webhook_url FROM merchants WHERE id = $1', [merchantId]);
      expect(rows).toEqual([{ name: 'After', webhook_url: 'http://127.0.0.1:9/before' }]);
    });

    it('when webhook_url changes, then it is stored and the name kept', async () => {
      const res = await h.admin('PATCH', `/admin/merchants/${merchantId}`, { webhook_url: 'https://127.0.0.1:8443/new' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: 'After', webhook_url: 'https://127.0.0.1:8443/new' });
    });

    it('when webhook_url is null, then it is cleared', async () => {
      const res = await h.admin('PATCH', `/admin/merchants/${merchantId}`, { webhook_url: null });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: merchantId, name: 'After', webhook_url: null });
      const rows = await h.db.dataSource.query('SELECT webhook_url FROM merchants WHERE id = $1', [merchantId]);
      expect(rows).toEqual([{ webhook_url: null }]);
    });

    it('when the merchant does not exist, then 404', async () => {
      const res = await h.admin('PATCH', '/admin/merchants/999999', { name: 'ghost' });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ statusCode: 404, message: 'Merchant not found', error: 'Not Found' });
    });

    it.each(['abc', '0', '-1', '1.5', '99999999999999999999'])('when the id is %j, then 404 rather than 400 or 500', async (id) => {
      const res = await h.admin('PATCH', `/admin/merchants/${id}`, { name: 'ghost' });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ statusCode: 404, message: 'Merchant not found', error: 'Not Found' });
    });

    it('when the body is empty, then 400 and nothing changes', async () => {
      for (const body of [{}, undefined]) {
        const res = await h.admin('PATCH', `/admin/merchants/${merchantId}`, body);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      }
      const rows = await h.db.dataSource.query('SELECT name FROM merchants WHERE id = $1', [merchantId]);
      expect(rows).toEqual([{ name: 'After' }]);
    });

    it.each([
      ['webhook_url', { webhook_url: 'nope' }],
      ['name', { name: '' }],
      ['account_id', { account_id: 2 }],
      ['webhook_secret', { webhook_secret: 'whsec_mine' }],
    ])('when %s is invalid or not patchable, then 400 naming it', async (field, body) => {
      const res = await h.admin('PATCH', `/admin/merchants/${merchantId}`, body);
      expect(res.status).toBe(400);
      expect(res.body.message).toContain(`"${field}"`);
    });
  });

  describe('POST /admin/transactions', () => {
    it('when a transaction is created, then 201 with the full transaction', async () => {
      const before = Date.now();
      const res = await h.admin('POST', '/admin/transactions', tx({ external_id: 'order-shape', end_to_end_id: e2e(1), data: { payer: 'Ana', items: [1, 2] } }));
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(Number),
        merchant_id: tenant.merchant.id,
        kind: 'CASHIN',
        external_id: 'order-shape',
        end_to_end_id: e2e(1),
        status_id: 3,
        status: 'Paid',
        amount: 1500,
        data: { payer: 'Ana', items: [1, 2] },
        status_changed_at: expect.stringMatching(ISO),
        sequence: 1,
        created_at: expect.stringMatching(ISO),
      });
      expect(Date.parse(res.body.status_changed_at)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(res.body.status_changed_at)).toBeLessThanOrEqual(Date.now() + 1000);
      const rows = await h.db.dataSource.query('SELECT merchant_id, kind, external_id, status_id, amount::text FROM transactions WHERE id = $1', [res.body.id]);
      expect(rows).toEqual([{ merchant_id: tenant.merchant.id, kind: 'CASHIN', external_id: 'order-shape', status_id: 3, amount: '1500' }]);
    });

    it('when optional fields are left out, then they come back null and data is {}', async () => {
      const res = await h.admin('POST', '/admin/transactions', tx({ kind: 'CASHOUT', status_id: 1, amount: 0 }));
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ kind: 'CASHOUT', status_id: 1, status: 'Pending', amount: 0, external_id: null, end_to_end_id: null, data: {} });
    });

    it('when an explicit id and status_changed_at are given, then both are honoured (ids beyond 32 bits included)', async () => {
      const id = 5_000_000_001;
      const res = await h.admin('POST', '/admin/transactions', tx({ id, status_changed_at: '2026-11-22T12:00:00.000Z', external_id: 'explicit-id' }));
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ id, status_changed_at: '2026-11-22T12:00:00.000Z' });
      const next = await h.admin('POST', '/admin/transactions', tx());
      expect(next.status).toBe(201);
      expect(next.body.id).not.toBe(id);
      const dup = await h.admin('POST', '/admin/transactions', tx({ id }));
      expect(dup.status).toBe(409);
      expect(dup.body.message).toMatch(/"id"/);
    });

    it('when a large amount is given, then it round-trips exactly', async () => {
      const amount = 90_071_992_547_409; // beyond 32 bits, within safe integers
      const res = await h.admin('POST', '/admin/transactions', tx({ amount }));
      expect(res.status).toBe(201);
      expect(res.body.amount).toBe(amount);
    });

    it.each([
      ['kind', { kind: 'REFUND' }],
      ['kind', { kind: 'cashin' }],
      ['status_id', { status_id: 0 }],
      ['status_id', { status_id: 11 }],
      ['status_id', { status_id: 2.5 }],
      ['amount', { amount: -1 }],
      ['amount', { amount: 10.5 }],
      ['amount', { amount: 'lots' }],
      ['end_to_end_id', { end_to_end_id: 'E123' }],
      ['end_to_end_id', { end_to_end_id: 'X' + '0'.repeat(32) }],
      ['end_to_end_id', { end_to_end_id: 'E' + '0'.repeat(31) + '-' }],
      ['external_id', { external_id: 'has spaces in it' }],
      ['external_id', { external_id: 'x'.repeat(129) }],
      ['external_id', { external_id: '' }],
      ['id', { id: 0 }],
      ['id', { id: -3 }],
      ['status_changed_at', { status_changed_at: 'yesterday' }],
      ['data', { data: 'text' }],
      ['notify', { notify: 'sometimes' }],
      ['merchant_id', { merchant_id: 'abc' }],
      ['merchant_id', { merchant_id: undefined }],
      ['kind', { kind: undefined }],
      ['status_id', { status_id: undefined }],
      ['amount', { amount: undefined }],
    ])('when %s is invalid or missing (%j), then 400 naming it and nothing is stored', async (field, fields) => {
      const before = await countTransactions();
      const res = await h.admin('POST', '/admin/transactions', tx(fields));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(res.body.message).toContain(`"${field}"`);
      expect(await countTransactions()).toBe(before);
    });

    it('when merchant_id names no merchant, then 422 naming merchant_id', async () => {
      const res = await h.admin('POST', '/admin/transactions', tx({ merchant_id: 888888 }));
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ statusCode: 422 });
      expect(res.body.message).toMatch(/merchant_id/);
    });

    it('when external_id repeats for the same merchant, then 409 naming external_id; on another merchant it is fine', async () => {
      const first = await h.admin('POST', '/admin/transactions', tx({ external_id: 'order-dup' }));
      expect(first.status).toBe(201);
      const before = await countTransactions();
      const dup = await h.admin('POST', '/admin/transactions', tx({ external_id: 'order-dup', amount: 99 }));
      expect(dup.status).toBe(409);
      expect(dup.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
      expect(dup.body.message).toMatch(/external_id/);
      expect(await countTransactions()).toBe(before);
      const other = await h.createTenant();
      const elsewhere = await h.admin('POST', '/admin/transactions', tx({ merchant_id: other.merchant.id, external_id: 'order-dup' }));
      expect(elsewhere.status).toBe(201);
      expect(elsewhere.body).toMatchObject({ merchant_id: other.merchant.id, external_id: 'order-dup' });
    });

    it('when end_to_end_id repeats (even on another merchant), then 409 naming end_to_end_id', async () => {
      const first = await h.admin('POST', '/admin/transactions', tx({ end_to_end_id: e2e(77, 'D') }));
      expect(first.status).toBe(201);
      const other = await h.createTenant();
      for (const merchantId of [tenant.merchant.id, other.merchant.id]) {
        const dup = await h.admin('POST', '/admin/transactions', tx({ merchant_id: merchantId, end_to_end_id: e2e(77, 'D') }));
        expect(dup.status).toBe(409);
        expect(dup.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
        expect(dup.body.message).toMatch(/end_to_end_id/);
      }
    });
  });

  describe('POST /admin/transactions/batch', () => {
    it('when 10,000 transactions are sent with notify:false, then 201 with every id in input order', async () => {
      const merchant = await h.createTenant();
      const transactions = Array.from({ length: 10_000 }, (_, i) => ({
        merchant_id: merchant.merchant.id,
        kind: i % 2 === 0 ? 'CASHIN' : 'CASHOUT',
        status_id: (i % 10) + 1,
        amount: i,
        external_id: `bulk-${i}`,
        end_to_end_id: i % 3 === 0 ? e2e(1_000_000 + i) : undefined,
        status_changed_at: new Date(Date.UTC(2026, 10, 22, 12, 0, 0) + i * 1000).toISOString(),
        data: { n: i },
      }));
      const started = Date.now();
      const res = await h.admin('POST', '/admin/transactions/batch', { transactions, notify: false });
      const elapsed = Date.now() - started;
      expect(res.status).toBe(201);
      expect(res.body.count).toBe(10_000);
      expect(res.body.ids).toHaveLength(10_000);
      expect(Object.keys(res.body).sort()).toEqual(['count', 'ids']);
      expect(new Set(res.body.ids).size).toBe(10_000);
      expect(elapsed).toBeLessThan(20_000);

      const rows: Array<{ id: string; external_id: string; amount: string; kind: string; status_id: number; data: { n: number } }> =
        await h.db.dataSource.query('SELECT id::text, external_id, amount::text, kind, status_id, data FROM transactions WHERE merchant_id = $1', [merchant.merchant.id]);
      expect(rows).toHaveLength(10_000);
      const byId = new Map(rows.map((r) => [Number(r.id), r]));
      const mismatches = (res.body.ids as number[]).flatMap((id, i) => {
        const row = byId.get(id);
        const ok =
          row &&
          row.external_id === `bulk-${i}` &&
          Number(row.amount) === i &&
          row.kind === transactions[i]!.kind &&
          row.status_id === transactions[i]!.status_id &&
          row.data.n === i;
        return ok ? [] : [{ i, id, row }];
      });
      expect(mismatches.slice(0, 5)).toEqual([]);
    });

    it('when explicit and generated ids are mixed, then the answer lists them in input order', async () => {
      const base = { merchant_id: tenant.merchant.id, kind: 'CASHIN', status_id: 3, amount: 1 };
      const res = await h.admin('POST', '/admin/transactions/batch', {
        notify: false,
        transactions: [
          { ...base, external_id: 'mix-0' },
          { ...base, external_id: 'mix-1', id: 7_000_000_000 },
          { ...base, external_id: 'mix-2' },
          { ...base, external_id: 'mix-3', id: 6_000_000_000 },
        ],
      });
      expect(res.status).toBe(201);
      expect(res.body.count).toBe(4);
      expect(res.body.ids[1]).toBe(7_000_000_000);
      expect(res.body.ids[3]).toBe(6_000_000_000);
      const rows: Array<{ id: string; external_id: string }> = await h.db.dataSource.query(
        "SELECT id::text, external_id FROM transactions WHERE external_id LIKE 'mix-%' AND merchant_id = $1",
        [tenant.merchant.id],
      );
      const byExternal = new Map(rows.map((r) => [r.external_id, Number(r.id)]));
      expect(res.body.ids).toEqual([byExternal.get('mix-0'), byExternal.get('mix-1'), byExternal.get('mix-2'), byExternal.get('mix-3')]);
      // The sequence moved past the explicit ids: the next generated id is free.
      const next = await h.admin('POST', '/admin/transactions', tx());
      expect(next.status).toBe(201);
      expect(res.body.ids).not.toContain(next.body.id);
    });

    const batchOf = (n: number, prefix: string) =>
      Array.from({ length: n }, (_, i) => ({
        merchant_id: tenant.merchant.id,
        kind: 'CASHIN',
        status_id: 3,
        amount: 100 + i,
        external_id: `${prefix}-${i}`,
      }));

    const expectNothingStored = async (prefix: string, totalBefore: number) => {
      const rows = await h.db.dataSource.query('SELECT count(*)::int AS n FROM transactions WHERE external_id LIKE $1', [`${prefix}-%`]);
      expect(rows[0].n).toBe(0);
      expect(await countTransactions()).toBe(totalBefore);
    };

    it('when row 5 names an unknown merchant, then 422 naming transactions[5].merchant_id and nothing is stored', async () => {
      const before = await countTransactions();
      const transactions = batchOf(10, 'badmerchant');
      transactions[5]!.merchant_id = 777777;
      const res = await h.admin('POST', '/admin/transactions/batch', { transactions, notify: false });
      expect(res.status).toBe(422);
      expect(res.body.message).toContain('transactions[5].merchant_id');
      await expectNothingStored('badmerchant', before);
    });

    it('when row 4 has an invalid amount, then 400 naming transactions[4].amount and nothing is stored', async () => {
      const before = await countTransactions();
      const transactions: Array<Record<string, unknown>> = batchOf(10, 'badamount');
      transactions[4]!.amount = -10;
      const res = await h.admin('POST', '/admin/transactions/batch', { transactions, notify: false });
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('transactions[4].amount');
      await expectNothingStored('badamount', before);
    });

    it('when row 7 repeats the external_id of row 2, then 409 naming transactions[7].external_id and nothing is stored', async () => {
      const before = await countTransactions();
      const transactions = batchOf(10, 'innerdup');
      transactions[7]!.external_id = transactions[2]!.external_id;
      const res = await h.admin('POST', '/admin/transactions/batch', { transactions, notify: false });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
      expect(res.body.message).toContain('transactions[7].external_id');
      await expectNothingStored('innerdup', before);
    });

    it('when row 6 repeats the end_to_end_id of row 1, then 409 naming transactions[6].end_to_end_id and nothing is stored', async () => {
      const before = await countTransactions();
      const transactions: Array<Record<string, unknown>> = batchOf(10, 'innere2e');
      transactions[1]!.end_to_end_id = e2e(4242);
      transactions[6]!.end_to_end_id = e2e(4242);
      const res = await h.admin('POST', '/admin/transactions/batch', { transactions, notify: false });
      expect(res.status).toBe(409);
      expect(res.body.message).toContain('transactions[6].end_to_end_id');
      await expectNothingStored('innere2e', before);
    });

    it('when row 3 repeats an external_id already in the database, then 409 naming transactions[3].external_id and nothing is stored', async () => {
      const existing = await h.admin('POST', '/admin/transactions', tx({ external_id: 'already-there' }));
      expect(existing.status).toBe(201);
      const before = await countTransactions();
      const transactions = batchOf(10, 'dbdup');
      transactions[3]!.external_id = 'already-there';
      const res = await h.admin('POST', '/admin/transactions/batch', { transactions, notify: false });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
      expect(res.body.message).toMatch(/external_id/);
      await expectNothingStored('dbdup', before);
      // In a batch of thousands, the client must be told which row collided.
      expect(res.body.message).toContain('transactions[3].external_id');
    });

    it('when row 8 repeats an end_to_end_id already in the database, then 409 naming end_to_end_id and nothing is stored', async () => {
      const existing = await h.admin('POST', '/admin/transactions', tx({ end_to_end_id: e2e(5151) }));
      expect(existing.status).toBe(201);
      const before = await countTransactions();
      const transactions: Array<Record<string, unknown>> = batchOf(10, 'dbe2e');
      transactions[8]!.end_to_end_id = e2e(5151);
      const res = await h.admin('POST', '/admin/transactions/batch', { transactions, notify: false });
      expect(res.status).toBe(409);
      expect(res.body.message).toMatch(/end_to_end_id/);
      await expectNothingStored('dbe2e', before);
    });

    it('when 10,001 transactions are sent, then 400 naming transactions and nothing is stored', async () => {
      const before = await countTransactions();
      const res = await h.admin('POST', '/admin/transactions/batch', { transactions: batchOf(10_001, 'toomany'), notify: false });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(res.body.message).toContain('"transactions"');
      await expectNothingStored('toomany', before);
    });

    it.each([
      ['an empty array', { transactions: [] }],
      ['no transactions field', {}],
      ['transactions as an object', { transactions: { merchant_id: 1 } }],
    ])('when the batch has %s, then 400 naming transactions', async (_what, body) => {
      const res = await h.admin('POST', '/admin/transactions/batch', body);
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('"transactions"');
    });
  });

  describe('PATCH /admin/transactions/:id', () => {
    it('when the status changes, then 200 with the new status and a newer status_changed_at', async () => {
      const created = await h.createTransaction({ merchant_id: tenant.merchant.id, status_id: 1, status_changed_at: '2026-01-01T00:00:00.000Z', external_id: 'patch-me' });
      const before = Date.now();
      const res = await h.admin('PATCH', `/admin/transactions/${created.id}`, { status_id: 3 });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...created, status_id: 3, status: 'Paid', status_changed_at: expect.stringMatching(ISO), sequence: 2 });
      expect(Date.parse(res.body.status_changed_at)).toBeGreaterThan(Date.parse(created.status_changed_at));
      expect(Date.parse(res.body.status_changed_at)).toBeGreaterThanOrEqual(before - 1000);
      const rows = await h.db.dataSource.query('SELECT status_id FROM transactions WHERE id = $1', [created.id]);
      expect(rows).toEqual([{ status_id: 3 }]);
    });

    it('when status_changed_at is given, then it is honoured', async () => {
      const created = await h.createTransaction({ merchant_id: tenant.merchant.id, status_id: 3, status_changed_at: '2026-11-01T00:00:00.000Z' });
      const res = await h.admin('PATCH', `/admin/transactions/${created.id}`, { status_id: 4, status_changed_at: '2026-11-22T15:30:00.000Z' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: created.id, status_id: 4, status: 'Credited', status_changed_at: '2026-11-22T15:30:00.000Z', sequence: 2 });
    });

    it('when the given status_changed_at is not later than the stored one, then 409 naming it and nothing changes', async () => {
      const created = await h.createTransaction({ merchant_id: tenant.merchant.id, status_id: 3, status_changed_at: '2026-11-22T15:30:00.000Z' });
      for (const at of ['2026-11-22T15:29:59.999Z', '2026-11-22T15:30:00.000Z']) {
        const res = await h.admin('PATCH', `/admin/transactions/${created.id}`, { status_id: 4, status_changed_at: at });
        expect(res.status).toBe(409);
        expect(res.body.message).toContain('"status_changed_at" must be later than');
      }
      const rows = await h.db.dataSource.query('SELECT status_id, sequence FROM transactions WHERE id = $1', [created.id]);
      expect(rows).toEqual([{ status_id: 3, sequence: 1 }]);
    });

    it('when the transaction does not exist, then 404', async () => {
      for (const id of ['987654321', 'abc', '0']) {
        const res = await h.admin('PATCH', `/admin/transactions/${id}`, { status_id: 3 });
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ statusCode: 404, message: 'Transaction not found', error: 'Not Found' });
      }
    });

    it.each([
      ['status 42', { status_id: 42 }],
      ['status 0', { status_id: 0 }],
      ['a missing status', {}],
      ['a bad timestamp', { status_id: 3, status_changed_at: 'noon' }],
    ])('when the body has %s, then 400 naming the field and the transaction is unchanged', async (_what, body) => {
      const created = await h.createTransaction({ merchant_id: tenant.merchant.id, status_id: 2 });
      const res = await h.admin('PATCH', `/admin/transactions/${created.id}`, body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(res.body.message).toMatch(/"(status_id|status_changed_at)"/);
      const rows = await h.db.dataSource.query('SELECT status_id FROM transactions WHERE id = $1', [created.id]);
      expect(rows).toEqual([{ status_id: 2 }]);
    });
  });

  /** Every page of a list, following `next_cursor` until it is null. */
  async function walk(path: string, limit: number): Promise<Array<Array<Record<string, any>>>> {
    const pages: Array<Array<Record<string, any>>> = [];
    let cursor: string | null = null;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const res = await h.admin('GET', `${path}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['data', 'next_cursor']);
      pages.push(res.body.data);
      cursor = res.body.next_cursor;
      if (pages.length > 50) throw new Error('the cursor does not end');
    } while (cursor !== null);
    return pages;
  }

  const notFound = (message: string) => ({ statusCode: 404, message, error: 'Not Found' });

  describe('GET /admin/accounts and /admin/accounts/:id', () => {
    it('when an account is read, then 200 with id, name and created_at, and never a key', async () => {
      const created = await h.admin('POST', '/admin/accounts', { name: 'Readable' });
      const res = await h.admin('GET', `/admin/accounts/${created.body.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ id: created.body.id, name: 'Readable', created_at: created.body.created_at });
      expect(res.text).not.toContain(secretOf(created.body.api_key));
    });

    it.each(['987654', 'abc', '0', '-1', '1.5', '99999999999999999999'])('when the account id is %j, then 404 Account not found', async (id) => {
      const res = await h.admin('GET', `/admin/accounts/${id}`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual(notFound('Account not found'));
    });

    it('when accounts are listed 2 at a time, then the cursor walks them all, newest first, each once', async () => {
      for (const name of ['Page A', 'Page B', 'Page C']) await h.admin('POST', '/admin/accounts', { name });
      const pages = await walk('/admin/accounts', 2);
      expect(pages.length).toBeGreaterThanOrEqual(2);
      expect(pages.slice(0, -1).every((p) => p.length === 2)).toBe(true);
      const ids = pages.flat().map((a) => a.id);
      const stored: number[] = (await h.db.dataSource.query('SELECT id FROM accounts ORDER BY id DESC')).map((r: { id: number }) => r.id);
      expect(ids).toEqual(stored);
      expect(pages[0]![0]).toEqual({ id: stored[0], name: 'Page C', created_at: expect.stringMatching(ISO) });
    });

    it('when no limit is given, then 50 come back', async () => {
      await h.db.dataSource.query(`INSERT INTO accounts (name) SELECT 'filler' FROM generate_series(1, 51)`);
      const res = await h.admin('GET', '/admin/accounts');
      expect(res.status).toBe(200);
      expect(res.body.data).toHaveLength(50);
      expect(res.body.next_cursor).toEqual(expect.any(String));
    });

    it.each([
      ['limit', 'limit=0'],
      ['limit', 'limit=201'],
      ['limit', 'limit=ten'],
      ['cursor', 'cursor=not-a-cursor'],
      ['cursor', `cursor=${Buffer.from('account:0').toString('base64url')}`],
      ['cursor', `cursor=${Buffer.from('merchant:5').toString('base64url')}`],
      ['cursor', `cursor=${'A'.repeat(65)}`],
      ['colour', 'colour=blue'],
    ])('when the query has a bad %s (%s), then 400 naming it', async (field, query) => {
      const res = await h.admin('GET', `/admin/accounts?${query}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(res.body.message).toContain(`"${field}"`);
    });
  });

  describe('GET /admin/merchants and /admin/merchants/:id', () => {
    let account: { id: number; api_key: string };
    const merchants: Array<Record<string, any>> = [];

    beforeAll(async () => {
      account = (await h.admin('POST', '/admin/accounts', { name: 'Many merchants' })).body;
      for (const n of [1, 2, 3]) {
        const res = await h.admin('POST', '/admin/merchants', {
          account_id: account.id,
          name: `Listed ${n}`,
          branch_identifier: '4242',
          account_number: `LIST-${n}`,
          webhook_url: `http://127.0.0.1:9/listed-${n}`,
          max_concurrency: 3,
        });
        expect(res.status).toBe(201);
        merchants.push(res.body);
      }
    });

    it('when a merchant is read, then 200 with every field POST answered except its webhook secret', async () => {
      const { webhook_secret: secret, ...withoutSecret } = merchants[1]!;
      const res = await h.admin('GET', `/admin/merchants/${merchants[1]!.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(withoutSecret);
      expect(res.body).not.toHaveProperty('webhook_secret');
      expect(secret).toMatch(/^whsec_/);
      expect(res.text).not.toContain(secret);
      expect(res.text).not.toContain(secret.slice('whsec_'.length));
    });

    it.each(['987654', 'abc', '0', '2147483648'])('when the merchant id is %j, then 404 Merchant not found', async (id) => {
      const res = await h.admin('GET', `/admin/merchants/${id}`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual(notFound('Merchant not found'));
    });

    it("when one account's merchants are listed 2 at a time, then two pages hold exactly them, newest first, without secrets", async () => {
      const pages = await walk(`/admin/merchants?account_id=${account.id}`, 2);
      expect(pages.map((p) => p.map((m) => m.name))).toEqual([['Listed 3', 'Listed 2'], ['Listed 1']]);
      const { webhook_secret: _secret, ...first } = merchants[2]!;
      expect(pages[0]![0]).toEqual(first);
      const text = JSON.stringify(pages);
      for (const m of merchants) expect(text).not.toContain(m.webhook_secret.slice('whsec_'.length));
      expect(text).not.toContain('webhook_secret');
    });

    it('when merchants are listed without an account filter, then every merchant appears once, without secrets', async () => {
      const pages = await walk('/admin/merchants', 5);
      const ids = pages.flat().map((m) => m.id);
      const stored: number[] = (await h.db.dataSource.query('SELECT id FROM merchants ORDER BY id DESC')).map((r: { id: number }) => r.id);
      expect(ids).toEqual(stored);
      expect(JSON.stringify(pages)).not.toContain('webhook_secret');
    });

    it('when the account has no merchants or does not exist, then an empty page', async () => {
      const res = await h.admin('GET', '/admin/merchants?account_id=987654');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ data: [], next_cursor: null });
    });

    it.each([
      ['account_id', 'account_id=abc'],
      ['account_id', 'account_id=0'],
      ['limit', 'limit=-5'],
      ['cursor', `cursor=${Buffer.from('account:5').toString('base64url')}`],
    ])('when the query has a bad %s (%s), then 400 naming it', async (field, query) => {
      const res = await h.admin('GET', `/admin/merchants?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.message).toContain(`"${field}"`);
    });
  });

  describe('GET /admin/transactions and /admin/transactions/:id', () => {
    it('when a transaction is read, then 200 with what POST answered', async () => {
      const created = await h.createTransaction({ merchant_id: tenant.merchant.id, external_id: 'read-me', data: { a: 1 } });
      const res = await h.admin('GET', `/admin/transactions/${created.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(created);
    });

    it.each(['987654321', 'abc', '0', '99999999999999999999'])('when the transaction id is %j, then 404 Transaction not found', async (id) => {
      const res = await h.admin('GET', `/admin/transactions/${id}`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual(notFound('Transaction not found'));
    });

    it("when a merchant's transactions are listed 2 at a time, then two pages hold exactly them, newest first", async () => {
      const other = await h.createTenant();
      const ids = await h.seedTransactions(other.merchant.id, [
        { at: '2026-05-01T10:00:00Z' },
        { at: '2026-05-01T10:01:00Z', kind: 'CASHOUT', status_id: 8 },
        { at: '2026-05-01T10:02:00Z' },
      ]);
      const pages = await walk(`/admin/transactions?merchant_id=${other.merchant.id}`, 2);
      expect(pages.map((p) => p.map((t) => t.id))).toEqual([[ids[2], ids[1]], [ids[0]]]);
      expect(pages[0]![1]).toMatchObject({ id: ids[1], merchant_id: other.merchant.id, kind: 'CASHOUT', status_id: 8, status: 'Confirmed' });
    });

    it('when the merchant has no transactions or does not exist, then an empty page', async () => {
      const res = await h.admin('GET', '/admin/transactions?merchant_id=987654');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ data: [], next_cursor: null });
    });

    it.each([
      ['merchant_id', ''],
      ['merchant_id', 'merchant_id=abc'],
      ['limit', 'merchant_id=1&limit=500'],
      ['cursor', 'merchant_id=1&cursor=%%%'],
      ['cursor', `merchant_id=1&cursor=${Buffer.from('merchant:5').toString('base64url')}`],
    ])('when the query has a bad %s (%s), then 400 naming it', async (field, query) => {
      const res = await h.admin('GET', `/admin/transactions?${query}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(res.body.message).toContain(`"${field}"`);
    });
  });

  describe('API keys: POST/GET /admin/accounts/:id/api-keys, DELETE /admin/api-keys/:id', () => {
    let account: { id: number; api_key: string };
    let second: Record<string, any>;
    const clientCall = (key: string) => h.request('GET', '/v1/webhook-logs', { token: key });

    beforeAll(async () => {
      account = (await h.admin('POST', '/admin/accounts', { name: 'Two keys' })).body;
    });

    it('when a second key is issued, then 201 with id, prefix and the key, and both keys work on client endpoints', async () => {
      const res = await h.admin('POST', `/admin/accounts/${account.id}/api-keys`);
      expect(res.status).toBe(201);
      second = res.body;
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{16}$/),
        account_id: account.id,
        api_key: expect.stringMatching(API_KEY_FORMAT),
        prefix: `wrk_${res.body.id}`,
        created_at: expect.stringMatching(ISO),
      });
      expect(res.body.api_key.startsWith(`${res.body.prefix}_`)).toBe(true);
      expect(res.body.api_key).not.toBe(account.api_key);
      expect((await clientCall(res.body.api_key)).status).toBe(200);
      expect((await clientCall(account.api_key)).status).toBe(200);
    });

    it('when the keys are listed, then only ids, prefixes and times, newest first, never a key or its hash', async () => {
      const res = await h.admin('GET', `/admin/accounts/${account.id}/api-keys`);
      expect(res.status).toBe(200);
      const firstId = account.api_key.split('_')[1]!;
      expect(res.body).toEqual({
        data: [
          { id: second.id, prefix: second.prefix, created_at: second.created_at, revoked_at: null },
          { id: firstId, prefix: `wrk_${firstId}`, created_at: expect.stringMatching(ISO), revoked_at: null },
        ],
      });
      const hashes: Array<{ secret_hash: string }> = await h.db.dataSource.query('SELECT secret_hash FROM api_keys WHERE account_id = $1', [account.id]);
      for (const secret of [account.api_key, second.api_key].map(secretOf)) expect(res.text).not.toContain(secret);
      for (const { secret_hash } of hashes) expect(res.text).not.toContain(secret_hash);
    });

    it('when a key is revoked, then 204, that key gets 401 and the other still works', async () => {
      const res = await h.admin('DELETE', `/admin/api-keys/${second.id}`);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      const revoked = await clientCall(second.api_key);
      expect(revoked.status).toBe(401);
      expect(revoked.body).toEqual(UNAUTHORIZED);
      expect((await clientCall(account.api_key)).status).toBe(200);
      const list = await h.admin('GET', `/admin/accounts/${account.id}/api-keys`);
      expect(list.body.data.find((k: { id: string }) => k.id === second.id).revoked_at).toEqual(expect.stringMatching(ISO));
    });

    it('when a revoked key is revoked again, then 204 and its revocation time is kept', async () => {
      const before = (await h.admin('GET', `/admin/accounts/${account.id}/api-keys`)).body.data;
      const res = await h.admin('DELETE', `/admin/api-keys/${second.id}`);
      expect(res.status).toBe(204);
      const after = (await h.admin('GET', `/admin/accounts/${account.id}/api-keys`)).body.data;
      expect(after).toEqual(before);
      expect((await clientCall(second.api_key)).status).toBe(401);
    });

    it('when the last key is revoked, then the account has no working key until another is issued', async () => {
      const firstId = account.api_key.split('_')[1]!;
      expect((await h.admin('DELETE', `/admin/api-keys/${firstId}`)).status).toBe(204);
      expect((await clientCall(account.api_key)).status).toBe(401);
      const third = await h.admin('POST', `/admin/accounts/${account.id}/api-keys`);
      expect((await clientCall(third.body.api_key)).status).toBe(200);
    });

    it.each(['0123456789abcdef', 'ABCDEF0123456789', 'short', 'wrk_0123456789abcdef'])('when the key id %j names no key, then 404', async (id) => {
      const res = await h.admin('DELETE', `/admin/api-keys/${id}`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual(notFound('API key not found'));
    });

    it('when the account does not exist, then issuing and listing keys are 404 and nothing is stored', async () => {
      const before = (await h.db.dataSource.query('SELECT count(*)::int AS n FROM api_keys'))[0].n;
      for (const [method, path] of [
        ['POST', '/admin/accounts/987654/api-keys'],
        ['GET', '/admin/accounts/987654/api-keys'],
        ['POST', '/admin/accounts/abc/api-keys'],
        ['GET', '/admin/accounts/0/api-keys'],
      ] as const) {
        const res = await h.admin(method, path);
        expect({ path, status: res.status, body: res.body }).toEqual({ path, status: 404, body: notFound('Account not found') });
      }
      expect((await h.db.dataSource.query('SELECT count(*)::int AS n FROM api_keys'))[0].n).toBe(before);
    });
  });

  describe('PATCH /admin/merchants/:id: the bank account', () => {
    let merchantId: number;
    const bankOf = async (id: number) =>
      (await h.db.dataSource.query('SELECT branch_identifier, account_number FROM merchants WHERE id = $1', [id]))[0];

    beforeAll(async () => {
      merchantId = (await h.admin('POST', '/admin/merchants', { account_id: tenant.accountId, name: 'No bank yet' })).body.id;
      await h.admin('POST', '/admin/merchants', { account_id: tenant.accountId, name: 'Holder', branch_identifier: '5150', account_number: 'TAKEN-1' });
    });

    it('when both fields are given, then 200 with them and they are stored', async () => {
      const res = await h.admin('PATCH', `/admin/merchants/${merchantId}`, { branch_identifier: '5150', account_number: 'MINE-1' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: merchantId, name: 'No bank yet', branch_identifier: '5150', account_number: 'MINE-1' });
      expect(res.body).not.toHaveProperty('webhook_secret');
      expect(await bankOf(merchantId)).toEqual({ branch_identifier: '5150', account_number: 'MINE-1' });
    });

    it('when the merchant is given its own bank account again, then 200 (no clash with itself)', async () => {
      const res = await h.admin('PATCH', `/admin/merchants/${merchantId}`, { branch_identifier: '5150', account_number: 'MINE-1', name: 'Same bank' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: 'Same bank', branch_identifier: '5150', account_number: 'MINE-1' });
    });

    it("when another merchant's bank account is given, then 409 naming account_number and nothing changes", async () => {
      const res = await h.admin('PATCH', `/admin/merchants/${merchantId}`, { branch_identifier: '5150', account_number: 'TAKEN-1', name: 'Thief' });
      expect(res.status).toBe(409);
      expect(res.body).toEqual({
        statusCode: 409,
        message: 'A merchant with this "branch_identifier" and "account_number" already exists',
        error: 'Conflict',
      });
      expect(await bankOf(merchantId)).toEqual({ branch_identifier: '5150', account_number: 'MINE-1' });
      expect((await h.db.dataSource.query('SELECT name FROM merchants WHERE id = $1', [merchantId]))[0].name).toBe('Same bank');
    });

    it.each([
      ['account_number', { branch_identifier: '0001' }],
      ['branch_identifier', { account_number: '123' }],
      ['account_number', { branch_identifier: null }],
      ['account_number', { branch_identifier: null, account_number: '123' }],
      ['account_number', { branch_identifier: '0001', account_number: null }],
      ['branch_identifier', { branch_identifier: 'abc', account_number: '123' }],
      ['account_number', { branch_identifier: '0001', account_number: 'has space' }],
      ['account_number', { branch_identifier: '0001', account_number: 42 }],
    ])('when the bank account is half or malformed, then 400 naming %s and nothing changes', async (field, body) => {
      const res = await h.admin('PATCH', `/admin/merchants/${merchantId}`, body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(res.body.message).toContain(`"${field}"`);
      expect(await bankOf(merchantId)).toEqual({ branch_identifier: '5150', account_number: 'MINE-1' });
    });

    it('when both fields are null, then the bank account is cleared and the freed one can be taken', async () => {
      const res = await h.admin('PATCH', `/admin/merchants/${merchantId}`, { branch_identifier: null, account_number: null });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ branch_identifier: null, account_number: null });
      expect(await bankOf(merchantId)).toEqual({ branch_identifier: null, account_number: null });
      const reuse = await h.admin('POST', '/admin/merchants', { account_id: tenant.accountId, name: 'Reuser', branch_identifier: '5150', account_number: 'MINE-1' });
      expect(reuse.status).toBe(201);
    });
  });

  describe('request bodies', () => {
    it.each([
      ['POST', '/admin/accounts'],
      ['POST', '/admin/merchants'],
      ['POST', '/admin/transactions'],
      ['POST', '/admin/transactions/batch'],
      ['PATCH', '/admin/merchants/1'],
      ['PATCH', '/admin/transactions/1'],
    ])('when %s %s gets malformed JSON, then 400 with the documented body', async (method, path) => {
      const res = await h.request(method, path, { token: TEST_ADMIN_TOKEN, body: '{"name": ' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(MALFORMED);
    });

    it.each([
      ['a JSON array', '[{"name":"x"}]'],
      ['a JSON string', '"just a string"'],
      ['a JSON number', '42'],
      ['JSON null', 'null'],
    ])('when the body is %s, then 400 and no account is created', async (_what, body) => {
      const before = (await h.db.dataSource.query('SELECT count(*)::int AS n FROM accounts'))[0].n;
      const res = await h.request('POST', '/admin/accounts', { token: TEST_ADMIN_TOKEN, body });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      const after = (await h.db.dataSource.query('SELECT count(*)::int AS n FROM accounts'))[0].n;
      expect(after).toBe(before);
    });

    it('when a 100 KB body is sent to /admin/accounts, then 413', async () => {
      const res = await h.admin('POST', '/admin/accounts', { name: 'x'.repeat(100 * 1024) });
      expect(res.status).toBe(413);
      expect(res.body).toEqual({ statusCode: 413, message: 'Request body too large', error: 'Payload Too Large' });
    });

    it('when the content type is missing or text/plain, then the JSON is still read', async () => {
      const res = await h.request('POST', '/admin/accounts', {
        token: TEST_ADMIN_TOKEN,
        body: '{"name":"plain"}',
        headers: { 'content-type': 'text/plain' },
      });
      expect(res.status).toBe(201);
      expect(res.body.name).toBe('plain');
    });
  });
});

describe('admin status changes reach the merchant (automatic webhook)', () => {
  let h: Harness;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    h = await startHarness({ worker: true });
    receiver = await startWebhookReceiver();
  });

  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  it('when a transaction is created with notify:false and later PATCHed, then only the PATCH sends a webhook, with the new status', async () => {
    const tenant = await h.createTenant({ webhookUrl: `${receiver.url}/auto` });
    const created = await h.createTransaction({ merchant_id: tenant.merchant.id, status_id: 6, external_id: 'auto-1' });
    const res = await h.admin('PATCH', `/admin/transactions/${created.id}`, { status_id: 8 });
    expect(res.status).toBe(200);
    const [hook] = await receiver.waitForCount(1, 10_000);
    expect(hook!.path).toBe('/auto');
    expect(JSON.parse(hook!.body)).toMatchObject({ transactionId: created.id, externalId: 'auto-1', statusId: 8, status: 'Confirmed', statusChangedAt: res.body.status_changed_at });
    await h.untilIdle();
    expect(receiver.received).toHaveLength(1);
  });

  it('when a transaction is created with the default notify, then its webhook goes out', async () => {
    const tenant = await h.createTenant({ webhookUrl: `${receiver.url}/created` });
    // Counted before the request: the webhook may arrive before the answer does.
    const before = receiver.received.length;
    const res = await h.admin('POST', '/admin/transactions', { merchant_id: tenant.merchant.id, kind: 'CASHOUT', status_id: 2, amount: 10 });
    expect(res.status).toBe(201);
    const hooks = await receiver.waitForCount(before + 1, 10_000);
    const hook = hooks.find((x) => x.path === '/created');
    expect(hook).toBeDefined();
    expect(JSON.parse(hook!.body)).toMatchObject({ transactionId: res.body.id, kind: 'CASHOUT', statusId: 2, status: 'Canceled' });
  });
});
