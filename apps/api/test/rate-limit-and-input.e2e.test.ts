import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startWebhookReceiver, type WebhookReceiver } from '@wr/testing';
import { startApiServer, type RunningApi } from '../src/server.js';
import { startHarness, type Harness, type HttpAnswer, type Tenant } from './support/harness.js';

const NO_SUCH_TRANSACTION = '999999';
const TOO_MANY = { statusCode: 429, message: 'Too Many Requests' };
const NOT_FOUND_ROUTE = { statusCode: 404, message: 'Not Found', error: 'Not Found' };
const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Raw HTTP to any API instance: headers exactly as given, body a string or bytes sent as is. */
async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; headers?: Record<string, string>; body?: string | Uint8Array } = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body: options.body });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON; keep the text (the assertions below will say so)
  }
  return { status: res.status, headers: res.headers, body, text };
}

/**
 * What a client may see for hostile input: one of the expected statuses, never a 5xx, a JSON body
 * whose statusCode is the HTTP status, a request id, and nothing of the server's insides.
 */
function expectCleanAnswer(res: HttpAnswer, allowed: number[]): void {
  expect(allowed).toContain(res.status);
  expect(res.status).toBeLessThan(500);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(typeof res.body).toBe('object');
  expect(res.body).not.toBeNull();
  if (res.status >= 400) {
    expect(res.body.statusCode).toBe(res.status);
    expect(typeof res.body.message).toBe('string');
  }
  expect(res.text).not.toMatch(/\bat\s+\S+.*:\d+:\d+/);
  expect(res.text).not.toMatch(/\n\s+at /);
  expect(res.text).not.toContain('SELECT');
  expect(res.text).not.toContain('QueryFailedError');
  expect(res.text).not.toContain('node_modules');
  expect(res.text).not.toContain('"stack"');
  expect(res.headers.get('x-request-id')).toMatch(SANE_REQUEST_ID);
}

