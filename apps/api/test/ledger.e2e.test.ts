import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startWebhookReceiver, waitFor, type WebhookReceiver } from '@wr/testing';
import { startHarness, type Harness, type SeedRow, type Tenant } from './support/harness.js';

/**
 * The delivery ledger as a user sees it (commit e08b012): one bulk job per merchant and window
 * start whatever the contract, per-transaction sequences, cancel means stop, invoice resend per
 * status, and `sequence` in the automatic webhook.
 */

const PAYIN_BULK = '/v2/payin/notifications/resend';
const JOB_ID = /^[0-9a-f]{32}$/;
const WINDOW_BUSY = { statusCode: 409, message: expect.stringMatching(/already queued or running/), error: 'Conflict' };
// The harness's worker: BULK_CONCURRENCY (default 4) batch jobs at once, 50 webhooks each.
const BULK_IN_FLIGHT = 4 * 50;

const bodyOf = (hook: { body: string }) => JSON.parse(hook.body);
const idsAt = (r: WebhookReceiver) => r.received.map((hook) => bodyOf(hook).transactionId as number);
const sorted = (ids: number[]) => ids.slice().sort((a, b) => a - b);

describe('delivery ledger (PostgreSQL holds every delivery owed)', () => {
  let h: Harness;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    // Retries far away: a failed invoice delivery stays pending for the whole test.
    h = await startHarness({ worker: true, env: { RETRY_BASE_DELAY_MS: '60000' } });
  });

  afterAll(async () => {
    for (const r of receivers) await r.close();
    await h.close();
  });

  async function receiver(behaviour: Parameters<typeof startWebhookReceiver>[0] = {}): Promise<WebhookReceiver> {
    const r = await startWebhookReceiver(behaviour);
    receivers.push(r);
    return r;
  }

  const seed = (merchantId: number, rows: SeedRow[]) => h.seedTransactions(merchantId, rows);

  const payinBulk = (t: Tenant, body: unknown) => h.request('POST', PAYIN_BULK, { token: t.apiKey, body });
  const replay = (t: Tenant, body: unknown) => h.request('POST', '/v1/replays', { token: t.apiKey, body });
  const jobStatus = (t: Tenant, id: string) => h.request('GET', `/v1/resend-jobs/${id}`, { token: t.apiKey });
  const cancel = (t: Tenant, id: string) => h.request('POST', `/v1/resend-jobs/${id}/cancel`, { token: t.apiKey });
  const query = (sql: string, params: unknown[] = []) => h.db.dataSource.query(sql, params);

  async function waitForJob(t: Tenant, id: string, state: string, timeoutMs = 20_000): Promise<any> {
    let status: any;
    await waitFor(
      async () => {
        status = (await jobStatus(t, id)).body;
        return status.state === state;
      },
      timeoutMs,
      `job ${id} to be ${state} (last seen ${JSON.stringify(status)})`,
    );
    return status;
  }

  /**
   * The transaction as stored. (SPEC 6 lists `GET /admin/transactions/:id`, but the admin API
   * serves no GET route at all, so the test reads the row.)
   */
  async function currentTransaction(id: number): Promise<{ status_id: number; sequence: number; status_changed_at: string }> {
    const [row] = await query('SELECT status_id, sequence, status_changed_at FROM transactions WHERE id = $1', [id]);
    return { status_id: row.status_id, sequence: row.sequence, status_changed_at: row.status_changed_at.toISOString() };
  }

  async function jobsOf(merchantId: number): Promise<Array<{ id: string; state: string; source: string; total: number }>> {
    return query('SELECT id, state, source, total FROM resend_jobs WHERE merchant_id = $1 ORDER BY created_at', [merchantId]);
  }

  describe('one bulk job per merchant and window start, whatever the contract', () => {
    /** 5 payins and 2 payouts in [08:00, 09:00) of the given day. */
    async function windowOf(t: Tenant, day: string): Promise<{ payins: number[]; payouts: number[] }> {
      const ids = await seed(t.merchant.id, [
        { at: `${day}T08:00:00Z` },
        { at: `${day}T08:10:00Z` },
        { at: `${day}T08:20:00Z`, kind: 'CASHOUT' },
        { at: `${day}T08:30:00Z`, status_id: 4 },
        { at: `${day}T08:40:00Z` },
        { at: `${day}T08:45:00Z`, kind: 'CASHOUT' },
        { at: `${day}T08:50:00Z` },
      ]);
      return { payins: [ids[0]!, ids[1]!, ids[3]!, ids[4]!, ids[6]!], payouts: [ids[2]!, ids[5]!] };
    }

    it('when a payin bulk runs, then /v1/replays without kind (or with either kind) on the same merchant and start is 409; one job, each payin delivered once', async () => {
      const r = await receiver({ delayMs: 1000 });
      const t = await h.createTenant({ webhookUrl: r.url });
      const { payins } = await windowOf(t, '2026-07-01');

      const bulk = await payinBulk(t, { merchant_id: t.merchant.id, start_time: '2026-07-01 08:00:00', end_time: '2026-07-01 11:00:00' });
      expect(bulk.status).toBe(200);
      expect(bulk.body).toEqual({ job_id: expect.stringMatching(JOB_ID), total: 5 });

      const noKind = await replay(t, { merchant_id: t.merchant.id, from: '2026-07-01T08:00:00Z', to: '2026-07-01T10:00:00Z' });
      const longer = await replay(t, { merchant_id: t.merchant.id, from: '2026-07-01T08:00:00Z', to: '2026-07-01T20:00:00Z' });
      const payouts = await replay(t, { merchant_id: t.merchant.id, from: '2026-07-01T08:00:00Z', to: '2026-07-01T09:00:00Z', kind: 'CASHOUT' });
      expect(['queued', 'running']).toContain((await jobStatus(t, bulk.body.job_id)).body.state);
      for (const res of [noKind, longer, payouts]) {
        expect(res.status).toBe(409);
        expect(res.body).toEqual(WINDOW_BUSY);
      }

      await waitForJob(t, bulk.body.job_id, 'completed');
      await h.untilIdle();
      expect((await jobsOf(t.merchant.id)).map((j) => j.id)).toEqual([bulk.body.job_id]);
      expect(sorted(idsAt(r))).toEqual(sorted(payins));
    });

    it('when a replay without kind runs, then a payin bulk on the same merchant and start is 409; one job, each transaction delivered once', async () => {
      const r = await receiver({ delayMs: 1000 });
      const t = await h.createTenant({ webhookUrl: r.url });
      const { payins, payouts } = await windowOf(t, '2026-07-02');

      const first = await replay(t, { merchant_id: t.merchant.id, from: '2026-07-02T08:00:00Z', to: '2026-07-02T09:00:00Z' });
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({ jobs: 1, total: 7 });
      const jobId: string = first.body.jobs_detail[0].job_id;

      const bulk = await payinBulk(t, { merchant_id: t.merchant.id, start_time: '2026-07-02 08:00:00', end_time: '2026-07-02 11:00:00' });
      const shorter = await payinBulk(t, { merchant_id: t.merchant.id, start_time: '2026-07-02 08:00:00', end_time: '2026-07-02 08:30:00', status_ids: [3] });
      expect(['queued', 'running']).toContain((await jobStatus(t, jobId)).body.state);
      for (const res of [bulk, shorter]) {
        expect(res.status).toBe(409);
        expect(res.body).toEqual(WINDOW_BUSY);
      }

      await waitForJob(t, jobId, 'completed');
      await h.untilIdle();
      expect((await jobsOf(t.merchant.id)).map((j) => j.id)).toEqual([jobId]);
      expect(sorted(idsAt(r))).toEqual(sorted([...payins, ...payouts]));
    });

    it('when 10 payin bulks and replays race on one merchant and start, then exactly one gets 2xx, nine get 409, one job runs and nothing is sent twice', async () => {
      const r = await receiver({ delayMs: 1000 });
      const t = await h.createTenant({ webhookUrl: r.url });
      const { payins, payouts } = await windowOf(t, '2026-07-03');
      const bulkBody = { merchant_id: t.merchant.id, start_time: '2026-07-03 08:00:00', end_time: '2026-07-03 11:00:00' };
      const replayBody = { merchant_id: t.merchant.id, from: '2026-07-03T08:00:00Z', to: '2026-07-03T11:00:00Z' };

      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? payinBulk(t, bulkBody) : replay(t, replayBody))),
      );
      const ok = answers.filter((a) => a.status >= 200 && a.status < 300);
      const conflicts = answers.filter((a) => a.status === 409);
      expect(answers.map((a) => a.status).filter((s) => s !== 409 && (s < 200 || s >= 300))).toEqual([]);
      expect(ok).toHaveLength(1);
      expect(conflicts).toHaveLength(9);
      for (const c of conflicts) expect(c.body).toEqual(WINDOW_BUSY);

      const winner = ok[0]!;
      const jobs = await jobsOf(t.merchant.id);
      expect(jobs).toHaveLength(1);
      const byPayin = winner.status === 200;
      expect(jobs[0]!.id).toBe(byPayin ? winner.body.job_id : winner.body.jobs_detail[0].job_id);
      const done = await waitForJob(t, jobs[0]!.id, 'completed');
      const expected = byPayin ? payins : [...payins, ...payouts];
      expect(done).toMatchObject({ total: expected.length, processed: expected.length, succeeded: expected.length, failed: 0 });
      await h.untilIdle();
      expect(sorted(idsAt(r))).toEqual(sorted(expected));
      expect(await jobsOf(t.merchant.id)).toHaveLength(1);
    });
  });

  describe('sequence: each status change of a transaction is numbered under its row lock', () => {
    it('when 5 status changes of each of 20 transactions race, then sequences 2..6 and status_changed_at increase together in the answers, the ledger and the webhooks', async () => {
      const r = await receiver();
      const t = await h.createTenant({ webhookUrl: r.url });
      const base = Date.now() - 3_600_000;
      const ids = await seed(
        t.merchant.id,
        Array.from({ length: 20 }, (_, i) => ({ at: new Date(base + i * 1000).toISOString() })),
      );
      const statuses = [2, 4, 5, 6, 7]; // none is the seeded status 3, so each PATCH is a change

      const answers = await Promise.all(
        ids.map((id, n) =>
          Promise.all(
            // A different order per transaction.
            statuses.map((_, k) => statuses[(k + n) % statuses.length]!).map((status_id) => h.admin('PATCH', `/admin/transactions/${id}`, { status_id })),
          ),
        ),
      );

      // Every delivery owed is final: delivered, or superseded by a newer status already delivered.
      await waitFor(
        async () => (await query(`SELECT count(*)::int AS n FROM deliveries WHERE transaction_id = ANY($1) AND state = 'pending'`, [ids]))[0].n === 0,
        20_000,
        'every automatic delivery to be final',
      );
      await h.untilIdle();

      for (const [n, id] of ids.entries()) {
        const patches = answers[n]!;
        for (const p of patches) expect(p.status).toBe(200);
        // Each answer holds a distinct sequence: 2..6.
        const bySequence = new Map(patches.map((p) => [p.body.sequence as number, p.body]));
        expect([...bySequence.keys()].sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6]);
        expect(new Set(patches.map((p) => p.body.status_id))).toEqual(new Set(statuses));

        const rows: Array<{ sequence: number; status_id: number; status_changed_at: Date; state: string }> = await query(
          'SELECT sequence, status_id, status_changed_at, state FROM deliveries WHERE transaction_id = $1 ORDER BY sequence',
          [id],
        );
        expect(rows.map((row) => row.sequence)).toEqual([2, 3, 4, 5, 6]);
        for (let i = 1; i < rows.length; i++) {
          expect(rows[i]!.status_changed_at.getTime()).toBeGreaterThan(rows[i - 1]!.status_changed_at.getTime());
        }
        for (const row of rows) {
          // The ledger row of each sequence is the status change that answered with it.
          const answer = bySequence.get(row.sequence)!;
          expect(row.status_id).toBe(answer.status_id);
          expect(row.status_changed_at.toISOString()).toBe(answer.status_changed_at);
        }
        // The newest status is always delivered; older ones are delivered or superseded, never failed.
        expect(rows[4]!.state).toBe('succeeded');
        for (const row of rows) expect(['succeeded', 'superseded']).toContain(row.state);

        const current = await currentTransaction(id);
        expect(current).toEqual({ sequence: 6, status_id: rows[4]!.status_id, status_changed_at: rows[4]!.status_changed_at.toISOString() });

        // What the merchant received: each body is one ledger row (its status, time and sequence).
        const bodies = r.received.map(bodyOf).filter((b) => b.transactionId === id);
        expect(bodies.length).toBeGreaterThanOrEqual(1);
        const delivered = rows.filter((row) => row.state === 'succeeded');
        expect(sorted(bodies.map((b) => b.sequence))).toEqual(delivered.map((row) => row.sequence));
        for (const b of bodies) {
          const row = rows.find((x) => x.sequence === b.sequence)!;
          expect(b).toMatchObject({ statusId: row.status_id, statusChangedAt: row.status_changed_at.toISOString() });
        }
        const inOrder = bodies.slice().sort((a, b) => a.sequence - b.sequence);
        for (let i = 1; i < inOrder.length; i++) {
          expect(Date.parse(inOrder[i]!.statusChangedAt)).toBeGreaterThan(Date.parse(inOrder[i - 1]!.statusChangedAt));
        }
        expect(inOrder[inOrder.length - 1]).toMatchObject({ sequence: 6, statusId: current.status_id });
      }
    }, 40_000);

    it('when a status change gives a status_changed_at older than (or equal to) the current one, then 409 names status_changed_at and nothing changes', async () => {
      const r = await receiver();
      const t = await h.createTenant({ webhookUrl: r.url });
      const [id] = (await seed(t.merchant.id, [{ at: '2026-07-10T12:00:00.000Z' }])) as [number];
      const newer = await h.admin('PATCH', `/admin/transactions/${id}`, { status_id: 4, status_changed_at: '2026-07-10T13:00:00.000Z' });
      expect(newer.status).toBe(200);
      expect(newer.body).toMatchObject({ sequence: 2, status_id: 4, status_changed_at: '2026-07-10T13:00:00.000Z' });

      for (const at of ['2026-07-10T12:30:00.000Z', '2026-07-10T13:00:00.000Z']) {
        const stale = await h.admin('PATCH', `/admin/transactions/${id}`, { status_id: 7, status_changed_at: at });
        expect(stale.status).toBe(409);
        expect(stale.body).toMatchObject({ statusCode: 409, message: expect.stringContaining('status_changed_at'), error: 'Conflict' });
      }

      expect(await currentTransaction(id)).toEqual({ sequence: 2, status_id: 4, status_changed_at: '2026-07-10T13:00:00.000Z' });
      const rows = await query('SELECT sequence, status_id FROM deliveries WHERE transaction_id = $1 ORDER BY sequence', [id]);
      expect(rows).toEqual([{ sequence: 2, status_id: 4 }]);
    });

    it('when a transaction is created and then changes status, then each automatic webhook carries the sequence the transaction had', async () => {
      const r = await receiver();
      const t = await h.createTenant({ webhookUrl: r.url });
      const created = await h.createTransaction({ merchant_id: t.merchant.id, status_id: 3, notify: true });
      expect(created.sequence).toBe(1);
      await r.waitForCount(1);
      expect(bodyOf(r.received[0]!)).toMatchObject({ transactionId: created.id, statusId: 3, sequence: 1, statusChangedAt: created.status_changed_at });

      const changed = await h.admin('PATCH', `/admin/transactions/${created.id}`, { status_id: 4 });
      expect(changed.status).toBe(200);
      expect(changed.body.sequence).toBe(2);
      await r.waitForCount(2);
      expect(bodyOf(r.received[1]!)).toMatchObject({ transactionId: created.id, statusId: 4, sequence: 2, statusChangedAt: changed.body.status_changed_at });
      expect(r.received[1]!.headers['webhook-id']).not.toBe(r.received[0]!.headers['webhook-id']);
      expect((await currentTransaction(created.id)).sequence).toBe(bodyOf(r.received[1]!).sequence);
    });
  });

  describe('POST /v1/resend-jobs/:job_id/cancel means stop', () => {
    it('when a 2,000-notification replay is cancelled mid-way, then no attempt starts after the answer, in-flight ones at most land, and the counters match the audit trail', async () => {
      const TOTAL = 2000;
      const r = await receiver({ delayMs: 50 });
      const t = await h.createTenant({ webhookUrl: r.url });
      const start = Date.parse('2026-08-01T08:00:00Z');
      await seed(t.merchant.id, Array.from({ length: TOTAL }, (_, i) => ({ at: new Date(start + i * 1500).toISOString() })));
      const res = await payinBulk(t, { merchant_id: t.merchant.id, start_time: '2026-08-01 08:00:00', end_time: '2026-08-01 11:00:00' });
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(TOTAL);
      const jobId: string = res.body.job_id;

      await r.waitForCount(300, 20_000);
      const cancelled = await cancel(t, jobId);
      const answeredAt = Date.now();
      const countAtCancel = r.received.length;
      expect(cancelled.status).toBe(200);
      expect(cancelled.body).toMatchObject({ job_id: jobId, state: 'cancelled' });
      expect(countAtCancel).toBeLessThan(TOTAL - BULK_IN_FLIGHT);

      // Everything stops: no job left, no delivery still owed.
      await h.untilIdle();
      const finalCount = r.received.length;
      // Only attempts already in flight when the cancel answered may still land.
      expect(finalCount).toBeLessThanOrEqual(countAtCancel + BULK_IN_FLIGHT);
      expect(r.received.filter((hook) => hook.receivedAt > answeredAt + 1000)).toHaveLength(0);
      // No attempt started after the cancel answered (audit rows are written before the request).
      const late = await query('SELECT count(*)::int AS n FROM webhook_logs WHERE resend_job_id = $1 AND sent_at > $2', [jobId, new Date(answeredAt)]);
      expect(late[0].n).toBe(0);

      // The counters show what was really sent: one audit row per request, each final.
      const audit: Array<{ outcome: string | null; n: number }> = await query(
        'SELECT outcome, count(*)::int AS n FROM webhook_logs WHERE resend_job_id = $1 GROUP BY outcome',
        [jobId],
      );
      const auditBy = Object.fromEntries(audit.map((a) => [String(a.outcome), a.n]));
      expect(Object.keys(auditBy)).toEqual(['success']);
      expect(auditBy.success).toBe(finalCount);
      expect(new Set(idsAt(r)).size).toBe(finalCount);

      const status = await jobStatus(t, jobId);
      expect(status.status).toBe(200);
      expect(status.body).toMatchObject({ state: 'cancelled', finished_at: cancelled.body.finished_at });
      expect(status.body.processed).toBe(status.body.succeeded + status.body.failed);
      expect(status.body.succeeded).toBe(auditBy.success);
      expect(status.body.failed).toBe(0);
      const owed = await query('SELECT state, count(*)::int AS n FROM deliveries WHERE resend_job_id = $1 GROUP BY state ORDER BY state', [jobId]);
      const owedBy = Object.fromEntries(owed.map((o: { state: string; n: number }) => [o.state, o.n]));
      expect(owedBy.pending).toBeUndefined();
      expect(owedBy.succeeded).toBe(finalCount);

      const again = await cancel(t, jobId);
      expect(again.status).toBe(409);
      expect(again.body).toEqual({ statusCode: 409, message: 'Job is already cancelled', error: 'Conflict' });
    }, 40_000);

    it('when the job has completed, then cancel answers 409 "Job is already completed" and the job stays completed', async () => {
      const r = await receiver();
      const t = await h.createTenant({ webhookUrl: r.url });
      await seed(t.merchant.id, [{ at: '2026-08-02T08:00:00Z' }, { at: '2026-08-02T08:01:00Z' }]);
      const res = await payinBulk(t, { merchant_id: t.merchant.id, start_time: '2026-08-02 08:00:00', end_time: '2026-08-02 09:00:00' });
      expect(res.status).toBe(200);
      await waitForJob(t, res.body.job_id, 'completed');

      const late = await cancel(t, res.body.job_id);
      expect(late.status).toBe(409);
      expect(late.body).toEqual({ statusCode: 409, message: 'Job is already completed', error: 'Conflict' });
      expect((await jobStatus(t, res.body.job_id)).body).toMatchObject({ state: 'completed', processed: 2, succeeded: 2, failed: 0 });
    });
  });

  describe('POST /invoices/resend-webhook/:id per status', () => {
    const resendInvoice = (t: Tenant, id: number) => h.request('POST', `/invoices/resend-webhook/${id}`, { token: t.apiKey });
    const PENDING = (id: number) => ({ message: 'Reenvio do webhook em andamento', invoice_id: id, status: 'pending' });

    /**
     * The worker has run every wake-up that is due (none waits or runs; retries 60 s away stay
     * delayed): a second delivery or attempt the call had queued would have been made by now.
     */
    const untilDueWakeUpsRan = () =>
      waitFor(
        async () => Object.values(await h.api.context.deliveryQueue.getJobCounts('waiting', 'active', 'prioritized')).every((n) => n === 0),
        10_000,
        'the due wake-ups to have run',
      );

    async function manualDeliveries(transactionId: number): Promise<Array<{ id: string; sequence: number; status_id: number; state: string; attempts: number }>> {
      return query(
        `SELECT id, sequence, status_id, state, attempts FROM deliveries WHERE transaction_id = $1 AND trigger = 'manual' ORDER BY id`,
        [transactionId],
      );
    }

    it('when a resend is pending, then a second call for the same status joins it; after a status change a new call sends the new status and sequence', async () => {
      const r = await receiver({ status: 500, body: 'down' });
      const t = await h.createTenant({ webhookUrl: r.url });
      const tx = await h.createTransaction({ merchant_id: t.merchant.id, kind: 'CASHIN', status_id: 3 });
      expect(tx.sequence).toBe(1);

      const first = await resendInvoice(t, tx.id);
      expect(first.status).toBe(200);
      expect(first.body).toEqual(PENDING(tx.id));
      const afterFirst = await manualDeliveries(tx.id);
      expect(afterFirst).toEqual([{ id: expect.anything(), sequence: 1, status_id: 3, state: 'pending', attempts: 1 }]);
      expect(r.received).toHaveLength(1);

      const second = await resendInvoice(t, tx.id);
      expect(second.status).toBe(200);
      expect(second.body).toEqual(PENDING(tx.id));
      await untilDueWakeUpsRan();
      // Joined: the same delivery, no second attempt, nothing more sent.
      expect(await manualDeliveries(tx.id)).toEqual(afterFirst);
      expect(r.received).toHaveLength(1);
      expect(bodyOf(r.received[0]!)).toMatchObject({ transactionId: tx.id, statusId: 3, sequence: 1 });

      const changed = await h.admin('PATCH', `/admin/transactions/${tx.id}`, { status_id: 4 });
      expect(changed.status).toBe(200);
      expect(changed.body.sequence).toBe(2);
      await r.waitForCount(2); // the automatic webhook of the change (fails too, stays pending)
      const receivedBefore = r.received.length;

      const third = await resendInvoice(t, tx.id);
      expect(third.status).toBe(200);
      expect(third.body).toEqual(PENDING(tx.id));
      const afterThird = await manualDeliveries(tx.id);
      expect(afterThird).toHaveLength(2);
      expect(afterThird[0]).toEqual(afterFirst[0]);
      expect(afterThird[1]).toEqual({ id: expect.anything(), sequence: 2, status_id: 4, state: 'pending', attempts: 1 });
      await r.waitForCount(receivedBefore + 1);
      const newHooks = r.received.slice(receivedBefore).map(bodyOf);
      expect(newHooks).toHaveLength(1);
      expect(newHooks[0]).toMatchObject({ transactionId: tx.id, statusId: 4, status: 'Credited', sequence: 2, statusChangedAt: changed.body.status_changed_at });
      const logs = await query('SELECT trigger, status_id, attempt, outcome FROM webhook_logs WHERE delivery_id = $1', [afterThird[1]!.id]);
      expect(logs).toEqual([{ trigger: 'manual', status_id: 4, attempt: 1, outcome: 'http_error' }]);

      // And a fourth call for that new status joins the new delivery.
      const fourth = await resendInvoice(t, tx.id);
      expect(fourth.body).toEqual(PENDING(tx.id));
      await untilDueWakeUpsRan();
      expect(await manualDeliveries(tx.id)).toEqual(afterThird);
      expect(r.received).toHaveLength(receivedBefore + 1);
    });
  });

  describe('upgrade: a live job queued before the ledger', () => {
    it('when a worker meets a job that names the status itself, then it records the delivery in the ledger and delivers it with its audit row', async () => {
      const r = await receiver();
      const t = await h.createTenant({ webhookUrl: r.url });
      const [id] = await seed(t.merchant.id, [{ at: '2026-11-20T10:00:00.000Z' }]);
      await h.api.context.deliveryQueue.add('deliver', {
        transactionId: id!,
        statusId: 3,
        statusChangedAt: '2026-11-20T10:00:00.000Z',
        trigger: 'automatic',
      } as never);
      const [hook] = await r.waitForCount(1);
      expect(bodyOf(hook!)).toMatchObject({ transactionId: id, statusId: 3, statusChangedAt: '2026-11-20T10:00:00.000Z' });
      await waitFor(
        async () => (await h.db.dataSource.query(`SELECT state FROM deliveries WHERE transaction_id = $1`, [id]))[0]?.state === 'succeeded',
        10_000,
        'the adopted delivery to succeed',
      );
      const logs = await h.db.dataSource.query('SELECT trigger, attempt, outcome FROM webhook_logs WHERE transaction_id = $1', [id]);
      expect(logs).toEqual([{ trigger: 'automatic', attempt: 1, outcome: 'success' }]);
    });
  });
});
