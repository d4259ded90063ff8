import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startWebhookReceiver, TEST_ADMIN_TOKEN, waitFor, type WebhookReceiver } from '@wr/testing';
import { ensureConsoleBuilt } from './support/console-build.js';
import { mintLink } from './support/console-session.js';
import { startHarness, type Harness, type Tenant } from './support/harness.js';

/**
 * The delivery console in Debian's Chromium, as a merchant and an operator use it: sign in through
 * a minted link, filter the log, open an attempt, resend it, replay a window to 100 %, rotate the
 * secret, meet an expired session, and fail to reach another merchant's data by URL. Each view is
 * saved as a screenshot, at 1280 px and at 390 px, under test-artifacts/console/.
 */

const SHOTS = fileURLToPath(new URL('../../../test-artifacts/console/', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
// As the Bull Board test: no background calls to Google's hosts from this closed network.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const WAIT = { timeout: 10_000 };

describe('the delivery console in a browser', () => {
  let h: Harness;
  let receiver: WebhookReceiver;
  let browser: Browser;
  let tenant: Tenant;
  let sibling: number;
  let siblingLogId: number;
  let orderTx: number;
  const windowStart = new Date(Date.now() - 2 * 3600_000);
  const problems: string[] = [];

  /** A page that records anything the CSP refused, any script error and any request elsewhere. */
  async function watchedPage(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    page.on('console', (m) => {
      // The 4xx answers the tests provoke on purpose (expired session, another merchant's data) are
      // logged by Chromium as failed loads; anything else is a problem.
      if (m.type() === 'error' && !/status of 40[0134]/.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith(h.api.url)) problems.push(`request elsewhere: ${r.url()}`);
    });
    return page;
  }

  async function signedInPage(viewport = DESKTOP): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport });
    const page = await watchedPage(context);
    const { url } = await mintLink(h, tenant.apiKey, tenant.merchant.id);
    await page.goto(url);
    await page.getByRole('heading', { name: /^Webhooks of/ }).waitFor(WAIT);
    return { context, page };
  }

  const shoot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
  const logRows = (page: Page) => page.locator('[data-panel="log"] tbody tr[data-attempt-id]');

  beforeAll(async () => {
    ensureConsoleBuilt();
    await mkdir(SHOTS, { recursive: true });
    h = await startHarness({ worker: true });
    receiver = await startWebhookReceiver();
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 15_000 });
    tenant = await h.createTenant({ webhookUrl: `${receiver.url}/shop` });
    sibling = (await h.admin('POST', '/admin/merchants', { account_id: tenant.accountId, name: 'sibling', webhook_url: `${receiver.url}/sibling` })).body.id;
    // History: twelve payins in the replay window, one with an external id whose webhook fails.
    const ids = await h.seedTransactions(
      tenant.merchant.id,
      Array.from({ length: 12 }, (_, i) => ({ at: new Date(windowStart.getTime() + (i + 1) * 60_000).toISOString() })),
    );
    orderTx = (await h.createTransaction({ merchant_id: tenant.merchant.id, external_id: 'order-console-1', status_changed_at: new Date(windowStart.getTime() + 30 * 60_000).toISOString() })).id;
    for (const id of ids.slice(0, 3)) await h.request('POST', `/api/resend-webhook/${id}`, { token: tenant.apiKey });
    receiver.respondWith({ status: 500, body: '{"error":"database down"}' });
    await h.request('POST', `/api/resend-webhook/order-console-1`, { token: tenant.apiKey });
    receiver.respondWith({ status: 200 });
    await h.request('POST', `/api/resend-webhook/order-console-1`, { token: tenant.apiKey });
    const siblingTx = (await h.createTransaction({ merchant_id: sibling })).id;
    siblingLogId = (await h.request('POST', `/api/resend-webhook/${siblingTx}`, { token: tenant.apiKey })).body.webhookLogId;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await h?.close();
  });

  it('when a merchant opens a minted link, then it is signed in, the token leaves the address bar, and the cookie is httpOnly and SameSite=Strict', async () => {
    const { context, page } = await signedInPage();
    try {
      expect(new URL(page.url()).pathname).toBe('/console/');
      expect(page.url()).not.toContain('token');
      const [cookie] = await context.cookies();
      expect(cookie).toMatchObject({ name: 'wr_console', httpOnly: true, sameSite: 'Strict', path: '/console' });
      expect(await page.evaluate('document.cookie')).toBe('');
      await page.locator('[data-endpoint-state="healthy"]').waitFor(WAIT);
      await logRows(page).first().waitFor(WAIT);
      await shoot(page, 'merchant-1280');
      await page.setViewportSize(PHONE);
      await shoot(page, 'merchant-390');
      // Readable at 390 px: nothing wider than the screen but the log table's own scroller.
      const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
      expect(overflow).toBeLessThanOrEqual(0);
    } finally {
      await context.close();
    }
  });

  it('when the same link is opened again, then the page says it has expired or was already used', async () => {
    const { url } = await mintLink(h, tenant.apiKey, tenant.merchant.id);
    for (const attempt of [1, 2]) {
      const context = await browser.newContext({ viewport: DESKTOP });
      const page = await watchedPage(context);
      await page.goto(url);
      const heading = attempt === 1 ? /^Webhooks of/ : 'This sign-in link has expired or has already been used';
      await page.getByRole('heading', { name: heading }).waitFor(WAIT);
      if (attempt === 2) await shoot(page, 'link-used');
      await context.close();
    }
  });

  it('when the log is filtered by external id and outcome, then only matching attempts show; opening one shows its request and response', async () => {
    const { context, page } = await signedInPage();
    try {
      await page.getByLabel('Transaction', { exact: true }).fill('order-console-1');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await waitFor(async () => (await logRows(page).count()) === 2, WAIT.timeout, 'the filtered log to show its 2 attempts');
      for (const row of await logRows(page).all()) expect(await row.locator('td[data-label="Transaction"]').textContent()).toBe(String(orderTx));
      await page.getByLabel('Outcome').selectOption('http_error');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await waitFor(async () => (await logRows(page).count()) === 1, WAIT.timeout, 'the log filtered by outcome to show 1 attempt');
      // Keyboard: the row's button is reachable and opens the attempt with Enter.
      await logRows(page).first().getByRole('button', { name: /^Open/ }).focus();
      await page.keyboard.press('Enter');
      const detail = page.locator('[data-attempt-detail]');
      await detail.waitFor(WAIT);
      await detail.locator('[data-response-status]', { hasText: 'HTTP 500' }).waitFor(WAIT);
      expect(await detail.getByLabel('Response excerpt').textContent()).toContain('database down');
      const body = JSON.parse((await detail.getByLabel('Request body').textContent())!);
      expect(body).toMatchObject({ type: 'transaction.status_changed', transactionId: orderTx, externalId: 'order-console-1', merchantId: tenant.merchant.id });
      const sent = receiver.received.find((r) => JSON.parse(r.body).transactionId === orderTx)!;
      expect(body).toEqual(JSON.parse(sent.body));
      expect(await detail.getByLabel('Request headers').textContent()).toContain(`webhook-id: ${String(sent.headers['webhook-id'])}`);
      await shoot(page, 'attempt-1280');
      await page.setViewportSize(PHONE);
      await shoot(page, 'attempt-390');
      await page.setViewportSize(DESKTOP);

      // Resend now: the verdict comes back in the page, one way and the other.
      await detail.getByRole('button', { name: 'Resend now' }).click();
      await detail.locator('[data-verdict="success"]').waitFor(WAIT);
      expect(await detail.locator('[data-verdict]').textContent()).toMatch(/^Delivered: HTTP 200/);
      receiver.respondWith({ status: 503, body: 'maintenance' });
      await detail.getByRole('button', { name: 'Resend now' }).click();
      await detail.locator('[data-verdict="http_error"]').waitFor(WAIT);
      expect(await detail.locator('[data-verdict]').textContent()).toMatch(/^Not delivered: Webhook failed with status 503/);
      receiver.respondWith({ status: 200 });
      await shoot(page, 'resend-verdict');
    } finally {
      await context.close();
    }
  });

  it('when a window is replayed, then the dry run counts first and the bar then reaches 100 %', async () => {
    const { context, page } = await signedInPage();
    try {
      const local = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
      await page.getByLabel('From', { exact: true }).fill(local(windowStart));
      await page.getByLabel('To', { exact: true }).fill(local(new Date(windowStart.getTime() + 3600_000)));
      const received = receiver.received.length;
      await page.getByRole('button', { name: 'Count (dry run)' }).click();
      await page.locator('[data-dry-run-total="13"]').waitFor(WAIT);
      expect(receiver.received.length).toBe(received); // a dry run sends nothing
      await page.getByRole('button', { name: 'Replay 13 now' }).click();
      await page.locator('[data-replay-state="completed"] progress[data-percent="100"]').waitFor({ timeout: 20_000 });
      const bar = page.locator('[data-panel="replay"] progress');
      expect(await bar.evaluate((p: any) => [p.value, p.max])).toEqual([13, 13]);
      expect(await page.locator('[data-panel="replay"] [data-replay-state]').textContent()).toContain('13 of 13 (100 %)');
      await shoot(page, 'replay-done');
    } finally {
      await context.close();
    }
  });

  it('when the merchant rotates its secret, then the new one is shown once', async () => {
    const { context, page } = await signedInPage();
    try {
      await page.getByLabel('Old secret').selectOption('3600');
      await page.getByRole('button', { name: 'Rotate secret' }).click();
      const secret = page.locator('[data-new-secret]');
      await secret.waitFor(WAIT);
      expect(await secret.textContent()).toMatch(/^whsec_/);
      await shoot(page, 'secret-rotated');
    } finally {
      await context.close();
    }
  });

  it("when the merchant types another merchant's attempt into the URL, then it gets a 404, in the page's own calls too", async () => {
    const { context, page } = await signedInPage();
    try {
      const direct = await page.goto(`${h.api.url}/console/api/attempts/${siblingLogId}`);
      expect(direct?.status()).toBe(404);
      await page.goto(`${h.api.url}/console/`);
      await page.getByRole('heading', { name: /^Webhooks of/ }).waitFor(WAIT);
      const statuses = await page.evaluate(async (id) => {
        const get = await fetch(`/console/api/attempts/${id}`);
        const list = await fetch('/console/api/attempts?merchant_id=1');
        return [get.status, list.status];
      }, siblingLogId);
      expect(statuses).toEqual([404, 400]);
    } finally {
      await context.close();
    }
  });

  it('when the session expires, then the next action lands on a page that says so, and so does reopening the console', async () => {
    const { context, page } = await signedInPage();
    try {
      const [cookie] = await context.cookies();
      const digest = createHash('sha256').update(cookie!.value).digest('hex');
      await h.db.dataSource.query(`UPDATE portal_sessions SET session_expires_at = now() - interval '1 second' WHERE session_hash = $1`, [digest]);
      await page.locator('[data-panel="log"]').getByRole('button', { name: 'Refresh' }).click();
      await page.getByRole('heading', { name: 'Your session has expired' }).waitFor(WAIT);
      expect(new URL(page.url()).pathname).toBe('/console/expired');
      await shoot(page, 'session-expired');
      await page.goto(`${h.api.url}/console/`);
      await page.getByRole('heading', { name: 'Your session has expired' }).waitFor(WAIT);
    } finally {
      await context.close();
    }
  });

  it('when an operator opens /console/admin with the admin token, then every endpoint, the bulk jobs and the queues show, with a link to Bull Board', async () => {
    await h.db.dataSource.query(`INSERT INTO endpoint_health (merchant_id, state, consecutive_failures, failing_since) VALUES ($1, 'failing', 9, now())`, [sibling]);
    const context = await browser.newContext({ viewport: DESKTOP, httpCredentials: { username: 'ops', password: TEST_ADMIN_TOKEN } });
    try {
      const page = await watchedPage(context);
      const res = await page.goto(`${h.api.url}/console/admin`);
      expect(res?.status()).toBe(200);
      await page.locator('[data-panel="endpoints"] tbody tr').first().waitFor(WAIT);
      expect(await page.locator('[data-panel="endpoints"] tbody tr').first().getAttribute('data-merchant-id')).toBe(String(sibling));
      for (const queue of ['webhook-delivery', 'bulk-fanout', 'bulk-delivery', 'replay-schedules']) await page.locator(`[data-queue="${queue}"]`).waitFor(WAIT);
      await page.locator('[data-panel="jobs"] progress').first().waitFor(WAIT);
      expect(await page.getByRole('link', { name: /Bull Board/ }).getAttribute('href')).toBe('/admin/queues');
      await shoot(page, 'admin-1280');
      await page.setViewportSize(PHONE);
      await shoot(page, 'admin-390');
    } finally {
      await context.close();
    }
  });

  it('when the operator view is opened without the admin token, then it answers 401', async () => {
    const context = await browser.newContext({ httpCredentials: { username: 'ops', password: 'not-the-admin-token' } });
    try {
      const page = await context.newPage();
      expect((await page.goto(`${h.api.url}/console/admin`))?.status()).toBe(401);
    } finally {
      await context.close();
    }
  });

  it('when all of the above ran, then the CSP refused nothing, no script failed, and nothing was loaded from elsewhere', () => {
    expect(problems).toEqual([]);
  });
});