describe('rate limit on POST /api/resend-webhook/:identifier (60 a minute per account)', () => {
  let h: Harness;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    h = await startHarness();
    expect(h.config.resendRateLimitPerMinute).toBe(60);
    receiver = await startWebhookReceiver();
  });

  afterAll(async () => {
    await receiver?.close();
    await h?.close();
  });

  describe('one API instance', () => {
    let limited: Tenant;
    const firstSixty: number[] = [];

    beforeAll(async () => {
      limited = await h.createTenant({ webhookUrl: `${receiver.url}/limited` });
      for (let i = 0; i < 60; i++) {
        const res = await call(h.api.url, 'POST', `/api/resend-webhook/${NO_SUCH_TRANSACTION}`, { token: limited.apiKey });
        firstSixty.push(res.status);
      }
    });

    it('when an account makes its first 60 calls in a minute, then none of them is 429', () => {
      expect(firstSixty).toHaveLength(60);
      expect(firstSixty).toEqual(Array(60).fill(404));
    });

    it('when the same account makes a 61st call, then 429 with the documented body and a Retry-After of at most 60 s', async () => {
      const res = await call(h.api.url, 'POST', `/api/resend-webhook/${NO_SUCH_TRANSACTION}`, { token: limited.apiKey });
      expect(res.status).toBe(429);
      expect(res.body).toEqual(TOO_MANY);
      const retryAfter = res.headers.get('retry-after');
      expect(retryAfter).toMatch(/^[1-9][0-9]*$/);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(retryAfter)).toBeLessThanOrEqual(60);
      expect(res.headers.get('x-request-id')).toMatch(SANE_REQUEST_ID);
    });

    it('when the limited account names a real transaction, then it is still 429 and nothing is delivered or audited', async () => {
      const tx = await h.createTransaction({ merchant_id: limited.merchant.id });
      const before = receiver.received.length;
      const res = await call(h.api.url, 'POST', `/api/resend-webhook/${tx.id}`, { token: limited.apiKey });
      expect(res.status).toBe(429);
      expect(res.body).toEqual(TOO_MANY);
      expect(receiver.received.length).toBe(before);
      const rows = await h.db.dataSource.query('SELECT count(*)::int AS n FROM webhook_logs WHERE transaction_id = $1', [tx.id]);
      expect(rows[0].n).toBe(0);
    });

    it('when a second account calls while the first is limited, then it is answered normally (404), not 429', async () => {
      const other = await h.createTenant({ webhookUrl: `${receiver.url}/other` });
      const res = await call(h.api.url, 'POST', `/api/resend-webhook/${NO_SUCH_TRANSACTION}`, { token: other.apiKey });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ statusCode: 404, message: 'Transaction not found', error: 'Not Found' });
      const tx = await h.createTransaction({ merchant_id: other.merchant.id });
      const delivered = await call(h.api.url, 'POST', `/api/resend-webhook/${tx.id}`, { token: other.apiKey });
      expect(delivered.status).toBe(200);
      expect(receiver.received.at(-1)!.path).toBe('/other');
    });
  });

  describe('two API instances sharing one count', () => {
    let second: RunningApi;
    let tenant: Tenant;

    beforeAll(async () => {
      second = await startApiServer(h.config);
      tenant = await h.createTenant({ webhookUrl: `${receiver.url}/shared` });
    });

    afterAll(async () => {
      await second?.close();
    });

    it('when calls alternate between two instances, then the 61st call overall is 429 on either instance', async () => {
      expect(second.url).not.toBe(h.api.url);
      const instances = [h.api.url, second.url];
      const statuses: number[] = [];
      for (let i = 0; i < 60; i++) {
        const res = await call(instances[i % 2]!, 'POST', `/api/resend-webhook/${NO_SUCH_TRANSACTION}`, { token: tenant.apiKey });
        statuses.push(res.status);
      }
      expect(statuses).toEqual(Array(60).fill(404));

      const sixtyFirst = await call(instances[0]!, 'POST', `/api/resend-webhook/${NO_SUCH_TRANSACTION}`, { token: tenant.apiKey });
      expect(sixtyFirst.status).toBe(429);
      expect(sixtyFirst.body).toEqual(TOO_MANY);
      expect(Number(sixtyFirst.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(sixtyFirst.headers.get('retry-after'))).toBeLessThanOrEqual(60);

      const onTheOther = await call(instances[1]!, 'POST', `/api/resend-webhook/${NO_SUCH_TRANSACTION}`, { token: tenant.apiKey });
      expect(onTheOther.status).toBe(429);
      expect(onTheOther.body).toEqual(TOO_MANY);
    });
  });
});

