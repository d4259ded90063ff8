import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startWebhookReceiver, waitFor, type WebhookReceiver } from '@wr/testing';
import { startHarness, type Harness, type SeedRow, type Tenant } from './support/harness.js';

const UNAUTHORIZED = { statusCode: 401, message: 'Unauthorized', error: 'Unauthorized' };
const MERCHANT_NOT_FOUND = { statusCode: 404, message: 'Merchant not found', error: 'Not Found' };
const REPLAY_NOT_FOUND = { statusCode: 404, message: 'Replay not found', error: 'Not Found' };
const SCHEDULE_NOT_FOUND = { statusCode: 404, message: 'Schedule not found', error: 'Not Found' };
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const REQUEST_ID = /^[0-9a-f]{32}$/;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const transactionIdOf = (hook: { body: string }) => JSON.parse(hook.body).transactionId as number;
const idsAt = (r: WebhookReceiver) => r.received.map(transactionIdOf);
const sorted = (ids: number[]) => ids.slice().sort((a, b) => a - b);

describe('POST /v1/replays and /v1/replay-schedules (SPEC 6, "replay after the outage")', () => {
  let h: Harness;
  /** Answers 500 to everything: a delivery sent here becomes a transaction's failed latest attempt. */
  let failing: WebhookReceiver;
  /** Answers 200 to everything: a delivery sent here becomes a transaction's successful latest attempt. */
  let accepting: WebhookReceiver;

  beforeAll(async () => {
    h = await startHarness({ worker: true });
    failing = await startWebhookReceiver({ status: 500, body: 'outage' });
    accepting = await startWebhookReceiver();
  });

  afterAll(async () => {
    await failing.close();
    await accepting.close();
    await h.close();
  });

  const seed = (merchantId: number, rows: SeedRow[]) => h.seedTransactions(merchantId, rows);

  /** `count` payins one minute apart from `startIso`. */
  function payins(startIso: string, count: number): SeedRow[] {
    const base = Date.parse(startIso);
    return Array.from({ length: count }, (_, i) => ({ at: new Date(base + i * 60_000).toISOString() }));
  }

  const replay = (t: Tenant, body: unknown, token: string | null = t.apiKey) =>
    h.request('POST', '/v1/replays', { token: token ?? undefined, body });
  const replayStatus = (t: Tenant, id: string) => h.request('GET', `/v1/replays/${encodeURIComponent(id)}`, { token: t.apiKey });

  async function waitForReplay(t: Tenant, id: string, state: string, timeoutMs = 20_000): Promise<any> {
    let status: any;
    await waitFor(
      async () => {
        status = (await replayStatus(t, id)).body;
        return status.state === state;
      },
      timeoutMs,
      `replay ${id} to be ${state} (last seen ${JSON.stringify(status)})`,
    );
    return status;
  }

  /**
   * Makes the transaction's latest audit row a failure (one synchronous resend to a URL answering
   * 500) or a success (one to a URL answering 200), as a client of the API would.
   */
  async function resendOnce(t: Tenant, transactionId: number, outcome: 'fails' | 'succeeds'): Promise<void> {
    const url = outcome === 'fails' ? failing.url : accepting.url;
    const res = await h.request('POST', `/api/resend-webhook/${transactionId}`, { token: t.apiKey, body: { url } });
    expect(res.status).toBe(outcome === 'fails' ? 502 : 200);
  }

  /** Every audit row the tenant sees for a query, following the cursor. */
  async function auditRows(t: Tenant, query: string): Promise<any[]> {
    const rows: any[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `${query}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await h.request('GET', `/v1/webhook-logs?${q}`, { token: t.apiKey });
      expect(page.status).toBe(200);
      rows.push(...page.body.data);
      cursor = page.body.next_cursor;
    } while (cursor);
    return rows;
  }

  async function jobCount(merchantId: number): Promise<number> {
    const rows = await h.db.dataSource.query('SELECT count(*)::int AS n FROM resend_jobs WHERE merchant_id = $1', [merchantId]);
    return rows[0].n;
  }

  describe('a replay over a window', () => {
    it('when the window is 7 hours, then 201 with 3 jobs and the right total, and it completes with exact counts per job', async () => {
      const r = await startWebhookReceiver();
      try {
        const t = await h.createTenant({ webhookUrl: r.url });
        const ids = await seed(t.merchant.id, [
          { at: '2026-01-15T00:59:59.999Z' }, // 0: just before the window
          { at: '2026-01-15T01:00:00.000Z' }, // 1: job 1, at the start (included)
          { at: '2026-01-15T03:59:59.999Z', status_id: 4 }, // 2: job 1, its last instant
          { at: '2026-01-15T04:00:00.000Z', status_id: 10 }, // 3: job 2, at its start
          { at: '2026-01-15T05:30:00.000Z', kind: 'CASHOUT' }, // 4: job 2, a payout (both kinds replay)
          { at: '2026-01-15T06:00:00.000Z', status_id: 1 }, // 5: Pending, not notifiable
          { at: '2026-01-15T07:00:00.000Z', status_id: 2 }, // 6: job 3, at its start
          { at: '2026-01-15T07:59:59.999Z' }, // 7: job 3, the last instant of the window
          { at: '2026-01-15T08:00:00.000Z' }, // 8: exactly at the end (excluded)
        ]);
        // Another merchant's transaction inside the window is never part of it.
        const other = await h.createTenant({ webhookUrl: r.url });
        await seed(other.merchant.id, [{ at: '2026-01-15T02:00:00.000Z' }]);

        const res = await replay(t, { merchant_id: t.merchant.id, from: '2026-01-15T01:00:00Z', to: '2026-01-15T08:00:00Z' });
        expect(res.status).toBe(201);
        expect(res.body).toMatchObject({
          id: expect.stringMatching(REQUEST_ID),
          merchant_id: t.merchant.id,
          start_datetime: '2026-01-15T01:00:00.000Z',
          end_datetime: '2026-01-15T08:00:00.000Z',
          only_failed: false,
          run_at: null,
          jobs: 3,
          total: 6,
        });
        expect(['queued', 'running']).toContain(res.body.state);
        expect(res.body.jobs_detail.map((j: any) => [j.start_datetime, j.end_datetime, j.total])).toEqual([
          ['2026-01-15T01:00:00.000Z', '2026-01-15T04:00:00.000Z', 2],
          ['2026-01-15T04:00:00.000Z', '2026-01-15T07:00:00.000Z', 2],
          ['2026-01-15T07:00:00.000Z', '2026-01-15T08:00:00.000Z', 2],
        ]);

        const done = await waitForReplay(t, res.body.id, 'completed');
        expect(done).toEqual({
          id: res.body.id,
          resend_type: null,
          object_reference_id: null,
          merchant_id: t.merchant.id,
          start_datetime: '2026-01-15T01:00:00.000Z',
          end_datetime: '2026-01-15T08:00:00.000Z',
          only_failed: false,
          run_at: null,
          state: 'completed',
          jobs: 3,
          total: 6,
          processed: 6,
          succeeded: 6,
          failed: 0,
          created_at: res.body.created_at,
          finished_at: expect.stringMatching(ISO_MS),
          jobs_detail: res.body.jobs_detail.map((j: any) => ({
            job_id: j.job_id,
            state: 'completed',
            start_datetime: j.start_datetime,
            end_datetime: j.end_datetime,
            total: 2,
            processed: 2,
            succeeded: 2,
            failed: 0,
          })),
        });
        expect(new Set(done.jobs_detail.map((j: any) => j.job_id)).size).toBe(3);
        expect(Date.parse(done.finished_at)).toBeGreaterThanOrEqual(Date.parse(done.created_at));

        await h.untilIdle();
        expect(sorted(idsAt(r))).toEqual(sorted([ids[1]!, ids[2]!, ids[3]!, ids[4]!, ids[6]!, ids[7]!]));
        const rows = await auditRows(t, `merchant_id=${t.merchant.id}`);
        expect(rows).toHaveLength(6);
        for (const row of rows) {
          // A replay that runs now, at someone's request, is a bulk delivery; `scheduled` is for run_at and schedules.
          expect(row).toMatchObject({ trigger: 'bulk', outcome: 'success', http_status: 200, attempt: 1 });
          expect(done.jobs_detail.map((j: any) => j.job_id)).toContain(row.resend_job_id);
        }
      } finally {
        await r.close();
      }
    });

    it('when only_failed is true, then only transactions whose latest delivery failed are replayed', async () => {
      const r = await startWebhookReceiver();
      try {
        const t = await h.createTenant({ webhookUrl: r.url });
        const ids = await seed(t.merchant.id, payins('2026-01-20T10:00:00Z', 6));
        const [failedOnce, succeededOnce, failedThenSucceeded, succeededThenFailed, failedTwice, succeededTwice] = ids as [
          number, number, number, number, number, number,
        ];
        await resendOnce(t, failedOnce, 'fails');
        await resendOnce(t, succeededOnce, 'succeeds');
        await resendOnce(t, failedThenSucceeded, 'fails');
        await resendOnce(t, failedThenSucceeded, 'succeeds');
        await resendOnce(t, succeededThenFailed, 'succeeds');
        await resendOnce(t, succeededThenFailed, 'fails');
        await resendOnce(t, failedTwice, 'fails');
        await resendOnce(t, failedTwice, 'fails');
        await resendOnce(t, succeededTwice, 'succeeds');
        await resendOnce(t, succeededTwice, 'succeeds');
        const window = { merchant_id: t.merchant.id, from: '2026-01-20T09:00:00Z', to: '2026-01-20T13:00:00Z' };
        const wanted = sorted([failedOnce, succeededThenFailed, failedTwice]);

        const dry = await replay(t, { ...window, only_failed: true, dry_run: true });
        expect(dry.status).toBe(200);
        expect(dry.body).toEqual({ id: null, total: 3 });

        const res = await replay(t, { ...window, only_failed: true });
        expect(res.status).toBe(201);
        expect(res.body).toMatchObject({ only_failed: true, jobs: 2, total: 3 });
        const done = await waitForReplay(t, res.body.id, 'completed');
        expect(done).toMatchObject({ state: 'completed', only_failed: true, jobs: 2, total: 3, processed: 3, succeeded: 3, failed: 0 });

        await h.untilIdle();
        expect(sorted(idsAt(r))).toEqual(wanted);
        // Now that they succeeded, nothing is left to replay.
        const after = await replay(t, { ...window, only_failed: true, dry_run: true });
        expect(after.body).toEqual({ id: null, total: 0 });
        // Without only_failed the whole window counts.
        const all = await replay(t, { ...window, dry_run: true });
        expect(all.body).toEqual({ id: null, total: 6 });
      } finally {
        await r.close();
      }
    });

    it("when run_at is 2 s ahead, then nothing is sent and the replay stays 'queued' before then, and it is delivered once that time comes", async () => {
      const r = await startWebhookReceiver();
      try {
        const t = await h.createTenant({ webhookUrl: r.url });
        const ids = await seed(t.merchant.id, payins('2026-01-25T10:00:00Z', 3));
        const runAt = new Date(Date.now() + 2000);
        const res = await replay(t, { merchant_id: t.merchant.id, from: '2026-01-25T10:00:00Z', to: '2026-01-25T11:00:00Z', run_at: runAt.toISOString() });
        expect(res.status).toBe(201);
        expect(res.body).toMatchObject({ state: 'queued', run_at: runAt.toISOString(), jobs: 1, total: 3, processed: 0 });

        await sleep(Math.max(0, runAt.getTime() - 500 - Date.now()));
        expect(r.received).toHaveLength(0);
        const early = await replayStatus(t, res.body.id);
        expect(early.status).toBe(200);
        expect(early.body).toMatchObject({ state: 'queued', processed: 0, finished_at: null });
        expect(early.body.jobs_detail.map((j: any) => j.state)).toEqual(['queued']);

        await r.waitForCount(3, 10_000);
        const firstArrival = Math.min(...r.received.map((hook) => hook.receivedAt));
        expect(firstArrival).toBeGreaterThanOrEqual(runAt.getTime());
        expect(firstArrival).toBeLessThan(runAt.getTime() + 3000);
        const done = await waitForReplay(t, res.body.id, 'completed');
        expect(done).toMatchObject({ run_at: runAt.toISOString(), total: 3, processed: 3, succeeded: 3, failed: 0 });
        expect(sorted(idsAt(r))).toEqual(sorted(ids));
        // Run later, not at the moment it was asked: audited as `scheduled`.
        const rows = await auditRows(t, `merchant_id=${t.merchant.id}`);
        expect(rows.map((row) => row.trigger)).toEqual(['scheduled', 'scheduled', 'scheduled']);
      } finally {
        await r.close();
      }
    });

    it('when dry_run is true, then 200 {id: null, total} with the count, nothing is sent and no job exists', async () => {
      const r = await startWebhookReceiver();
      try {
        const t = await h.createTenant({ webhookUrl: r.url });
        await seed(t.merchant.id, [...payins('2026-01-26T00:30:00Z', 4), { at: '2026-01-26T05:00:00Z', status_id: 1 }]);
        const res = await replay(t, { merchant_id: t.merchant.id, from: '2026-01-26T00:00:00Z', to: '2026-01-26T10:00:00Z', dry_run: true });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ id: null, total: 4 });
        await h.untilIdle();
        expect(r.received).toHaveLength(0);
        expect(await jobCount(t.merchant.id)).toBe(0);
      } finally {
        await r.close();
      }
    });
  });

  describe('validation and scope', () => {
    const valid = { from: '2026-02-01T00:00:00Z', to: '2026-02-01T07:00:00Z' };
    const inDays = (days: number, extraMs = 0) => new Date(Date.now() + days * 86_400_000 + extraMs).toISOString();

    it.each([
      ['"to" is before "from"', 'to', { from: '2026-02-01T07:00:00Z', to: '2026-02-01T00:00:00Z' }],
      ['"to" equals "from"', 'to', { from: '2026-02-01T07:00:00Z', to: '2026-02-01T07:00:00Z' }],
      ['the window is one second over 31 days', 'to', { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:01Z' }],
      ['run_at is more than 7 days ahead', 'run_at', { ...valid, run_at: inDays(7, 60_000) }],
      ['run_at is not a date', 'run_at', { ...valid, run_at: 'tomorrow' }],
      ['only_failed is the string "true"', 'only_failed', { ...valid, only_failed: 'true' }],
      ['only_failed is 1', 'only_failed', { ...valid, only_failed: 1 }],
      ['dry_run is a word', 'dry_run', { ...valid, dry_run: 'yes' }],
      ['from has no time zone', 'from', { ...valid, from: '2026-02-01T00:00:00' }],
      ['to is missing', 'to', { from: valid.from }],
      ['merchant_id is a string', 'merchant_id', { ...valid, merchant_id: '1' }],
      ['kind is unknown', 'kind', { ...valid, kind: 'REFUND' }],
      ['an unknown field is sent', 'window', { ...valid, window: '7h' }],
    ])('when %s, then 422 names "%s" and no job is created', async (_what, field, body) => {
      const t = await h.createTenant({ webhookUrl: accepting.url });
      const res = await replay(t, { merchant_id: t.merchant.id, ...(body as Record<string, unknown>) });
      expect(res.status).toBe(422);
      expect(res.body).toEqual({ statusCode: 422, message: expect.stringContaining(`"${field}"`), error: 'Unprocessable Entity' });
      expect(await jobCount(t.merchant.id)).toBe(0);
    });

    it('when the window is exactly 31 days and run_at just under 7 days ahead, then it is accepted', async () => {
      const t = await h.createTenant({ webhookUrl: accepting.url });
      const month = await replay(t, { merchant_id: t.merchant.id, from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z', dry_run: true });
      expect(month.status).toBe(200);
      expect(month.body).toEqual({ id: null, total: 0 });
      const later = await replay(t, { merchant_id: t.merchant.id, ...valid, run_at: inDays(7, -60_000), dry_run: true });
      expect(later.status).toBe(200);
      expect(later.body).toEqual({ id: null, total: 0 });
    });

    it('when the request carries no API key, then 401 for both calls', async () => {
      const t = await h.createTenant({ webhookUrl: accepting.url });
      const res = await replay(t, { merchant_id: t.merchant.id, ...valid }, null);
      expect(res.status).toBe(401);
      expect(res.body).toEqual(UNAUTHORIZED);
      const status = await h.request('GET', `/v1/replays/${'a'.repeat(32)}`);
      expect(status.status).toBe(401);
      expect(status.body).toEqual(UNAUTHORIZED);
    });

    it("when merchant_id is another account's merchant or does not exist, then 404 with identical bodies and nothing is sent", async () => {
      const r = await startWebhookReceiver();
      try {
        const owner = await h.createTenant({ webhookUrl: r.url });
        await seed(owner.merchant.id, payins('2026-02-01T01:00:00Z', 3));
        const caller = await h.createTenant({ webhookUrl: accepting.url });
        const foreign = await replay(caller, { merchant_id: owner.merchant.id, ...valid });
        const foreignDry = await replay(caller, { merchant_id: owner.merchant.id, ...valid, dry_run: true });
        const missing = await replay(caller, { merchant_id: 2_000_000_000, ...valid });
        for (const res of [foreign, foreignDry, missing]) {
          expect(res.status).toBe(404);
          expect(res.body).toEqual(MERCHANT_NOT_FOUND);
        }
        expect(foreign.text).toBe(missing.text);
        await h.untilIdle();
        expect(r.received).toHaveLength(0);
        expect(await jobCount(owner.merchant.id)).toBe(0);
      } finally {
        await r.close();
      }
    });

    it("when the replay id is another account's, unknown or malformed, then GET answers 404 and the owner still sees it", async () => {
      const r = await startWebhookReceiver();
      try {
        const owner = await h.createTenant({ webhookUrl: r.url });
        await seed(owner.merchant.id, payins('2026-02-02T01:00:00Z', 1));
        const res = await replay(owner, { merchant_id: owner.merchant.id, from: '2026-02-02T00:00:00Z', to: '2026-02-02T03:00:00Z' });
        expect(res.status).toBe(201);
        await waitForReplay(owner, res.body.id, 'completed');

        const stranger = await h.createTenant({ webhookUrl: accepting.url });
        for (const id of [res.body.id, 'f'.repeat(32), res.body.id.toUpperCase(), 'nope', "1' OR '1'='1"]) {
          const answer = await replayStatus(stranger, id);
          expect(answer.status).toBe(404);
          expect(answer.body).toEqual(REPLAY_NOT_FOUND);
        }
        const mine = await replayStatus(owner, res.body.id);
        expect(mine.status).toBe(200);
        expect(mine.body).toMatchObject({ id: res.body.id, state: 'completed', total: 1, succeeded: 1 });
      } finally {
        await r.close();
      }
    });
  });

  describe('recurring replays (job schedulers)', () => {
    const schedules = (t: Tenant) => h.request('GET', '/v1/replay-schedules', { token: t.apiKey });
    const createSchedule = (t: Tenant, body: unknown) => h.request('POST', '/v1/replay-schedules', { token: t.apiKey, body });
    const deleteSchedule = (t: Tenant, id: string) => h.request('DELETE', `/v1/replay-schedules/${encodeURIComponent(id)}`, { token: t.apiKey });

    /** Firings of the schedule that did nothing because its previous replay was still running. */
    const skippedFirings = async (scheduleId: string) =>
      (await h.worker!.context.scheduleQueue.getJobs(['completed'], 0, -1)).filter(
        (j) => j.data.scheduleId === scheduleId && (j.returnvalue as { skipped?: string } | null)?.skipped === 'previous_still_running',
      );

    /** Its scheduler is gone from Redis, no firing is due or running, and what firings started has ended. */
    async function untilScheduleStopped(scheduleId: string): Promise<void> {
      const queue = h.api.context.scheduleQueue;
      await waitFor(
        async () =>
          (await queue.getJobScheduler(scheduleId)) === undefined &&
          Object.values(await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized')).every((n) => n === 0),
        10_000,
        `schedule ${scheduleId} to stop firing`,
      );
      await h.untilIdle();
    }

    it('when a schedule replays what failed in the last hour every second, then it fires on its schedule, redelivers only the failed ones, and stops once deleted', async () => {
      const r = await startWebhookReceiver();
      try {
        const t = await h.createTenant({ webhookUrl: r.url });
        const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
        const [failedA, failedB, stillFailing, succeeded, neverDelivered, oldFailed] = (await seed(t.merchant.id, [
          { at: minutesAgo(50) },
          { at: minutesAgo(30) },
          { at: minutesAgo(20) },
          { at: minutesAgo(10) },
          { at: minutesAgo(5), status_id: 1 }, // Pending: never notifiable
          { at: minutesAgo(90) }, // failed, but before the last hour
        ])) as [number, number, number, number, number, number];
        for (const id of [failedA, failedB, stillFailing, oldFailed]) await resendOnce(t, id, 'fails');
        await resendOnce(t, succeeded, 'succeeds');
        // The merchant's endpoint is back, except for one transaction it keeps refusing: the first
        // firing (whose window is the last hour) spends its 4 attempts; later firings' windows start
        // where the last one ended, so they do not replay it again.
        r.respondWith((hook) => (transactionIdOf(hook) === stillFailing ? { status: 500, body: 'still down' } : { status: 200 }));

        const created = await createSchedule(t, { merchant_id: t.merchant.id, every_seconds: 1, lookback_seconds: 3600, only_failed: true });
        expect(created.status).toBe(201);
        expect(created.body).toEqual({
          id: expect.stringMatching(/^sched-[0-9a-f]+$/),
          merchant_id: t.merchant.id,
          every_seconds: 1,
          lookback_seconds: 3600,
          only_failed: true,
          kind: null,
          covered_until: null,
          next_run_at: expect.anything(),
        });
        const scheduleId: string = created.body.id;

        const listed = await schedules(t);
        expect(listed.status).toBe(200);
        // The first firing may already have moved the high-water mark.
        const [mark] = listed.body.data.map((s: any) => s.covered_until);
        expect(mark === null || !Number.isNaN(Date.parse(mark))).toBe(true);
        expect(listed.body).toEqual({ data: [created.body].map((s) => ({ ...s, covered_until: mark, next_run_at: expect.anything() })) });
        const stranger = await h.createTenant({ webhookUrl: accepting.url });
        const theirs = await schedules(stranger);
        expect(theirs.status).toBe(200);
        expect(theirs.body).toEqual({ data: [] });
        const foreignDelete = await deleteSchedule(stranger, scheduleId);
        expect(foreignDelete.status).toBe(404);
        expect(foreignDelete.body).toEqual(SCHEDULE_NOT_FOUND);

        // Fires every second: each firing is a request whose window starts where the previous one
        // ended (the schedule's high-water mark), so together they cover time without a gap.
        const firings = async () =>
          (await h.db.dataSource.query(
            `SELECT min(created_at) AS at, min(window_start) AS start, max(window_end) AS "end" FROM resend_jobs
              WHERE requested_by = $1 GROUP BY request_id ORDER BY 1`,
            [`schedule:${scheduleId}`],
          )) as Array<{ at: Date; start: Date; end: Date }>;
        let seen: Array<{ at: Date; start: Date; end: Date }> = [];
        await waitFor(async () => (seen = await firings()).length >= 3, 15_000, 'three firings of the schedule');
        expect(Date.parse(seen[0]!.end.toISOString()) - Date.parse(seen[0]!.start.toISOString())).toBeGreaterThanOrEqual(3600_000);
        for (let i = 1; i < seen.length; i++) {
          const gap = seen[i]!.at.getTime() - seen[i - 1]!.at.getTime();
          expect(gap).toBeGreaterThanOrEqual(500);
          expect(gap).toBeLessThan(3000);
          expect(seen[i]!.start.toISOString()).toBe(seen[i - 1]!.end.toISOString());
        }
        // The owner's schedule survived the stranger's delete.
        expect((await schedules(t)).body.data.map((s: any) => s.id)).toEqual([scheduleId]);

        // The failed ones of the last hour came back once each; nothing else was sent.
        const received = idsAt(r);
        expect(received.filter((id) => id === failedA)).toHaveLength(1);
        expect(received.filter((id) => id === failedB)).toHaveLength(1);
        for (const id of [succeeded, neverDelivered, oldFailed]) expect(received).not.toContain(id);

        const rows = await auditRows(t, `merchant_id=${t.merchant.id}&trigger=scheduled`);
        for (const row of rows) {
          expect(row).toMatchObject({ trigger: 'scheduled', url: r.url, url_source: 'configured', resend_job_id: expect.stringMatching(REQUEST_ID) });
        }
        for (const id of [failedA, failedB]) {
          const mine = rows.filter((row) => row.transaction_id === id);
          expect(mine.map((row) => [row.outcome, row.http_status])).toEqual([['success', 200]]);
        }
        const refused = rows.filter((row) => row.transaction_id === stillFailing);
        expect(refused.map((row) => [row.attempt, row.outcome])).toEqual([4, 3, 2, 1].map((n) => [n, 'http_error']));
        expect(new Set(refused.map((row) => row.resend_job_id)).size).toBe(1);

        const deleted = await deleteSchedule(t, scheduleId);
        expect(deleted.status).toBe(204);
        expect(deleted.text).toBe('');
        expect((await schedules(t)).body).toEqual({ data: [] });
        const again = await deleteSchedule(t, scheduleId);
        expect(again.status).toBe(404);
        expect(again.body).toEqual(SCHEDULE_NOT_FOUND);

        // A firing already under way may finish; after that, nothing more: no firing is due or
        // running, and a sweep (which re-creates schedulers from PostgreSQL) does not bring it back.
        await untilScheduleStopped(scheduleId);
        const settledDeliveries = r.received.length;
        const settledFirings = (await firings()).length;
        await h.worker!.sweeper.runOnce();
        await untilScheduleStopped(scheduleId);
        expect(r.received.length).toBe(settledDeliveries);
        expect((await firings()).length).toBe(settledFirings);
      } finally {
        await r.close();
      }
    }, 60_000);

    it('when a firing is still delivering as the next one comes due, then the failed transaction is not redelivered again meanwhile', async () => {
      // The merchant's endpoint takes 2.5 s to answer, the schedule fires every second.
      const slow = await startWebhookReceiver({ delayMs: 2500 });
      try {
        const t = await h.createTenant({ webhookUrl: slow.url });
        const [failed] = (await seed(t.merchant.id, [{ at: new Date(Date.now() - 60_000).toISOString() }])) as [number];
        await resendOnce(t, failed, 'fails');

        const created = await createSchedule(t, { merchant_id: t.merchant.id, every_seconds: 1, lookback_seconds: 3600, only_failed: true });
        expect(created.status).toBe(201);
        await slow.waitForCount(1, 10_000);
        // Firings come due while that delivery is in flight: each is skipped. Then it lands.
        await waitFor(async () => (await skippedFirings(created.body.id)).length >= 1, 10_000, 'a firing skipped while the delivery is in flight');
        await waitFor(async () => (await auditRows(t, `transaction_id=${failed}&trigger=scheduled`)).some((row) => row.outcome !== null), 10_000, 'the redelivery to land');
        expect((await deleteSchedule(t, created.body.id)).status).toBe(204);
        await untilScheduleStopped(created.body.id);

        // One redelivery, which succeeded; firings while it was in flight did not send it again.
        expect(slow.received.map(transactionIdOf)).toEqual([failed]);
        const rows = await auditRows(t, `transaction_id=${failed}&trigger=scheduled`);
        expect(rows.map((row) => [row.outcome, row.http_status])).toEqual([['success', 200]]);
      } finally {
        await slow.close();
      }
    }, 30_000);

    it("when a schedule names another account's merchant, an unknown id is deleted, or a field is invalid, then 404 / 404 / 422", async () => {
      const owner = await h.createTenant({ webhookUrl: accepting.url });
      const caller = await h.createTenant({ webhookUrl: accepting.url });
      const foreign = await createSchedule(caller, { merchant_id: owner.merchant.id, every_seconds: 3600 });
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual(MERCHANT_NOT_FOUND);

      const unknown = await deleteSchedule(caller, 'sched-000000000000000000000000');
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual(SCHEDULE_NOT_FOUND);

      for (const [field, body] of [
        ['every_seconds', { merchant_id: caller.merchant.id, every_seconds: 0 }],
        ['every_seconds', { merchant_id: caller.merchant.id }],
        ['only_failed', { merchant_id: caller.merchant.id, every_seconds: 60, only_failed: 'yes' }],
        ['lookback_seconds', { merchant_id: caller.merchant.id, every_seconds: 60, lookback_seconds: 32 * 24 * 3600 }],
      ] as const) {
        const res = await createSchedule(caller, body);
        expect(res.status).toBe(422);
        expect(res.body).toEqual({ statusCode: 422, message: expect.stringContaining(`"${field}"`), error: 'Unprocessable Entity' });
      }
      expect((await schedules(caller)).body).toEqual({ data: [] });
      expect((await schedules(owner)).body).toEqual({ data: [] });
    });
  });
});
