import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DeliveryRepository } from '@wr/db';
import { webhookIdFor } from '@wr/domain';
import { startWebhookReceiver, waitFor, type WebhookReceiver } from '@wr/testing';
import type { RunningWorker } from '../../worker/src/workers.js';
import { payinsEvery, startHarness, type Harness, type Tenant } from './support/harness.js';

/**
 * The ways a bulk job or a live delivery used to be stranded, each healed with no operator: the
 * stranded state is built directly in PostgreSQL with no matching queue job in Redis (what a dead
 * worker, a dropped job or a Redis outage leaves behind), then a worker starts and its sweeper
 * re-drives what the ledger says is owed. Outcomes are read as a user reads them: the job status
 * API, the audit trail API and the merchant's receiver.
 *
 * Test config: RECONCILE_INTERVAL_MS=500, REDRIVE_AFTER_MS=3000, WEBHOOK_TIMEOUT_MS=3000 (an
 * attempt lease of 16 s, so open audit rows are backdated well beyond it).
 */

const PAYIN_BULK = '/v2/payin/notifications/resend';
const ABANDONED = /^attempt abandoned/;

const bodyOf = (hook: { body: string }) => JSON.parse(hook.body);
const idsAt = (r: WebhookReceiver) => r.received.map((hook) => bodyOf(hook).transactionId as number);
const sorted = (ids: number[]) => ids.slice().sort((a, b) => a - b);

