import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startWebhookReceiver, waitFor, type WebhookReceiver } from '@wr/testing';
import { startHarness, type Harness, type SeedRow, type Tenant } from './support/harness.js';

const RESEND = '/v2/payin/notifications/resend';
const UNAUTHORIZED = { statusCode: 401, message: 'Unauthorized', error: 'Unauthorized' };
const MERCHANT_NOT_FOUND = { statusCode: 404, message: 'Merchant not found', error: 'Not Found' };
const JOB_NOT_FOUND = { statusCode: 404, message: 'Job not found', error: 'Not Found' };

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

  const seed = (merchantId: number, rows: SeedRow[]) => h.seedTransactions(merchantId, rows);

  /** `count` CASHIN transactions one second apart from `startIso`. */
  function payins(startIso: string, count: number, status_id = 3): SeedRow[] {
    const base = Date.parse(startIso);
    return Array.from({ length: count }, (_, i) => ({ at: new Date(base + i * 1000).toISOString(), status_id }));
  }

  /** `token: null` sends no Authorization header at all. */
  const bulk = (t: Tenant, body: unknown, token: string | null = t.apiKey) => h.request('POST', RESEND, { token: token ?? undefined, body });
  const jobStatus = (t: Tenant, jobId: string) => h.request('GET', `${RESEND}/${jobId}`, { token: t.apiKey });
  const cancel = (t: Tenant, jobId: string) => h.request('POST', `/v1/resend-jobs/${jobId}/cancel`, { token: t.apiKey });

  async function waitForState(t: Tenant, jobId: string, state: string, timeoutMs = 20_000): Promise<any> {
    let status: any;
    await waitFor(
      async () => {
        status = (await jobStatus(t, jobId)).body;
        return status.state === state;
      },
      timeoutMs,
      `job ${jobId} to be ${state} (last seen ${JSON.stringify(status)})`,
    );
    return status;
  }

  async function jobRows(merchantId: number): Promise<Array<{ id: string; state: string; window_start: Date }>> {
    return h.db.dataSource.query('SELECT id, state, window_start FROM resend_jobs WHERE merchant_id = $1 ORDER BY created_at', [merchantId]);
  }

  async function allJobCount(): Promise<number> {
    const rows = await h.db.dataSource.query('SELECT count(*)::int AS n FROM resend_jobs');
    return rows[0].n;
  }

  /** Every audit row of a bulk job as the client sees them, following the cursor. */
  async function auditRowsOf(t: Tenant, jobId: string): Promise<any[]> {
    const rows: any[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `resend_job_id=${jobId}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await h.request('GET', `/v1/webhook-logs?${query}`, { token: t.apiKey });
      expect(page.status).toBe(200);
      rows.push(...page.body.data);
      cursor = page.body.next_cursor;
    } while (cursor);
    return rows;
  }

  const deliveredIds = (r: WebhookReceiver) => r.received.map((hook) => JSON.parse(hook.body).transactionId as number);

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

  describe('validation', () => {
    const valid = { start_time: '2026-03-24 08:00:00', end_time: '2026-03-24 11:00:00' };

    it.each([
      ['merchant_id is missing', 'merchant_id', { ...valid, merchant_id: undefined }],
      ['start_time is missing', 'start_time', { end_time: valid.end_time }],
      ['end_time is missing', 'end_time', { start_time: valid.start_time }],
      ['merchant_id is not an integer', 'merchant_id', { ...valid, merchant_id: 'abc' }],
      ['start_time is ISO 8601 instead of YYYY-MM-DD HH:MM:SS', 'start_time', { ...valid, start_time: '2026-03-24T08:00:00Z' }],
      ['start_time is a day that does not exist', 'start_time', { start_time: '2026-02-30 08:00:00', end_time: '2026-02-30 10:00:00' }],
      ['end_time has hour 25', 'end_time', { ...valid, end_time: '2026-03-24 25:00:00' }],
      ['end_time is a number', 'end_time', { ...valid, end_time: 1774339200 }],
      ['end_time is before start_time', 'end_time', { start_time: '2026-03-24 08:00:00', end_time: '2026-03-24 07:59:59' }],
      ['end_time equals start_time', 'end_time', { start_time: '2026-03-24 08:00:00', end_time: '2026-03-24 08:00:00' }],
      ['the window is one second longer than 3 hours', 'end_time', { start_time: '2026-03-24 08:00:00', end_time: '2026-03-24 11:00:01' }],
      ['the window spans a day', 'end_time', { start_time: '2026-03-24 08:00:00', end_time: '2026-03-25 08:00:00' }],
      ['status_ids contains 1 (Pending, not notifiable)', 'status_ids', { ...valid, status_ids: [3, 1] }],
      ['status_ids contains 11', 'status_ids', { ...valid, status_ids: [11] }],
      ['status_ids contains a duplicate', 'status_ids', { ...valid, status_ids: [3, 4, 3] }],
      ['status_ids is not an array', 'status_ids', { ...valid, status_ids: 3 }],
      ['status_ids is a comma-separated string', 'status_ids', { ...valid, status_ids: '3,4' }],
      ['status_ids is empty', 'status_ids', { ...valid, status_ids: [] }],
      ['dry_run is a word', 'dry_run', { ...valid, dry_run: 'yes' }],
      ['dry_run is a number', 'dry_run', { ...valid, dry_run: 1 }],
      ['dry_run is the string "true"', 'dry_run', { ...valid, dry_run: 'true' }],
      ['dry_run is null', 'dry_run', { ...valid, dry_run: null }],
      ['an unknown field is sent', 'statuses', { ...valid, statuses: [3] }],
    ])('when %s, then 422 names "%s" and no job is created', async (_what, field, body) => {
      const t = await h.createTenant({ webhookUrl: receiver.url });
      const payload = { merchant_id: t.merchant.id, ...(body as Record<string, unknown>) };
      const res = await bulk(t, JSON.parse(JSON.stringify(payload)));
      expect(res.status).toBe(422);
      expect(res.body).toEqual({ statusCode: 422, message: expect.stringContaining(`"${field}`), error: 'Unprocessable Entity' });
      expect(await jobRows(t.merchant.id)).toHaveLength(0);
    });

    it('when the window is exactly 3 hours, then it is accepted', async () => {
      const t = await h.createTenant({ webhookUrl: receiver.url });
      const res = await bulk(t, { merchant_id: t.merchant.id, start_time: '2026-03-24 21:00:00', end_time: '2026-03-25 00:00:00', dry_run: true });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ job_id: null, total: 0 });
    });

    it('when the body is malformed JSON, then 400, not 500, and no job is created', async () => {
      const t = await h.createTenant({ webhookUrl: receiver.url });
      const res = await bulk(t, `{"merchant_id": ${t.merchant.id}, "start_time": `);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ statusCode: 400, message: 'Malformed JSON body', error: 'Bad Request' });
      expect(await jobRows(t.merchant.id)).toHaveLength(0);
    });

    it.each([
      ['no key', null],
      ['a key that does not exist', 'wr_live_not-a-real-key-0000000000000000'],
    ])('when the request carries %s, then 401 with the standard body and no job is created', async (_what, token) => {
      const t = await h.createTenant({ webhookUrl: receiver.url });
      const res = await bulk(t, { merchant_id: t.merchant.id, ...valid }, token);
      expect(res.status).toBe(401);
      expect(res.body).toEqual(UNAUTHORIZED);
      const status = await h.request('GET', `${RESEND}/${'a'.repeat(32)}`, { token: token ?? undefined });
      expect(status.status).toBe(401);
      expect(status.body).toEqual(UNAUTHORIZED);
      expect(await jobRows(t.merchant.id)).toHaveLength(0);
    });
  });

  describe('merchant scope', () => {
    it("when merchant_id is another account's merchant or does not exist, then 404 with identical bodies, no job, nothing sent", async () => {
      const otherReceiver = await startWebhookReceiver();
      try {
        const owner = await h.createTenant({ webhookUrl: otherReceiver.url });
        await seed(owner.merchant.id, payins('2026-04-01T08:00:00Z', 5));
        const caller = await h.createTenant({ webhookUrl: receiver.url });
        const jobsBefore = await allJobCount();
        const window = { start_time: '2026-04-01 08:00:00', end_time: '2026-04-01 11:00:00' };

        const foreign = await bulk(caller, { merchant_id: owner.merchant.id, ...window });
        const missing = await bulk(caller, { merchant_id: 2_000_000_000, ...window });
        const foreignDry = await bulk(caller, { merchant_id: owner.merchant.id, ...window, dry_run: true });
        for (const res of [foreign, missing, foreignDry]) {
          expect(res.status).toBe(404);
          expect(res.body).toEqual(MERCHANT_NOT_FOUND);
        }
        expect(foreign.text).toBe(missing.text);

        await h.untilIdle();
        expect(await allJobCount()).toBe(jobsBefore);
        expect(await jobRows(owner.merchant.id)).toHaveLength(0);
        expect(otherReceiver.received).toHaveLength(0);

        // The owner itself may still resend that window: the refused calls took no lock.
        const own = await bulk(owner, { merchant_id: owner.merchant.id, ...window });
        expect(own.status).toBe(200);
        expect(own.body.total).toBe(5);
        await waitForState(owner, own.body.job_id, 'completed');
      } finally {
        await otherReceiver.close();
      }
    });
  });

  describe('dry run and filters', () => {
    it('when dry_run is true, then 200 with job_id null and the exact count, nothing is sent, no job exists, and a real run still gets 200', async () => {
      const r = await startWebhookReceiver();
      try {
        const t = await h.createTenant({ webhookUrl: r.url });
        const ids = await seed(t.merchant.id, [
          { at: '2026-05-10T07:59:59.999Z' }, // 0: just before the window
          { at: '2026-05-10T08:00:00.000Z' }, // 1: exactly at start (included)
          { at: '2026-05-10T09:00:00.000Z', status_id: 4 }, // 2
          { at: '2026-05-10T09:30:00.000Z', status_id: 2 }, // 3
          { at: '2026-05-10T09:30:00.000Z', kind: 'CASHOUT' }, // 4: payout, never in a payin resend
          { at: '2026-05-10T10:00:00.000Z', status_id: 1 }, // 5: Pending, not notifiable
          { at: '2026-05-10T10:59:59.999Z', status_id: 10 }, // 6: last instant inside
          { at: '2026-05-10T11:00:00.000Z' }, // 7: exactly at end (excluded)
        ]);
        const window = { merchant_id: t.merchant.id, start_time: '2026-05-10 08:00:00', end_time: '2026-05-10 11:00:00' };

        const dry = await bulk(t, { ...window, dry_run: true });
        expect(dry.status).toBe(200);
        expect(dry.body).toEqual({ job_id: null, total: 4 });

        const dryFiltered = await bulk(t, { ...window, dry_run: true, status_ids: [3, 4] });
        expect(dryFiltered.body).toEqual({ job_id: null, total: 2 });

        const explicitFalse = await bulk(t, { ...window, dry_run: false, status_ids: [2] });
        expect(explicitFalse.status).toBe(200);
        expect(explicitFalse.body).toEqual({ job_id: expect.stringMatching(/^[0-9a-f]{32}$/), total: 1 });
        await waitForState(t, explicitFalse.body.job_id, 'completed');
        expect(deliveredIds(r)).toEqual([ids[3]]);
        await h.untilIdle();
        expect(await jobRows(t.merchant.id)).toHaveLength(1);

        // A dry run of a fresh start time leaves nothing behind and takes no lock.
        const dryWindow = { merchant_id: t.merchant.id, start_time: '2026-05-10 07:00:00', end_time: '2026-05-10 10:00:00' };
        const dry2 = await bulk(t, { ...dryWindow, dry_run: true });
        expect(dry2.body).toEqual({ job_id: null, total: 4 });
        await h.untilIdle();
        expect(r.received).toHaveLength(1);
        expect(await jobRows(t.merchant.id)).toHaveLength(1);

        const real = await bulk(t, dryWindow);
        expect(real.status).toBe(200);
        expect(real.body).toEqual({ job_id: expect.stringMatching(/^[0-9a-f]{32}$/), total: 4 });
        const done = await waitForState(t, real.body.job_id, 'completed');
        expect(done).toMatchObject({ total: 4, processed: 4, succeeded: 4, failed: 0 });
        expect(deliveredIds(r).slice(1).sort((a, b) => a - b)).toEqual(ids.slice(0, 4).sort((a, b) => a - b));
      } finally {
        await r.close();
      }
    });

    it('when status_ids is given, then only transactions in those statuses are counted and delivered', async () => {
      const r = await startWebhookReceiver();
      try {
        const t = await h.createTenant({ webhookUrl: r.url });
        // Two payins in every status 1..10, inside the window.
        const rows: SeedRow[] = [];
        for (let status = 1; status <= 10; status++) {
          for (let k = 0; k < 2; k++) rows.push({ at: new Date(Date.parse('2026-05-11T12:00:00Z') + (status * 10 + k) * 1000).toISOString(), status_id: status });
        }
        const ids = await seed(t.merchant.id, rows);
        const expected = ids.filter((_, i) => [3, 4, 9].includes(rows[i]!.status_id!));

        const res = await bulk(t, { merchant_id: t.merchant.id, start_time: '2026-05-11 12:00:00', end_time: '2026-05-11 13:00:00', status_ids: [9, 3, 4] });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ job_id: expect.stringMatching(/^[0-9a-f]{32}$/), total: 6 });
        const done = await waitForState(t, res.body.job_id, 'completed');
        expect(done).toMatchObject({ total: 6, processed: 6, succeeded: 6, failed: 0 });
        expect(done.status_ids.slice().sort()).toEqual([3, 4, 9]);
        await h.untilIdle();
        expect(deliveredIds(r).sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
        const statuses = r.received.map((hook) => JSON.parse(hook.body).statusId as number);
        expect(new Set(statuses)).toEqual(new Set([3, 4, 9]));
      } finally {
        await r.close();
      }
    });

    it('when the window holds no payins, then 200 with total 0 and the job completes at once', async () => {
      const r = await startWebhookReceiver();
      try {
        const t = await h.createTenant({ webhookUrl: r.url });
        await seed(t.merchant.id, [{ at: '2026-05-12T08:30:00Z', kind: 'CASHOUT' }]);
        const res = await bulk(t, { merchant_id: t.merchant.id, start_time: '2026-05-12 08:00:00', end_time: '2026-05-12 09:00:00' });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ job_id: expect.stringMatching(/^[0-9a-f]{32}$/), total: 0 });
        const done = await waitForState(t, res.body.job_id, 'completed');
        expect(done).toMatchObject({ total: 0, processed: 0, succeeded: 0, failed: 0 });
        expect(r.received).toHaveLength(0);
      } finally {
        await r.close();
      }
    });
  });

  describe('one job per merchant and start time (409)', () => {
    it('when a job for the same merchant and start_time is queued or running, then 409; another start_time gets 200; once done, the start_time is free again', async () => {
      const slow = await startWebhookReceiver({ delayMs: 1500 });
      try {
        const t = await h.createTenant({ webhookUrl: slow.url });
        await seed(t.merchant.id, [{ at: '2026-06-01T08:10:00Z' }, { at: '2026-06-01T09:10:00Z' }]);
        const first = await bulk(t, { merchant_id: t.merchant.id, start_time: '2026-06-01 08:00:00', end_time: '2026-06-01 11:00:00' });
        expect(first.status).toBe(200);
        expect(first.body.total).toBe(2);

        const same = await bulk(t, { merchant_id: t.merchant.id, start_time: '2026-06-01 08:00:00', end_time: '2026-06-01 11:00:00' });
        const sameStartOtherEnd = await bulk(t, { merchant_id: t.merchant.id, start_time: '2026-06-01 08:00:00', end_time: '2026-06-01 09:00:00' });
        const sameStartFiltered = await bulk(t, { merchant_id: t.merchant.id, start_time: '2026-06-01 08:00:00', end_time: '2026-06-01 11:00:00', status_ids: [4] });
        const whileBusy = (await jobStatus(t, first.body.job_id)).body.state;
        expect(['queued', 'running']).toContain(whileBusy);
        for (const res of [same, sameStartOtherEnd, sameStartFiltered]) {
          expect(res.status).toBe(409);
          expect(res.body).toEqual({ statusCode: 409, message: expect.stringMatching(/already queued or running/), error: 'Conflict' });
        }

        const otherStart = await bulk(t, { merchant_id: t.merchant.id, start_time: '2026-06-01 09:00:00', end_time: '2026-06-01 10:00:00' });
        expect(otherStart.status).toBe(200);
        expect(otherStart.body).toEqual({ job_id: expect.stringMatching(/^[0-9a-f]{32}$/), total: 1 });

        // A dry run is never refused by a running job.
        const dry = await bulk(t, { merchant_id: t.merchant.id, start_time: '2026-06-01 08:00:00', end_time: '2026-06-01 11:00:00', dry_run: true });
        expect(dry.status).toBe(200);
        expect(dry.body).toEqual({ job_id: null, total: 2 });

        const rows = await jobRows(t.merchant.id);
        expect(rows.map((j) => j.id).sort()).toEqual([first.body.job_id, otherStart.body.job_id].sort());

        await waitForState(t, first.body.job_id, 'completed');
        await waitForState(t, otherStart.body.job_id, 'completed');
        const again = await bulk(t, { merchant_id: t.merchant.id, start_time: '2026-06-01 08:00:00', end_time: '2026-06-01 11:00:00' });
        expect(again.status).toBe(200);
        expect(again.body).toEqual({ job_id: expect.stringMatching(/^[0-9a-f]{32}$/), total: 2 });
        expect(again.body.job_id).not.toBe(first.body.job_id);
        await waitForState(t, again.body.job_id, 'completed');
      } finally {
        await slow.close();
      }
    });

    it('when 20 identical requests race, then exactly one gets 200, the other 19 get 409, and one job row exists', async () => {
      const slow = await startWebhookReceiver({ delayMs: 1500 });
      try {
        const t = await h.createTenant({ webhookUrl: slow.url });
        await seed(t.merchant.id, [{ at: '2026-06-02T08:30:00Z' }]);
        const body = { merchant_id: t.merchant.id, start_time: '2026-06-02 08:00:00', end_time: '2026-06-02 11:00:00' };
        const answers = await Promise.all(Array.from({ length: 20 }, () => bulk(t, body)));
        const ok = answers.filter((a) => a.status === 200);
        const conflicts = answers.filter((a) => a.status === 409);
        expect(answers.map((a) => a.status).sort()).toEqual([200, ...Array(19).fill(409)]);
        expect(ok).toHaveLength(1);
        expect(conflicts).toHaveLength(19);
        for (const c of conflicts) expect(c.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
        const rows = await jobRows(t.merchant.id);
        expect(rows).toHaveLength(1);
        expect(rows[0]!.id).toBe(ok[0]!.body.job_id);
        await waitForState(t, ok[0]!.body.job_id, 'completed');
        expect(slow.received).toHaveLength(1);
      } finally {
        await slow.close();
      }
    });
  });

  describe('GET /v2/payin/notifications/resend/:job_id (Job Status)', () => {
    it('when a job runs and completes, then its status shows state, counts and timestamps in order', async () => {
      const slow = await startWebhookReceiver({ delayMs: 1000 });
      try {
        const t = await h.createTenant({ webhookUrl: slow.url });
        await seed(t.merchant.id, payins('2026-06-03T14:00:00Z', 3, 4));
        const before = Date.now();
        const res = await bulk(t, { merchant_id: t.merchant.id, start_time: '2026-06-03 14:00:00', end_time: '2026-06-03 15:30:00', status_ids: [4] });
        expect(res.status).toBe(200);

        const early = await jobStatus(t, res.body.job_id);
        expect(early.status).toBe(200);
        expect(['queued', 'running']).toContain(early.body.state);
        expect(early.body).toMatchObject({ job_id: res.body.job_id, total: 3, finished_at: null });
        expect(Date.parse(early.body.created_at)).toBeGreaterThanOrEqual(before - 5000);

        const done = await waitForState(t, res.body.job_id, 'completed');
        expect(done).toEqual({
          job_id: res.body.job_id,
          merchant_id: t.merchant.id,
          state: 'completed',
          start_time: '2026-06-03 14:00:00',
          end_time: '2026-06-03 15:30:00',
          status_ids: [4],
          total: 3,
          processed: 3,
          succeeded: 3,
          failed: 0,
          created_at: early.body.created_at,
          started_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
          finished_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
        });
        const created = Date.parse(done.created_at);
        const started = Date.parse(done.started_at);
        const finished = Date.parse(done.finished_at);
        expect(created).toBeLessThanOrEqual(started);
        expect(started).toBeLessThanOrEqual(finished);
        // The receiver held each delivery 1 s: the job cannot have finished sooner.
        expect(finished - started).toBeGreaterThanOrEqual(900);
      } finally {
        await slow.close();
      }
    });

    it("when the job id is another account's, unknown or malformed, then 404 with the same body", async () => {
      const r = await startWebhookReceiver();
      try {
        const owner = await h.createTenant({ webhookUrl: r.url });
        await seed(owner.merchant.id, payins('2026-06-04T08:00:00Z', 1));
        const res = await bulk(owner, { merchant_id: owner.merchant.id, start_time: '2026-06-04 08:00:00', end_time: '2026-06-04 09:00:00' });
        expect(res.status).toBe(200);
        await waitForState(owner, res.body.job_id, 'completed');

        const stranger = await h.createTenant({ webhookUrl: r.url });
        const answers = await Promise.all(
          [res.body.job_id, 'f'.repeat(32), res.body.job_id.toUpperCase(), 'not-a-job', '123', `${res.body.job_id}0`, "1' OR '1'='1"].map((id) =>
            h.request('GET', `${RESEND}/${encodeURIComponent(id)}`, { token: stranger.apiKey }),
          ),
        );
        for (const a of answers) {
          expect(a.status).toBe(404);
          expect(a.body).toEqual(JOB_NOT_FOUND);
        }
        // The owner still sees it.
        expect((await jobStatus(owner, res.body.job_id)).status).toBe(200);
      } finally {
        await r.close();
      }
    });
  });

  describe('audit trail and retries', () => {
    it("when a bulk job delivers, then every attempt's audit row has trigger 'bulk' and the job's id", async () => {
      const r = await startWebhookReceiver();
      try {
        const t = await h.createTenant({ webhookUrl: `${r.url}/hooks` });
        const ids = await seed(t.merchant.id, payins('2026-06-05T08:00:00Z', 60));
        const res = await bulk(t, { merchant_id: t.merchant.id, start_time: '2026-06-05 08:00:00', end_time: '2026-06-05 09:00:00' });
        expect(res.body.total).toBe(60);
        await waitForState(t, res.body.job_id, 'completed');

        const rows = await auditRowsOf(t, res.body.job_id);
        expect(rows).toHaveLength(60);
        for (const row of rows) {
          expect(row).toMatchObject({
            trigger: 'bulk',
            resend_job_id: res.body.job_id,
            merchant_id: t.merchant.id,
            url: `${r.url}/hooks`,
            url_source: 'configured',
            attempt: 1,
            outcome: 'success',
            http_status: 200,
          });
        }
        expect(rows.map((row) => row.transaction_id).sort((a, b) => a - b)).toEqual(ids.slice().sort((a, b) => a - b));
        const byTrigger = await h.request('GET', `/v1/webhook-logs?trigger=bulk&merchant_id=${t.merchant.id}&limit=200`, { token: t.apiKey });
        expect(byTrigger.body.data).toHaveLength(60);

        // Another account cannot read the job's audit trail.
        const stranger = await h.createTenant({ webhookUrl: null });
        const foreign = await h.request('GET', `/v1/webhook-logs?resend_job_id=${res.body.job_id}`, { token: stranger.apiKey });
        expect(foreign.status).toBe(200);
        expect(foreign.body.data).toEqual([]);
      } finally {
        await r.close();
      }
    });

    it('when two transactions always get 500 while the others are accepted, then the job completes with those two failed after 4 audited attempts each', async () => {
      const picky = await startWebhookReceiver();
      let refused = new Set<number>();
      picky.respondWith((hook) => (refused.has(JSON.parse(hook.body).transactionId) ? { status: 500, body: 'down' } : { status: 200 }));
      try {
        const t = await h.createTenant({ webhookUrl: picky.url });
        const ids = await seed(t.merchant.id, payins('2026-06-06T08:00:00Z', 5));
        refused = new Set(ids.slice(0, 2));
        const res = await bulk(t, { merchant_id: t.merchant.id, start_time: '2026-06-06 08:00:00', end_time: '2026-06-06 09:00:00' });
        expect(res.body.total).toBe(5);
        const done = await waitForState(t, res.body.job_id, 'completed');
        expect(done).toMatchObject({ total: 5, processed: 5, succeeded: 3, failed: 2 });

        const rows = await auditRowsOf(t, res.body.job_id);
        expect(rows).toHaveLength(8 + 3);
        for (const id of refused) {
          const mine = rows.filter((row) => row.transaction_id === id);
          expect(mine.map((row) => row.attempt).sort()).toEqual([1, 2, 3, 4]);
          for (const row of mine) {
            expect(row).toMatchObject({ trigger: 'bulk', resend_job_id: res.body.job_id, outcome: 'http_error', http_status: 500, response_body: 'down' });
          }
        }
        await h.untilIdle();
        expect(picky.received).toHaveLength(11);
      } finally {
        await picky.close();
      }
    });

    it('when the receiver answers 500 to everything, then it is not hammered: the rest of the job waits, unattempted, and is delivered once the receiver is back', async () => {
      const failing = await startWebhookReceiver({ status: 500, body: 'down' });
      try {
        const t = await h.createTenant({ webhookUrl: failing.url });
        const ids = await seed(t.merchant.id, payins('2026-06-06T10:00:00Z', 12));
        const res = await bulk(t, { merchant_id: t.merchant.id, start_time: '2026-06-06 10:00:00', end_time: '2026-06-06 11:00:00' });
        expect(res.body.total).toBe(12);
        // 5 failures over 3+ deliveries open the circuit; after that only probes go out: every
        // delivery the job still owes is parked until the endpoint recovers.
        await waitFor(
          async () =>
            (await h.request('GET', `/v1/merchants/${t.merchant.id}/endpoint`, { token: t.apiKey })).body.state === 'failing' &&
            (
              await h.db.dataSource.query(
                `SELECT count(*)::int AS n FROM deliveries WHERE resend_job_id = $1 AND state = 'pending' AND held_since IS NULL`,
                [res.body.job_id],
              )
            )[0].n === 0,
          10_000,
          'the circuit to open and the rest of the job to wait',
        );
        const during = (await h.request('GET', `${RESEND}/${res.body.job_id}`, { token: t.apiKey })).body;
        expect(during).toMatchObject({ state: 'running', total: 12, processed: 0 });
        expect(failing.received.length).toBeLessThan(12 + 4);
        const endpoint = (await h.request('GET', `/v1/merchants/${t.merchant.id}/endpoint`, { token: t.apiKey })).body;
        expect(endpoint.state).toBe('failing');

        failing.respondWith({ status: 200 });
        const back = Date.now();
        const done = await waitForState(t, res.body.job_id, 'completed');
        expect(done).toMatchObject({ total: 12, processed: 12, succeeded: 12, failed: 0 });
        // Each accepted exactly once, none twice.
        for (const id of ids) {
          expect(failing.received.filter((hook) => hook.receivedAt >= back && JSON.parse(hook.body).transactionId === id)).toHaveLength(1);
        }
      } finally {
        await failing.close();
      }
    });

    it("when each transaction's first attempt fails and the retry succeeds, then all succeed with 2 audit rows each", async () => {
      const flaky = await startWebhookReceiver();
      const seen = new Set<number>();
      flaky.respondWith((hook) => {
        const id = JSON.parse(hook.body).transactionId as number;
        if (seen.has(id)) return { status: 200 };
        seen.add(id);
        return { status: 503 };
      });
      try {
        const t = await h.createTenant({ webhookUrl: flaky.url });
        const ids = await seed(t.merchant.id, payins('2026-06-07T08:00:00Z', 8));
        const res = await bulk(t, { merchant_id: t.merchant.id, start_time: '2026-06-07 08:00:00', end_time: '2026-06-07 09:00:00' });
        expect(res.body.total).toBe(8);
        const done = await waitForState(t, res.body.job_id, 'completed');
        expect(done).toMatchObject({ total: 8, processed: 8, succeeded: 8, failed: 0 });

        const rows = await auditRowsOf(t, res.body.job_id);
        expect(rows).toHaveLength(16);
        for (const id of ids) {
          const mine = rows.filter((row) => row.transaction_id === id).sort((a, b) => a.attempt - b.attempt);
          expect(mine.map((row) => [row.attempt, row.outcome, row.http_status])).toEqual([
            [1, 'http_error', 503],
            [2, 'success', 200],
          ]);
          // Receivers can deduplicate: the retry carries the same webhook-id.
          expect(mine[0]!.webhook_id).toBe(mine[1]!.webhook_id);
        }
        await h.untilIdle();
        expect(flaky.received).toHaveLength(16);
      } finally {
        await flaky.close();
      }
    });
  });

  describe('POST /v1/resend-jobs/:job_id/cancel', () => {
    it('when a running job is cancelled, then 200 cancelled, deliveries stop well short of the total, it stays cancelled, and the start_time is free', async () => {
      const TOTAL = 2000;
      const slow = await startWebhookReceiver({ delayMs: 500 });
      try {
        const t = await h.createTenant({ webhookUrl: slow.url });
        await seed(
          t.merchant.id,
          Array.from({ length: TOTAL }, (_, i) => ({ at: new Date(Date.parse('2026-06-08T08:00:00Z') + i * 2000).toISOString() })),
        );
        const window = { merchant_id: t.merchant.id, start_time: '2026-06-08 08:00:00', end_time: '2026-06-08 11:00:00' };
        const res = await bulk(t, window);
        expect(res.status).toBe(200);
        expect(res.body.total).toBe(TOTAL);
        await slow.waitForCount(1, 15_000);

        const cancelled = await cancel(t, res.body.job_id);
        expect(cancelled.status).toBe(200);
        expect(cancelled.body).toMatchObject({ job_id: res.body.job_id, state: 'cancelled', total: TOTAL });
        expect(cancelled.body.finished_at).toEqual(expect.any(String));

        // In-flight deliveries may land; then nothing more: no job is left and nothing is owed.
        await h.untilIdle();
        const settled = slow.received.length;
        expect(settled).toBeLessThan(TOTAL / 2);

        const status = await jobStatus(t, res.body.job_id);
        expect(status.body.state).toBe('cancelled');
        expect(status.body.processed).toBeLessThan(TOTAL);
        expect(status.body.finished_at).toBe(cancelled.body.finished_at);

        const again = await cancel(t, res.body.job_id);
        expect(again.status).toBe(409);
        expect(again.body).toMatchObject({ statusCode: 409, error: 'Conflict' });

        // The window's lock went with the cancelled job.
        const next = await bulk(t, window);
        expect(next.status).toBe(200);
        expect(next.body).toEqual({ job_id: expect.stringMatching(/^[0-9a-f]{32}$/), total: TOTAL });
        expect(next.body.job_id).not.toBe(res.body.job_id);
        const stop = await cancel(t, next.body.job_id);
        expect(stop.status).toBe(200);
        expect(stop.body.state).toBe('cancelled');
        await h.untilIdle();
      } finally {
        await slow.close();
      }
    }, 60_000);

    it("when the job has completed, then cancel answers 409; another account's or an unknown job answers 404", async () => {
      const r = await startWebhookReceiver();
      try {
        const t = await h.createTenant({ webhookUrl: r.url });
        await seed(t.merchant.id, payins('2026-06-09T08:00:00Z', 2));
        const res = await bulk(t, { merchant_id: t.merchant.id, start_time: '2026-06-09 08:00:00', end_time: '2026-06-09 09:00:00' });
        await waitForState(t, res.body.job_id, 'completed');

        const late = await cancel(t, res.body.job_id);
        expect(late.status).toBe(409);
        expect(late.body).toEqual({ statusCode: 409, message: expect.stringMatching(/completed/), error: 'Conflict' });
        expect((await jobStatus(t, res.body.job_id)).body.state).toBe('completed');

        const stranger = await h.createTenant({ webhookUrl: r.url });
        const foreign = await cancel(stranger, res.body.job_id);
        const unknown = await cancel(stranger, 'e'.repeat(32));
        const malformed = await cancel(stranger, 'nope');
        for (const a of [foreign, unknown, malformed]) {
          expect(a.status).toBe(404);
          expect(a.body).toEqual(JOB_NOT_FOUND);
        }
        const noKey = await h.request('POST', `/v1/resend-jobs/${res.body.job_id}/cancel`);
        expect(noKey.status).toBe(401);
        expect(noKey.body).toEqual(UNAUTHORIZED);
        expect((await jobStatus(t, res.body.job_id)).body.state).toBe('completed');
      } finally {
        await r.close();
      }
    });
  });
});
