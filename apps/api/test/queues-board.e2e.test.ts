import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type Browser } from 'playwright-core';
import { TEST_ADMIN_TOKEN } from '@wr/testing';
import { startHarness, type Harness } from './support/harness.js';

const UNAUTHORIZED = { statusCode: 401, message: 'Unauthorized', error: 'Unauthorized' };
const QUEUES = ['webhook-delivery', 'bulk-fanout', 'bulk-delivery', 'replay-schedules'];
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));

/** Debian's chromium (apt-get install chromium; .ci/run installs it when missing). */
const CHROMIUM = '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps dialling Google's hosts, which this
// machine's closed network refuses. Playwright's launch() gives every run a new empty profile
// (--user-data-dir in a fresh temporary directory) and removes it on close.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('Bull Board at /admin/queues (SPEC 4, 6): HTTP Basic with the admin token', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });

  afterAll(async () => {
    await h?.close();
  });

  describe('over HTTP', () => {
    it('answers 401 with a Basic challenge and the standard body without credentials', async () => {
      const res = await h.request('GET', '/admin/queues');
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="Bull Board"');
      expect(res.body).toEqual(UNAUTHORIZED);
    });

    it('answers 401 to a wrong password, whatever the user name', async () => {
      for (const authorization of [
        basic('admin', 'not-the-admin-token'),
        basic('admin', `${TEST_ADMIN_TOKEN}x`),
        basic(TEST_ADMIN_TOKEN, ''),
        `Bearer ${TEST_ADMIN_TOKEN}`,
        'Basic !!!not-base64!!!',
        `Basic ${Buffer.from(TEST_ADMIN_TOKEN).toString('base64')}`, // no "user:" part
      ]) {
        const res = await h.request('GET', '/admin/queues', { headers: { authorization } });
        expect({ authorization, status: res.status }).toEqual({ authorization, status: 401 });
        expect(res.headers.get('www-authenticate')).toBe('Basic realm="Bull Board"');
        expect(res.body).toEqual(UNAUTHORIZED);
      }
    });

    it('guards the board API and static files too, not only the page', async () => {
      for (const path of ['/admin/queues/api/queues', '/admin/queues/static/favicon-32x32.png']) {
        const res = await h.request('GET', path);
        expect({ path, status: res.status }).toEqual({ path, status: 401 });
      }
    });

    it('serves the board page to any user name with the admin token as password', async () => {
      for (const user of ['admin', 'someone-else', '']) {
        const res = await h.request('GET', '/admin/queues', { headers: { authorization: basic(user, TEST_ADMIN_TOKEN) } });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^text\/html/);
        expect(res.text).toMatch(/<html/i);
        expect(res.text).not.toContain('fonts.googleapis.com');
      }
    });

    it('lists every queue through the board API', async () => {
      const res = await h.request('GET', '/admin/queues/api/queues', { headers: { authorization: basic('admin', TEST_ADMIN_TOKEN) } });
      expect(res.status).toBe(200);
      const names = (res.body.queues as Array<{ name: string }>).map((q) => q.name).sort();
      expect(names).toEqual([...QUEUES].sort());
    });
  });

  describe('in headless Chromium', () => {
    let browser: Browser;

    beforeAll(async () => {
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 15_000 });
    });

    afterAll(async () => {
      await browser?.close();
    });

    it('logs in with Basic auth, sees the four queues and saves a screenshot', async () => {
      const context = await browser.newContext({
        httpCredentials: { username: 'admin', password: TEST_ADMIN_TOKEN },
        viewport: { width: 1280, height: 900 },
      });
      try {
        const page = await context.newPage();
        // Everything the page loads comes from the service itself: no web fonts, no CDN.
        const elsewhere: string[] = [];
        page.on('request', (request) => {
          if (!request.url().startsWith(h.api.url) && !request.url().startsWith('data:')) elsewhere.push(request.url());
        });
        const response = await page.goto(`${h.api.url}/admin/queues`);
        expect(response?.status()).toBe(200);
        // The board renders client-side from its own (authenticated) API: each queue shows up
        // in the side menu and as a card on the overview.
        for (const name of QUEUES) {
          const shown = page.getByText(name, { exact: true });
          await shown.nth(1).waitFor({ state: 'visible', timeout: 10_000 });
          expect(await shown.count()).toBe(2);
          expect(await shown.first().isVisible()).toBe(true);
          expect(await shown.nth(1).isVisible()).toBe(true);
        }
        await mkdir(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: `${ARTIFACTS}bull-board.png`, fullPage: true });
        expect(elsewhere).toEqual([]);
      } finally {
        await context.close();
      }
    });

    it('gets a 401 without credentials, and the navigation fails with no board shown', async () => {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        const answered = page.waitForResponse((r) => r.url().endsWith('/admin/queues'));
        // With no credentials to offer, Chromium gives up on the Basic challenge: the 401 arrives
        // and the navigation then fails as unauthenticated.
        await expect(page.goto(`${h.api.url}/admin/queues`)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
        const response = await answered;
        expect(response.status()).toBe(401);
        expect(await response.headerValue('www-authenticate')).toBe('Basic realm="Bull Board"');
        expect(await page.getByText(QUEUES[0]!, { exact: true }).count()).toBe(0);
      } finally {
        await context.close();
      }
    });

    it('gets a 401 with a wrong password', async () => {
      const context = await browser.newContext({ httpCredentials: { username: 'admin', password: 'not-the-admin-token' } });
      try {
        const page = await context.newPage();
        const response = await page.goto(`${h.api.url}/admin/queues`);
        expect(response?.status()).toBe(401);
        expect(await response?.json()).toEqual(UNAUTHORIZED);
        expect(await page.getByText(QUEUES[0]!, { exact: true }).count()).toBe(0);
      } finally {
        await context.close();
      }
    });
  });
});