describe('stranded bulk jobs and deliveries are healed by the sweeper, without an operator', () => {
  let h: Harness;
  let receiver: WebhookReceiver;
  let tenant: Tenant;
  /** The worker a test starts once its stranded state is built; stopped after the test. */
  let worker: RunningWorker | undefined;

  beforeAll(async () => {
    h = await startHarness({ worker: false });
  });

  afterAll(async () => {
    await h.close();
  });

  beforeEach(async () => {
    // No worker: the stranded state is built first, then a worker starts and finds it. A receiver
    // and a merchant of its own per test, and each test ends with nothing owed, so tests sharing
    // the database and queues see only their own rows.
    receiver = await startWebhookReceiver();
    tenant = await h.createTenant({ webhookUrl: receiver.url });
  });

  afterEach(async () => {
    await worker?.close();
    worker = undefined;
    await receiver.close();
  });

  const startWorker = async () => {
    worker = await h.startWorker();
  };

  const query = (sql: string, params: unknown[] = []) => h.db.dataSource.query(sql, params);

  /** `count` CASHIN transactions `stepMs` apart from `startIso`, without automatic webhooks; ids in order. */
  const seedPayins = (startIso: string, count: number, stepMs: number) => h.seedTransactions(tenant.merchant.id, payinsEvery(startIso, count, stepMs));

  /** A payin bulk job created through the API while no worker runs; its fan-out wake-up is then erased from Redis. */
  async function bulkJobWithoutWakeUp(startTime: string, endTime: string, expectedTotal: number): Promise<string> {
    const res = await h.request('POST', PAYIN_BULK, {
      token: tenant.apiKey,
      body: { merchant_id: tenant.merchant.id, start_time: startTime, end_time: endTime },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ job_id: expect.stringMatching(/^[0-9a-f]{32}$/), total: expectedTotal });
    const jobId: string = res.body.job_id;
    const fanouts = h.api.context.fanoutQueue;
    expect(await fanouts.getJobCounts('waiting', 'delayed', 'active')).toMatchObject({ waiting: 1 });
    // The wake-up is lost (Redis forgot it, or the worker that took it died and it was dropped).
    await fanouts.obliterate({ force: true });
    expect(Object.values(await fanouts.getJobCounts()).reduce((a, b) => a + b, 0)).toBe(0);
    return jobId;
  }

  async function waitForJob(path: string, state: string, timeoutMs: number): Promise<any> {
    let status: any;
    try {
      await waitFor(
        async () => {
          status = (await h.request('GET', path, { token: tenant.apiKey })).body;
          return status.state === state;
        },
        timeoutMs,
        `${path} to be ${state}`,
      );
    } catch (err) {
      throw new Error(`${(err as Error).message} (last seen ${JSON.stringify(status)})`);
    }
    return status;
  }

  /** The audit trail as the client reads it, following the cursor; oldest first. */
  async function auditRows(filter: string): Promise<any[]> {
    const rows: any[] = [];
    let cursor: string | null = null;
    do {
      const page = await h.request('GET', `/v1/webhook-logs?${filter}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
        token: tenant.apiKey,
      });
      expect(page.status).toBe(200);
      rows.push(...page.body.data);
      cursor = page.body.next_cursor;
    } while (cursor);
    return rows.reverse();
  }

  async function delivery(id: number): Promise<{ state: string; attempts: number; finished_at: Date | null }> {
    const [row] = await query('SELECT state, attempts, finished_at FROM deliveries WHERE id = $1', [id]);
    return row;
  }

  /** Records pending bulk deliveries of `ids` for the job, due a minute ago, as a fan-out page would. */
  async function recordJobItems(jobId: string, ids: number[]): Promise<void> {
    await query(
      `INSERT INTO deliveries (transaction_id, merchant_id, status_id, status_changed_at, sequence, trigger, resend_job_id, next_attempt_at)
       SELECT t.id, t.merchant_id, t.status_id, t.status_changed_at, t.sequence, 'bulk', $2, now() - interval '1 minute'
         FROM transactions t WHERE t.id = ANY($1::bigint[])`,
      [ids, jobId],
    );
  }

  /**
   * A live (automatic) delivery of a fresh transaction, with the attempts already spent before a
   * worker died: attempts before the last are closed (http_error), the last one's audit row is left
   * open (outcome NULL) with its request sent two minutes ago, far beyond the 16 s attempt lease.
   */
  async function liveDeliveryDiedMidAttempt(attempts: number): Promise<{ deliveryId: number; transactionId: number; webhookId: string }> {
    const tx = await h.createTransaction({ merchant_id: tenant.merchant.id, kind: 'CASHIN', status_id: 3, notify: false });
    const webhookId = webhookIdFor({ transactionId: tx.id, statusId: tx.status_id, statusChangedAt: new Date(tx.status_changed_at) });
    const [row] = await query(
      `INSERT INTO deliveries (transaction_id, merchant_id, status_id, status_changed_at, sequence, trigger, state, attempts, next_attempt_at, created_at)
       VALUES ($1, $2, $3, $4, $5, 'automatic', 'pending', $6, now() - interval '2 minutes' + interval '16 seconds', now() - interval '10 minutes')
       RETURNING id`,
      [tx.id, tenant.merchant.id, tx.status_id, tx.status_changed_at, tx.sequence, attempts],
    );
    const deliveryId = Number(row.id);
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const open = attempt === attempts;
      const [log] = await query(
        `INSERT INTO webhook_logs (account_id, merchant_id, transaction_id, webhook_id, status_id, trigger, url, url_source,
                                   attempt, duration_ms, sent_at, delivery_id, outcome, http_status, error)
         VALUES ($1, $2, $3, $4, $5, 'automatic', $6, 'configured', $7, $8, now() - $9 * interval '1 minute', $10, $11, $12, $13)
         RETURNING id`,
        [
          tenant.accountId,
          tenant.merchant.id,
          tx.id,
          webhookId,
          tx.status_id,
          receiver.url,
          attempt,
          open ? 0 : 12,
          2 + (attempts - attempt), // earlier attempts were sent earlier
          deliveryId,
          open ? null : 'http_error',
          open ? null : 500,
          open ? null : 'HTTP 500',
        ],
      );
      // As a claim leaves it: the delivery names its attempt in flight.
      if (open) {
        await query(
          'UPDATE deliveries d SET open_log_id = l.id, open_log_sent_at = l.sent_at FROM webhook_logs l WHERE d.id = $1 AND l.id = $2',
          [deliveryId, log.id],
        );
      }
    }
    return { deliveryId, transactionId: tx.id, webhookId };
  }

  it('when a fan-out recorded its first page and died before queueing it, then a worker resumes from the cursor: the job completes with exact counts and each transaction is delivered exactly once', async () => {
    const TOTAL = 2500;
    const FIRST_PAGE = 1000;
    const ids = await seedPayins('2026-05-04T08:00:00Z', TOTAL, 4000); // 2 h 46 min of payins
    const jobId = await bulkJobWithoutWakeUp('2026-05-04 08:00:00', '2026-05-04 11:00:00', TOTAL);

    // The dead fan-out: it took the job, recorded its first keyset page with the cursor, and died
    // before queueing any batch of it (and before touching the job again).
    const firstPage: Array<{ id: string; status_changed_at: Date }> = await query(
      `SELECT id, status_changed_at FROM transactions WHERE merchant_id = $1 ORDER BY status_changed_at, id LIMIT $2`,
      [tenant.merchant.id, FIRST_PAGE],
    );
    const last = firstPage[FIRST_PAGE - 1]!;
    await query(
      `UPDATE resend_jobs SET state = 'running', started_at = now() - interval '1 minute', progressed_at = now() - interval '1 minute',
              cursor_changed_at = $2, cursor_transaction_id = $3, dispatched = $4
        WHERE id = $1`,
      [jobId, last.status_changed_at, last.id, FIRST_PAGE],
    );
    await recordJobItems(jobId, firstPage.map((t) => Number(t.id)));
    const before = (await h.request('GET', `${PAYIN_BULK}/${jobId}`, { token: tenant.apiKey })).body;
    expect(before).toMatchObject({ state: 'running', total: TOTAL, processed: 0, succeeded: 0, failed: 0 });

    await startWorker();
    const done = await waitForJob(`${PAYIN_BULK}/${jobId}`, 'completed', 25_000);
    expect(done).toMatchObject({ job_id: jobId, state: 'completed', total: TOTAL, processed: TOTAL, succeeded: TOTAL, failed: 0 });
    expect(done.finished_at).not.toBeNull();

    await h.untilIdle(); // nothing more arrives late
    const delivered = idsAt(receiver);
    expect(delivered).toHaveLength(TOTAL); // no duplicates: the first page was not added again
    expect(sorted(delivered)).toEqual(sorted(ids));

    const audit = await auditRows(`resend_job_id=${jobId}`);
    expect(audit).toHaveLength(TOTAL);
    expect(audit.every((r) => r.outcome === 'success' && r.attempt === 1 && r.trigger === 'bulk')).toBe(true);
    expect(new Set(audit.map((r) => r.transaction_id)).size).toBe(TOTAL);
    // The ledger holds one delivery per transaction, each succeeded.
    expect(await query(`SELECT state, count(*)::int AS n FROM deliveries WHERE resend_job_id = $1 GROUP BY state`, [jobId])).toEqual([
      { state: 'succeeded', n: TOTAL },
    ]);
  }, 40_000);

  it('when a job whose fan-out finished lost its batches (dropped, or stalled past maxStalledCount), then a worker re-queues its due items and the job completes with exact counts', async () => {
    const TOTAL = 300;
    const ids = await seedPayins('2026-05-05T08:00:00Z', TOTAL, 10_000);
    const jobId = await bulkJobWithoutWakeUp('2026-05-05 08:00:00', '2026-05-05 11:00:00', TOTAL);

    // The fan-out ran to the end: every item recorded, the cursor at the last one; its batches
    // are gone from Redis and none was ever attempted.
    const [last] = await query(`SELECT id, status_changed_at FROM transactions WHERE id = $1`, [ids[TOTAL - 1]]);
    await query(
      `UPDATE resend_jobs SET state = 'running', fanout_done = true, total = $2, dispatched = $2,
              started_at = now() - interval '2 minutes', progressed_at = now() - interval '2 minutes',
              cursor_changed_at = $3, cursor_transaction_id = $4
        WHERE id = $1`,
      [jobId, TOTAL, last.status_changed_at, last.id],
    );
    await recordJobItems(jobId, ids);
    expect((await h.request('GET', `/v1/resend-jobs/${jobId}`, { token: tenant.apiKey })).body).toMatchObject({
      state: 'running',
      total: TOTAL,
      processed: 0,
    });

    await startWorker();
    const done = await waitForJob(`/v1/resend-jobs/${jobId}`, 'completed', 15_000);
    expect(done).toMatchObject({ job_id: jobId, state: 'completed', total: TOTAL, processed: TOTAL, succeeded: TOTAL, failed: 0 });

    await h.untilIdle();
    expect(sorted(idsAt(receiver))).toEqual(sorted(ids));
    const audit = await auditRows(`resend_job_id=${jobId}`);
    expect(audit).toHaveLength(TOTAL);
    expect(audit.every((r) => r.outcome === 'success' && r.attempt === 1)).toBe(true);
  }, 30_000);

  it('when a worker died mid-attempt on a live delivery, then the open audit row is closed as abandoned and attempt 2 is delivered', async () => {
    const { deliveryId, transactionId, webhookId } = await liveDeliveryDiedMidAttempt(1);
    expect((await auditRows(`transaction_id=${transactionId}`)).map((r) => [r.attempt, r.outcome])).toEqual([[1, null]]);

    await startWorker();
    const [hook] = await receiver.waitForCount(1, 15_000);
    expect(bodyOf(hook!)).toMatchObject({ transactionId, statusId: 3, sequence: 1 });
    expect(hook!.headers['webhook-id']).toBe(webhookId);
    await waitFor(async () => (await delivery(deliveryId)).state !== 'pending', 10_000, 'the delivery to be final');

    await h.untilIdle();
    expect(receiver.received).toHaveLength(1);
    const audit = await auditRows(`transaction_id=${transactionId}`);
    expect(audit).toEqual([
      expect.objectContaining({ attempt: 1, trigger: 'automatic', outcome: 'network_error', error: expect.stringMatching(ABANDONED), webhook_id: webhookId }),
      expect.objectContaining({ attempt: 2, trigger: 'automatic', outcome: 'success', http_status: 200, error: null, webhook_id: webhookId }),
    ]);
    expect(await delivery(deliveryId)).toMatchObject({ state: 'succeeded', attempts: 2, finished_at: expect.any(Date) });
  }, 30_000);

  it('when a delivery whose attempt died in flight is claimed again before any sweep, then the dead attempt stays on record as in flight until the sweep closes it as abandoned, and the delivery names the new one', async () => {
    const { deliveryId, transactionId, webhookId } = await liveDeliveryDiedMidAttempt(1);
    const deliveries = new DeliveryRepository(h.db.dataSource);
    const [claimed] = await deliveries.beginAttempts(
      [{ deliveryId, transactionId, webhookId, statusId: 3, url: receiver.url, urlSource: 'configured' }],
      { accountId: tenant.accountId, leaseMs: 16_000, maxAttempts: 4, resendJobId: null },
    );
    expect(claimed).toMatchObject({ deliveryId, attempt: 2 });
    const [marker] = await query('SELECT open_log_id::int AS id FROM deliveries WHERE id = $1', [deliveryId]);
    expect(marker).toEqual({ id: claimed!.webhookLogId });
    const [dead] = await auditRows(`transaction_id=${transactionId}`);
    expect(await query('SELECT webhook_log_id::int AS id FROM open_attempts')).toEqual([{ id: dead.id }]);

    expect(await deliveries.closeAbandonedAttempts(16_000, 100)).toBe(1);
    const audit = await auditRows(`transaction_id=${transactionId}`);
    expect(audit.map((r) => [r.attempt, r.outcome])).toEqual([
      [1, 'network_error'],
      [2, null],
    ]);
    expect(audit[0]).toMatchObject({ error: expect.stringMatching(ABANDONED) });
    expect(await query('SELECT webhook_log_id FROM open_attempts')).toEqual([]);

    // No request goes out for attempt 2 here: it ends as a worker would record a refused target,
    // so the next test's worker finds nothing of this one owed.
    await new DeliveryRepository(h.db.dataSource).completeAttempts(
      [{ ...claimed!, outcome: 'blocked', httpStatus: null, durationMs: 0, error: 'test', responseBody: null, next: 'blocked', retryInMs: 0 }],
      null,
    );
    expect(await delivery(deliveryId)).toMatchObject({ state: 'blocked', attempts: 2 });
  });

  it('when a live delivery spent its 4th and last attempt in a worker that died, then that attempt is closed as abandoned and the delivery fails without a 5th request', async () => {
    const { deliveryId, transactionId } = await liveDeliveryDiedMidAttempt(4);

    await startWorker();
    await waitFor(async () => (await delivery(deliveryId)).state !== 'pending', 10_000, 'the delivery to be final');
    // Another sweep finds nothing to re-drive, and nothing else is attempted.
    expect(await worker!.sweeper.runOnce()).toMatchObject({ liveRedriven: 0, liveFailed: 0 });
    await h.untilIdle();

    expect(receiver.received).toHaveLength(0);
    expect(await delivery(deliveryId)).toMatchObject({ state: 'failed', attempts: 4, finished_at: expect.any(Date) });
    const audit = await auditRows(`transaction_id=${transactionId}`);
    expect(audit.map((r) => [r.attempt, r.outcome])).toEqual([
      [1, 'http_error'],
      [2, 'http_error'],
      [3, 'http_error'],
      [4, 'network_error'],
    ]);
    expect(audit[3]).toMatchObject({ error: expect.stringMatching(ABANDONED) });
  }, 30_000);

  it('when a live delivery was accepted while Redis was away (recorded, never queued), then a worker delivers it once with its audit row', async () => {
    const tx = await h.createTransaction({ merchant_id: tenant.merchant.id, kind: 'CASHIN', status_id: 3, notify: false });
    const [row] = await query(
      `INSERT INTO deliveries (transaction_id, merchant_id, status_id, status_changed_at, sequence, trigger, state, attempts, next_attempt_at, created_at)
       VALUES ($1, $2, $3, $4, $5, 'automatic', 'pending', 0, now() - interval '10 seconds', now() - interval '10 seconds')
       RETURNING id`,
      [tx.id, tenant.merchant.id, tx.status_id, tx.status_changed_at, tx.sequence],
    );
    const deliveryId = Number(row.id);
    expect(await auditRows(`transaction_id=${tx.id}`)).toEqual([]);

    await startWorker();
    const [hook] = await receiver.waitForCount(1, 15_000);
    expect(bodyOf(hook!)).toMatchObject({ transactionId: tx.id, statusId: 3, sequence: 1, statusChangedAt: tx.status_changed_at });
    await waitFor(async () => (await delivery(deliveryId)).state !== 'pending', 10_000, 'the delivery to be final');

    await h.untilIdle();
    expect(receiver.received).toHaveLength(1);
    expect(await delivery(deliveryId)).toMatchObject({ state: 'succeeded', attempts: 1 });
    const audit = await auditRows(`transaction_id=${tx.id}`);
    expect(audit).toEqual([expect.objectContaining({ attempt: 1, trigger: 'automatic', outcome: 'success', http_status: 200 })]);
  }, 30_000);
});
