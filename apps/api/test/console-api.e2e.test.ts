import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startWebhookReceiver, TEST_ADMIN_TOKEN, type WebhookReceiver } from '@wr/testing';
import { ensureConsoleBuilt } from './support/console-build.js';
import { mintLink, signIn, type ConsoleClient } from './support/console-session.js';
import { startHarness, type Harness, type Tenant } from './support/harness.js';

/**
 * The delivery console over HTTP (SPEC 6 `POST /v1/portal-sessions`, `/console`): one-time links,
 * the session cookie, the origin check, a session that sees only its merchant, the CSP, the
 * operator view behind the admin token, and the first page of a 100,000-row log.
 */

const basic = (password: string) => `Basic ${Buffer.from(`ops:${password}`).toString('base64')}`;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('delivery console API', () => {
  let h: Harness;
  let receiver: WebhookReceiver;
  let tenant: Tenant;
  let sibling: number; // a second merchant of the same account
  let stranger: Tenant; // another account
  let a: ConsoleClient;
  let ownTx: number;
  let siblingTx: number;
  let siblingLogId: number;

  beforeAll(async () => {
    ensureConsoleBuilt();
    h = await startHarness();
    receiver = await startWebhookReceiver();
    tenant = await h.createTenant({ webhookUrl: `${receiver.url}/a` });
    stranger = await h.createTenant({ webhookUrl: `${receiver.url}/s` });
    sibling = (await h.admin('POST', '/admin/merchants', { account_id: tenant.accountId, name: 'sibling', webhook_url: `${receiver.url}/b` })).body.id;
    ownTx = (await h.createTransaction({ merchant_id: tenant.merchant.id, external_id: 'order-a-1' })).id;
    siblingTx = (await h.createTransaction({ merchant_id: sibling, external_id: 'order-b-1' })).id;
    for (const id of [ownTx, ownTx, siblingTx]) expect((await h.request('POST', `/api/resend-webhook/${id}`, { token: tenant.apiKey })).status).toBe(200);
    siblingLogId = (await h.request('GET', `/v1/webhook-logs?merchant_id=${sibling}`, { token: tenant.apiKey })).body.data[0].id;
    a = await signIn(h, tenant.apiKey, tenant.merchant.id);
  });

  afterAll(async () => {
    await receiver?.close();
    await h?.close();
  });

  describe('POST /v1/portal-sessions', () => {
    it('when a platform mints a link for its merchant, then it gets a one-time URL into /console and its expiry (15 minutes)', async () => {
      const before = Date.now();
      const res = await h.request('POST', '/v1/portal-sessions', { token: tenant.apiKey, body: { merchant_id: tenant.merchant.id } });
      expect(res.status).toBe(201);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(Object.keys(res.body).sort()).toEqual(['expires_at', 'url']);
      expect(res.body.url).toMatch(new RegExp(`^${h.api.url}/console/sign-in#token=wrl_[A-Za-z0-9_-]{43}$`));
      const ttl = Date.parse(res.body.expires_at) - before;
      expect(ttl).toBeGreaterThan(899_000);
      expect(ttl).toBeLessThan(905_000);
    });

    it('when the link is stored, then only the digest of its token is: the table holds no token in clear', async () => {
      const { token } = await mintLink(h, tenant.apiKey, tenant.merchant.id);
      const rows = await h.db.dataSource.query('SELECT * FROM portal_sessions');
      expect(JSON.stringify(rows)).not.toContain(token);
      expect(JSON.stringify(rows)).not.toContain(token.slice(4));
      expect(rows.map((r: { link_hash: string }) => r.link_hash)).toContain(sha256(token));
    });

    it('when the merchant is not of the key\'s account, or the key is missing, or the body is bad, then 404, 401 and a 400 naming the field', async () => {
      const other = await h.request('POST', '/v1/portal-sessions', { token: tenant.apiKey, body: { merchant_id: stranger.merchant.id } });
      expect(other.status).toBe(404);
      expect(other.body).toEqual({ statusCode: 404, message: 'Merchant not found', error: 'Not Found' });
      expect((await h.request('POST', '/v1/portal-sessions', { body: { merchant_id: tenant.merchant.id } })).status).toBe(401);
      for (const body of [{}, { merchant_id: '303' }, { merchant_id: 0 }, { merchant_id: tenant.merchant.id, extra: 1 }]) {
        const res = await h.request('POST', '/v1/portal-sessions', { token: tenant.apiKey, body });
        expect(res.status).toBe(400);
        expect(res.body.message).toMatch(/"(merchant_id|extra)"/);
      }
    });
  });

  describe('signing in', () => {
    const exchange = (token: string, origin: string | null = h.api.url) =>
      fetch(`${h.api.url}/console/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) },
        body: JSON.stringify({ token }),
      });

    it('when the link\'s token is exchanged, then the answer sets an httpOnly, SameSite=Strict cookie scoped to /console for the merchant', async () => {
      const { token } = await mintLink(h, tenant.apiKey, tenant.merchant.id);
      const res = await exchange(token);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ merchant_id: tenant.merchant.id, merchant_name: expect.any(String) });
      const cookie = res.headers.getSetCookie()[0]!;
      expect(cookie).toMatch(/^wr_console=wrs_[A-Za-z0-9_-]{43}; Path=\/console; Expires=.+; HttpOnly; SameSite=Strict$/);
    });

    it('when the same link is exchanged twice, then the second is refused: a link works once', async () => {
      const { token } = await mintLink(h, tenant.apiKey, tenant.merchant.id);
      const [first, second] = [await exchange(token), await exchange(token)];
      expect(first.status).toBe(200);
      expect(second.status).toBe(401);
      expect(await second.json()).toMatchObject({ reason: 'link_unusable', message: 'This sign-in link has expired or has already been used' });
    });

    it('when the exchange comes without an Origin, or from another origin, then it is refused (403) and the link stays unspent', async () => {
      const { token } = await mintLink(h, tenant.apiKey, tenant.merchant.id);
      for (const origin of [null, 'https://evil.example', 'null']) {
        const res = await exchange(token, origin);
        expect({ origin, status: res.status }).toEqual({ origin, status: 403 });
        expect(res.headers.getSetCookie()).toEqual([]);
      }
      expect((await exchange(token)).status).toBe(200);
    });
  });

  describe('a session', () => {
    it('when it lists attempts, then only its merchant\'s are there, and no query can name another merchant', async () => {
      const page = await a.get('/console/api/attempts');
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBe(2);
      expect(new Set(page.body.data.map((l: { merchant_id: number }) => l.merchant_id))).toEqual(new Set([tenant.merchant.id]));
      const named = await a.get(`/console/api/attempts?merchant_id=${sibling}`);
      expect(named.status).toBe(400);
      expect(named.body.message).toBe('"merchant_id" is not allowed');
      expect((await a.get('/console/api/attempts?transaction=order-b-1')).body.data).toEqual([]);
    });

    it("when it asks for another merchant's attempt, replay or transaction by URL, then it gets 404 as if they did not exist", async () => {
      expect((await a.get(`/console/api/attempts/${siblingLogId}`)).status).toBe(404);
      expect((await a.post(`/console/api/transactions/${siblingTx}/resend`)).status).toBe(404);
      const replay = await h.request('POST', '/v1/replays', {
        token: tenant.apiKey,
        body: { merchant_id: sibling, from: '2020-01-01T00:00:00Z', to: '2020-01-01T01:00:00Z' },
      });
      expect(replay.status).toBe(201);
      const asked = await a.get(`/console/api/replays/${replay.body.id}`);
      expect(asked.status).toBe(404);
      expect(asked.body.message).toBe('Replay not found');
      const receivedBefore = receiver.received.length;
      expect((await a.post(`/console/api/transactions/${ownTx}/resend`)).body).toMatchObject({ delivered: true, http_status: 200 });
      expect(receiver.received.slice(receivedBefore).map((r) => r.path)).toEqual(['/a']);
    });

    it('when a state-changing call carries a foreign Origin, then it is refused (403) whatever the cookie', async () => {
      const sent = receiver.received.length;
      const res = await a.post(`/console/api/transactions/${ownTx}/resend`, {}, { origin: 'https://evil.example' });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ statusCode: 403, message: 'Cross-origin request refused', error: 'Forbidden' });
      expect(receiver.received.length).toBe(sent);
    });

    it('when its time is up, then every call answers 401 "Session expired"; without a cookie, 401 "Not signed in"', async () => {
      const b = await signIn(h, tenant.apiKey, tenant.merchant.id);
      expect((await b.get('/console/api/session')).status).toBe(200);
      const digest = sha256(b.cookie.split('=')[1]!);
      await h.db.dataSource.query(`UPDATE portal_sessions SET session_expires_at = now() - interval '1 second' WHERE session_hash = $1`, [digest]);
      const expired = await b.get('/console/api/endpoint');
      expect(expired.status).toBe(401);
      expect(expired.body).toEqual({ statusCode: 401, message: 'Session expired', error: 'Unauthorized', reason: 'session_expired' });
      const none = await fetch(`${h.api.url}/console/api/session`);
      expect(none.status).toBe(401);
      expect(await none.json()).toMatchObject({ reason: 'not_signed_in' });
    });

    it('when the merchant signs out, then the cookie is cleared and the session no longer works', async () => {
      const b = await signIn(h, tenant.apiKey, tenant.merchant.id);
      const out = await b.post('/console/api/session/end');
      expect(out.status).toBe(204);
      expect(out.headers.get('set-cookie')).toMatch(/^wr_console=; Path=\/console; Expires=Thu, 01 Jan 1970/);
      expect((await b.get('/console/api/session')).body.reason).toBe('session_expired');
    });

    it('when its input is bad, then a 400 names the field', async () => {
      expect((await a.get('/console/api/attempts?outcome=maybe')).body.message).toMatch(/^"outcome" must be one of/);
      expect((await a.post('/console/api/replays', { from: 'soon', to: '2026-01-01T00:00:00Z' })).body.message).toMatch(/^"from"/);
      const backwards = await a.post('/console/api/replays', { from: '2026-01-01T01:00:00Z', to: '2026-01-01T00:00:00Z', dry_run: true });
      expect(backwards.status).toBe(422);
      expect(backwards.body.message).toBe('"to" must be after "from"');
      expect((await a.post('/console/api/webhook-secret/rotate', { overlap_seconds: -1 })).status).toBe(400);
    });
  });

  describe('the pages', () => {
    it('when /console is served, then its CSP allows scripts and styles from itself only, and the page has nothing inline', async () => {
      for (const path of ['/console', '/console/', '/console/sign-in', '/console/expired']) {
        const res = await fetch(`${h.api.url}${path}`);
        expect({ path, status: res.status }).toEqual({ path, status: 200 });
        const csp = res.headers.get('content-security-policy') ?? '';
        expect(csp).toContain("script-src 'self'");
        expect(csp).toContain("style-src 'self'");
        expect(csp).toContain("frame-ancestors 'none'");
        expect(csp).not.toContain('unsafe-inline');
        const html = await res.text();
        expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
        expect(html).not.toMatch(/<style|\sstyle=/);
        expect(html).not.toMatch(/https?:\/\//);
      }
    });

    it('when an asset is asked for, then it is served with a long cache; an unknown one is a 404', async () => {
      const html = await (await fetch(`${h.api.url}/console/`)).text();
      const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)![1]!;
      const res = await fetch(`${h.api.url}${script}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/javascript/);
      expect(res.headers.get('cache-control')).toMatch(/immutable/);
      expect((await fetch(`${h.api.url}/console/assets/nope.js`)).status).toBe(404);
    });
  });

  describe('the operator view', () => {
    it('when /console/admin is opened without the admin token, then 401 with a Basic challenge, page and JSON alike', async () => {
      for (const path of ['/console/admin', '/console/admin/api/overview']) {
        for (const authorization of [undefined, basic('wrong-token-0123456789'), `Bearer ${TEST_ADMIN_TOKEN}`]) {
          const res = await fetch(`${h.api.url}${path}`, { headers: authorization ? { authorization } : {} });
          expect({ path, status: res.status }).toEqual({ path, status: 401 });
          expect(res.headers.get('www-authenticate')).toBe('Basic realm="Delivery console"');
        }
      }
    });

    it('when the operator asks for the overview, then failing endpoints come first, with jobs and the four queues', async () => {
      await h.db.dataSource.query(
        `INSERT INTO endpoint_health (merchant_id, state, consecutive_failures, failing_since) VALUES ($1, 'failing', 7, now())`,
        [stranger.merchant.id],
      );
      const res = await fetch(`${h.api.url}/console/admin/api/overview`, { headers: { authorization: basic(TEST_ADMIN_TOKEN) } });
      expect(res.status).toBe(200);
      const overview = (await res.json()) as any;
      expect(overview.endpoints[0]).toMatchObject({ merchant_id: stranger.merchant.id, state: 'failing', consecutive_failures: 7 });
      expect(overview.endpoints.map((e: { merchant_id: number }) => e.merchant_id)).toEqual(expect.arrayContaining([tenant.merchant.id, sibling]));
      expect(overview.jobs.length).toBeGreaterThan(0);
      expect(overview.jobs[0]).toMatchObject({ merchant_id: sibling, total: expect.any(Number), processed: expect.any(Number) });
      expect(overview.queues.map((q: { name: string }) => q.name).sort()).toEqual(['bulk-delivery', 'bulk-fanout', 'replay-schedules', 'webhook-delivery']);
      expect(overview.bull_board).toBe('/admin/queues');
    });
  });

  describe('with 100,000 audit rows', () => {
    it('when the merchant opens its log, then the first page (and a filtered one) answers in under a second', async () => {
      await h.db.dataSource.query(
        `INSERT INTO webhook_logs (account_id, merchant_id, transaction_id, webhook_id, status_id, trigger, url, url_source, attempt,
                                   http_status, duration_ms, outcome, error, response_body, sent_at)
         SELECT $1::integer, $2::integer, $3::bigint, 'msg_' || $3::text || '_3_' || i, 3, 'automatic', 'http://127.0.0.1:9/a', 'configured', 1,
                CASE WHEN i % 2 = 0 THEN 200 ELSE 500 END, 12, CASE WHEN i % 2 = 0 THEN 'success' ELSE 'http_error' END, NULL, '{}',
                now() - (i * interval '1 millisecond')
           FROM generate_series(1, 100000) AS i`,
        [tenant.accountId, tenant.merchant.id, ownTx],
      );
      await h.db.dataSource.query('ANALYZE webhook_logs');
      for (const query of ['', '?outcome=http_error', `?transaction=order-a-1&trigger=automatic`]) {
        const started = performance.now();
        const res = await a.get(`/console/api/attempts${query}`);
        const ms = performance.now() - started;
        expect({ query, status: res.status, rows: res.body.data.length, fast: ms < 1000 }).toEqual({ query, status: 200, rows: 25, fast: true });
        expect(res.body.next_cursor).toEqual(expect.any(String));
      }
    });
  });
});
