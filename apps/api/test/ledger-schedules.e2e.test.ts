import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startWebhookReceiver, waitFor } from '@wr/testing';
import { startHarness, type Harness, type Tenant } from './support/harness.js';

/**
 * Recurring replays keep a high-water mark (`covered_until`) in PostgreSQL: a firing skipped
 * because the previous one still runs leaves the mark where it was, so the next firing that runs
 * covers the gap, and consecutive firings' windows touch without a hole or an overlap.
 */

interface JobRow {
  id: string;
  state: string;
  window_start: Date;
  window_end: Date;
  total: number;
}

describe('recurring replays with a high-water mark', () => {
  let h: Harness;

  beforeAll(async () => {
    // The receiver below holds the first firing's webhooks for 4 s: within the delivery timeout.
    h = await startHarness({ worker: true, env: { WEBHOOK_TIMEOUT_MS: '10000' } });
  });

  afterAll(async () => {
    await h.close();
  });

  const schedulesOf = (t: Tenant) => h.request('GET', '/v1/replay-schedules', { token: t.apiKey });

  async function firingJobs(scheduleId: string): Promise<JobRow[]> {
    return h.db.dataSource.query(
      'SELECT id, state, window_start, window_end, total FROM resend_jobs WHERE requested_by = $1 ORDER BY window_start, id',
      [`schedule:${scheduleId}`],
    );
  }

  it('when a firing comes due while the previous one still delivers, then it is skipped (the mark stays) and the next firing starts exactly where the last window ended', async () => {
    const HOLD_MS = 4000;
    // The first two webhooks (the first firing's) are answered after 4 s; everything else at once.
    let answered = 0;
    const r = await startWebhookReceiver();
    r.respondWith(() => (++answered <= 2 ? { delayMs: HOLD_MS } : {}));
    try {
      const t = await h.createTenant({ webhookUrl: r.url });
      const seeded = await h.admin('POST', '/admin/transactions/batch', {
        notify: false,
        transactions: [30_000, 20_000].map((ago, i) => ({
          merchant_id: t.merchant.id,
          kind: 'CASHIN',
          status_id: 3,
          amount: 100 + i,
          status_changed_at: new Date(Date.now() - ago).toISOString(),
        })),
      });
      expect(seeded.status).toBe(201);
      const ids: number[] = seeded.body.ids;

      const created = await h.request('POST', '/v1/replay-schedules', {
        token: t.apiKey,
        body: { merchant_id: t.merchant.id, every_seconds: 1, lookback_seconds: 60, only_failed: false },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ every_seconds: 1, lookback_seconds: 60, only_failed: false, covered_until: null });
      const scheduleId: string = created.body.id;

      // The first firing: a job over the last 60 s, its two webhooks held by the receiver.
      let jobs: JobRow[] = [];
      await waitFor(async () => (jobs = await firingJobs(scheduleId)).length >= 1, 10_000, 'the first firing');
      const first = jobs[0]!;
      expect(first.window_end.getTime() - first.window_start.getTime()).toBe(60_000);
      expect(first.total).toBe(2);
      await r.waitForCount(2, 10_000);

      const mark = async () => (await schedulesOf(t)).body.data.find((s: any) => s.id === scheduleId);
      const atFirst = await mark();
      expect(atFirst.covered_until).toBe(first.window_end.toISOString());

      // Firings keep coming due (every second) while the first job runs: each is skipped, as the
      // worker's own record of those firings says.
      const skippedFirings = async () =>
        (await h.worker!.context.scheduleQueue.getJobs(['completed'], 0, -1)).filter(
          (j) => j.data.scheduleId === scheduleId && (j.returnvalue as { skipped?: string } | null)?.skipped === 'previous_still_running',
        );
      await waitFor(async () => (await skippedFirings()).length >= 1, 10_000, 'a firing to be skipped while the first job runs');
      const meanwhile = await mark();
      expect(meanwhile.covered_until).toBe(atFirst.covered_until);
      expect(Date.parse(meanwhile.next_run_at)).toBeGreaterThan(Date.parse(atFirst.next_run_at));
      const stillOne = await firingJobs(scheduleId);
      expect(stillOne.map((j) => [j.id, j.state])).toEqual([[first.id, 'running']]);

      // Once the first job is done, later firings run again and cover the stretch the skipped ones left.
      await waitFor(async () => (jobs = await firingJobs(scheduleId)).length >= 3, 15_000, 'two more firings after the first job');
      expect((await h.request('DELETE', `/v1/replay-schedules/${scheduleId}`, { token: t.apiKey })).status).toBe(204);
      // A firing already under way may still add its job: wait until none is due or running any
      // more and every job a firing added has ended.
      await waitFor(
        async () =>
          Object.values(await h.api.context.scheduleQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized')).every((n) => n === 0),
        10_000,
        'the deleted schedule to stop firing',
      );
      await h.untilIdle();
      jobs = await firingJobs(scheduleId);

      expect(jobs[0]!.id).toBe(first.id);
      for (let i = 1; i < jobs.length; i++) {
        // No gap, no overlap: each window starts exactly where the previous one ended.
        expect(jobs[i]!.window_start.toISOString()).toBe(jobs[i - 1]!.window_end.toISOString());
        expect(jobs[i]!.window_end.getTime()).toBeGreaterThan(jobs[i]!.window_start.getTime());
      }
      // The firing after the skipped ones covers from the first job's end, i.e. the skipped seconds too.
      expect(jobs[1]!.window_start.toISOString()).toBe(first.window_end.toISOString());
      expect(jobs[1]!.window_end.getTime() - jobs[1]!.window_start.getTime()).toBeGreaterThan(HOLD_MS - 1000);
      for (const j of jobs) expect(j.state).toBe('completed');
      const [row] = await h.db.dataSource.query('SELECT covered_until FROM replay_schedules WHERE id = $1', [scheduleId]);
      expect(row.covered_until.toISOString()).toBe(jobs[jobs.length - 1]!.window_end.toISOString());

      // Each seeded transaction was replayed once, by the first firing: later windows hold nothing.
      expect(r.received.map((hook) => JSON.parse(hook.body).transactionId).sort()).toEqual(ids.slice().sort());
      expect(jobs.slice(1).every((j) => j.total === 0)).toBe(true);
    } finally {
      await r.close();
    }
  }, 45_000);
});