describe('hostile input, request ids, unknown routes and health', () => {
  let h: Harness;
  let receiver: WebhookReceiver;
  let tenant: Tenant;
  let tx: any;

  beforeAll(async () => {
    // A high limit: these tests are about input handling, not about the rate limit.
    h = await startHarness({ env: { RESEND_RATE_LIMIT_PER_MINUTE: '100000' } });
    receiver = await startWebhookReceiver();
    tenant = await h.createTenant({ webhookUrl: `${receiver.url}/configured` });
    tx = await h.createTransaction({ merchant_id: tenant.merchant.id, external_id: 'hostile-1' });
  });

  afterAll(async () => {
    await receiver?.close();
    await h?.close();
  });

  const post = (identifier: string, options: { headers?: Record<string, string>; body?: string | Uint8Array } = {}) =>
    call(h.api.url, 'POST', `/api/resend-webhook/${identifier}`, { token: tenant.apiKey, ...options });
  const postJson = (body: string | Uint8Array, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    post(String(tx.id), { body, headers });

  describe('POST /api/resend-webhook/:identifier bodies', () => {
    it.each([
      ['malformed JSON', '{"url": '],
      ['unquoted keys', '{url: "http://127.0.0.1/"}'],
      ['a trailing comma', '{"url": "http://127.0.0.1/",}'],
      ['an empty array', '[]'],
      ['an array of objects', '[{"url":"http://127.0.0.1/"}]'],
      ['a JSON string', '"http://127.0.0.1/"'],
      ['a number', '42'],
      ['a huge number', '1e999'],
      ['null', 'null'],
      ['true', 'true'],
      ['an object nested 1000 deep in url', '{"url":' + '{"a":'.repeat(1000) + '1' + '}'.repeat(1001)],
      ['an array nested 3000 deep', '['.repeat(3000) + ']'.repeat(3000)],
      ['an unknown nested key', '{"a":' + '{"a":'.repeat(500) + '1' + '}'.repeat(501)],
      ['url as an array', '{"url":["http://127.0.0.1/"]}'],
      ['url as an object', '{"url":{"href":"http://127.0.0.1/"}}'],
      ['a javascript: url', '{"url":"javascript:alert(1)"}'],
      ['a file: url', '{"url":"file:///etc/passwd"}'],
      ['a url with a NUL', '{"url":"http://127.0.0.1/\\u0000"}'],
      ['a 3000-character url', JSON.stringify({ url: `http://127.0.0.1/${'a'.repeat(3000)}` })],
      ['SQL in the url', JSON.stringify({ url: "http://127.0.0.1/'; DROP TABLE webhook_logs; --" + ' x' })],
    ])('when the body is %s, then 400 with a JSON error and no internals', async (_what, body) => {
      const before = receiver.received.length;
      const res = await postJson(body);
      expectCleanAnswer(res, [400]);
      expect(res.body.error).toBe('Bad Request');
      expect(receiver.received.length).toBe(before);
    });

    it('when the body is invalid UTF-8, then 400 with a JSON error', async () => {
      const res = await postJson(Uint8Array.from([0x7b, 0xff, 0xfe, 0x22, 0x7d]));
      expectCleanAnswer(res, [400]);
    });

    it('when the body is 1 MB, then 413 with a JSON error and nothing is delivered', async () => {
      const before = receiver.received.length;
      const res = await postJson(JSON.stringify({ url: `http://127.0.0.1/${'a'.repeat(1024 * 1024)}` }));
      expectCleanAnswer(res, [413]);
      expect(res.body).toEqual({ statusCode: 413, message: 'Request body too large', error: 'Payload Too Large' });
      expect(receiver.received.length).toBe(before);
    });

    it('when an array is nested past the body limit, then 413, not a crash', async () => {
      const res = await postJson('['.repeat(100_000) + ']'.repeat(100_000));
      expectCleanAnswer(res, [413]);
    });

    it('when JSON text arrives as text/plain, then it is read as JSON and the override URL is used', async () => {
      const before = receiver.received.length;
      const res = await postJson(JSON.stringify({ url: `${receiver.url}/plain` }), { 'content-type': 'text/plain' });
      expectCleanAnswer(res, [200]);
      expect(res.body).toMatchObject({ message: 'Webhook resent successfully', statusCode: 200 });
      expect(receiver.received.length).toBe(before + 1);
      expect(receiver.received.at(-1)!.path).toBe('/plain');
    });

    it.each([
      ['a form-encoded body', { 'content-type': 'application/x-www-form-urlencoded' }, 'url=http%3A%2F%2F127.0.0.1%2F', [400]],
      ['XML', { 'content-type': 'application/xml' }, '<url>http://127.0.0.1/</url>', [400]],
      ['an unsupported charset', { 'content-type': 'application/json; charset=latin1' }, '{}', [400, 415]],
      ['a utf-16 charset over utf-8 bytes', { 'content-type': 'application/json; charset=utf-16' }, '{"url":"x"}', [400, 415]],
      ['a gzip encoding over plain bytes', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, '{}', [400, 415]],
      ['an unknown content encoding', { 'content-type': 'application/json', 'content-encoding': 'bogus' }, '{}', [415]],
    ])('when the request carries %s, then a 4xx JSON error, never a 5xx', async (_what, headers, body, allowed) => {
      const before = receiver.received.length;
      const res = await postJson(body, headers);
      expectCleanAnswer(res, allowed);
      expect(receiver.received.length).toBe(before);
    });
  });

  describe('POST /api/resend-webhook/:identifier identifiers', () => {
    it.each([
      ['unicode', encodeURIComponent('pedido-ção-😀')],
      ['an encoded ../', encodeURIComponent('../')],
      ['an encoded path traversal', encodeURIComponent('../../admin/accounts')],
      ['an encoded slash between digits', encodeURIComponent(`${'1'}/2`)],
      ['a percent-encoded NUL', '%00'],
      ['a NUL after a real id', `${'1'}%00`],
      ['CR LF', '%0d%0aSet-Cookie:%20x=1'],
      ['SQL', encodeURIComponent("1' OR '1'='1")],
      ['a 300-character string', 'x'.repeat(300)],
      ['a 10,000-character string', 'x'.repeat(10_000)],
      ['a 40-digit number', '9'.repeat(40)],
      ['a negative number', '-1'],
      ['an end-to-end id with unicode', encodeURIComponent('E' + 'é'.repeat(32))],
    ])('when the identifier is %s, then 404 Transaction not found', async (_what, identifier) => {
      const before = receiver.received.length;
      const res = await post(identifier);
      expectCleanAnswer(res, [404]);
      expect(res.body).toEqual({ statusCode: 404, message: 'Transaction not found', error: 'Not Found' });
      expect(receiver.received.length).toBe(before);
    });

    it.each([
      ['a bare %', '%'],
      ['a truncated escape', '%E0%A4%A'],
      ['invalid UTF-8 escapes', '%FF%FE'],
    ])('when the identifier has %s, then a 4xx JSON error, never a 5xx', async (_what, identifier) => {
      const res = await post(identifier);
      expectCleanAnswer(res, [400, 404]);
    });
  });

  describe('GET /v1/webhook-logs odd query strings', () => {
    const cursorOf = (text: string) => Buffer.from(text).toString('base64url');

    it.each([
      ['?limit=1e1', [200, 400]],
      ['?limit=10.5', [400]],
      ['?limit=', [400]],
      ['?limit=%20', [400]],
      ['?limit=-5', [400]],
      ['?limit=99999999999999999999999', [400]],
      ['?limit=%', [400]],
      ['?limit=1&limit=2', [400]],
      ['?from[$gt]=2020-01-01', [400]],
      ['?a[b][c]=1', [400]],
      ['?%00=1', [400]],
      ['?&&&=&', [200, 400]],
      ['?outcome=%00', [400]],
      ['?outcome=SUCCESS', [400]],
      ['?transaction_id=1%27%20OR%201%3D1', [400]],
      ['?transaction_id=1;DROP%20TABLE%20webhook_logs', [400]],
      ['?transaction_id=99999999999999999999', [400]],
      ['?merchant_id=99999999999', [400]],
      ['?merchant_id=%F0%9F%98%80', [400]],
      ['?from=0', [200, 400]],
      ['?to=2026-02-30T00:00:00Z', [200, 400]],
      ['?from=2026-01-01T00:00:00Z&to=2020-01-01T00:00:00Z', [200, 400]],
      ['?from=9999999-01-01', [200, 400]],
      [`?cursor=${'A'.repeat(5000)}`, [400]],
      [`?cursor=${cursorOf('log:0')}`, [400]],
      [`?cursor=${cursorOf('log:-1')}`, [400]],
      [`?cursor=${cursorOf("log:1 OR 1=1")}`, [400]],
      // Past 2^53: no id this API hands out, so not a cursor it returned.
      [`?cursor=${cursorOf('log:9999999999999999')}`, [400]],
      [`?cursor=${cursorOf('log:9007199254740991')}`, [200]],
      [`?resend_job_id=${'f'.repeat(32)}`, [200]],
      ['?resend_job_id=../../etc', [400]],
    ])('when the query is %s, then %j with a clean JSON body', async (query, allowed) => {
      const res = await call(h.api.url, 'GET', `/v1/webhook-logs${query}`, { token: tenant.apiKey });
      expectCleanAnswer(res, allowed);
      if (res.status === 200) expect(Array.isArray(res.body.data)).toBe(true);
      else expect(res.body.error).toBe('Bad Request');
    });

    it('when the Authorization header is absurd, then 401, never a 5xx', async () => {
      for (const authorization of [`Bearer ${'x'.repeat(10_000)}`, 'Bearer', 'Basic Zm9vOmJhcg==', 'Bearer wrk_%00_%00']) {
        const res = await call(h.api.url, 'GET', '/v1/webhook-logs', { headers: { authorization } });
        expectCleanAnswer(res, [401]);
        expect(res.body).toEqual({ statusCode: 401, message: 'Unauthorized', error: 'Unauthorized' });
      }
    });
  });

  describe('x-request-id', () => {
    it('when responses of every kind are returned, then each carries an x-request-id', async () => {
      const answers = [
        await call(h.api.url, 'GET', '/healthz'),
        await call(h.api.url, 'GET', '/readyz'),
        await call(h.api.url, 'GET', '/no-such-route'),
        await call(h.api.url, 'GET', '/v1/webhook-logs'),
        await call(h.api.url, 'GET', '/v1/webhook-logs?limit=0', { token: tenant.apiKey }),
        await call(h.api.url, 'GET', '/v1/webhook-logs', { token: tenant.apiKey }),
        await post(NO_SUCH_TRANSACTION),
        await postJson('{"url": '),
      ];
      expect(answers.map((a) => a.status)).toEqual([200, 200, 404, 401, 400, 200, 404, 400]);
      for (const res of answers) expect(res.headers.get('x-request-id')).toMatch(SANE_REQUEST_ID);
      const ids = answers.map((a) => a.headers.get('x-request-id'));
      expect(new Set(ids).size).toBe(ids.length);
    });

    it.each(['req-123', 'A1b2.C3d4_e5-f6', '0f8fad5b-d9cb-469f-a165-70867728950e', 'r'.repeat(64)])(
      'when a sane x-request-id %j is sent, then it is echoed back',
      async (requestId) => {
        const res = await call(h.api.url, 'GET', '/healthz', { headers: { 'x-request-id': requestId } });
        expect(res.status).toBe(200);
        expect(res.headers.get('x-request-id')).toBe(requestId);
        const failed = await post(NO_SUCH_TRANSACTION, { headers: { 'x-request-id': requestId } });
        expect(failed.status).toBe(404);
        expect(failed.headers.get('x-request-id')).toBe(requestId);
      },
    );

    it.each([
      ['300 characters long', 'r'.repeat(300)],
      ['containing spaces', 'has some spaces'],
      ['containing markup', '<script>alert(1)</script>'],
      ['containing a CRLF-looking escape', 'abc%0d%0aSet-Cookie:x'],
      ['containing quotes and semicolons', '"a";b'],
    ])('when the x-request-id sent is %s, then a generated one replaces it', async (_what, requestId) => {
      const res = await call(h.api.url, 'GET', '/healthz', { headers: { 'x-request-id': requestId } });
      expect(res.status).toBe(200);
      const answered = res.headers.get('x-request-id');
      expect(answered).not.toBe(requestId);
      expect(answered).toMatch(SANE_REQUEST_ID);
      const again = await call(h.api.url, 'GET', '/healthz', { headers: { 'x-request-id': requestId } });
      expect(again.headers.get('x-request-id')).toMatch(SANE_REQUEST_ID);
      expect(again.headers.get('x-request-id')).not.toBe(answered);
    });
  });

  describe('unknown routes', () => {
    it.each([
      ['GET', '/no-such-route', false],
      ['POST', '/no-such-route', false],
      ['GET', '/api/resend-webhook/1', true],
      ['POST', '/api/resend-webhook', true],
      ['POST', '/api/resend-webhook/1/extra', true],
      ['PUT', '/healthz', false],
      ['DELETE', '/readyz', false],
      ['GET', '/v1/no-such-thing', true],
      ['DELETE', '/v1/webhook-logs', true],
      ['GET', '/%2e%2e/%2e%2e/etc/passwd', false],
    ])('when %s %s is called, then 404 with the generic Not Found body', async (method, path, authenticated) => {
      const res = await call(h.api.url, method, path, authenticated ? { token: tenant.apiKey } : {});
      expectCleanAnswer(res, [404]);
      expect(res.body).toEqual(NOT_FOUND_ROUTE);
    });
  });

  describe('health', () => {
    it('when GET /healthz is called, then 200 {"status":"ok"}', async () => {
      const res = await call(h.api.url, 'GET', '/healthz');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok' });
    });

    it('when GET /readyz is called with PostgreSQL and Redis up, then 200 with both checks ok', async () => {
      const res = await call(h.api.url, 'GET', '/readyz');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' } });
    });
  });
});
