import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { exited, spawnWorkerProcess, startWebhookReceiver, waitFor, type WebhookReceiver } from '@wr/testing';
import { BULK_BATCH_SIZE } from '@wr/queues';
import { startHarness, type Harness } from './support/harness.js';

const COUNT = 5000;

/**
 * Nothing is lost when a worker dies mid-replay: the worker runs as a real process (built
 * `apps/worker/dist/main.js`), is killed with SIGKILL halfway, and a new one finishes the job.
 */
describe('a worker killed in the middle of a bulk replay', () => {
  let h: Harness;
  let receiver: WebhookReceiver;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    // Short job locks: the dead worker's jobs are handed over after 2 s instead of 30 s. A 1 s
    // request timeout (the receiver answers in 5 ms) makes the attempts the dead worker had in
    // flight due again after a 12 s lease instead of 16 s (twice the timeout, plus 10 s).
    h = await startHarness({ env: { JOB_LOCK_MS: '2000', BULK_CONCURRENCY: '4', WEBHOOK_TIMEOUT_MS: '1000' } });
    receiver = await startWebhookReceiver({ delayMs: 5 });
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await receiver.close();
    await h.close();
  });

  it('when the worker is SIGKILLed and a new one starts, then every notification is delivered and the counts are exact', async () => {
    const tenant = await h.createTenant({ webhookUrl: receiver.url });
    const base = Date.parse('2026-03-24T08:00:00Z');
    const created = await h.admin('POST', '/admin/transactions/batch', {
      notify: false,
      transactions: Array.from({ length: COUNT }, (_, i) => ({
        merchant_id: tenant.merchant.id,
        kind: 'CASHIN',
        status_id: 3,
        amount: i + 1,
        status_changed_at: new Date(base + i * 2000).toISOString(),
      })),
    });
    expect(created.status).toBe(201);
    const expected = new Set<number>(created.body.ids);

    children.push(spawnWorkerProcess(h.config));
    const res = await h.request('POST', '/v2/payin/notifications/resend', {
      token: tenant.apiKey,
      body: { merchant_id: tenant.merchant.id, start_time: '2026-03-24 08:00:00', end_time: '2026-03-24 11:00:00' },
    });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(COUNT);

    await waitFor(() => receiver.received.length >= COUNT * 0.4, 60_000, 'the first worker to deliver 40%');
    children[0]!.kill('SIGKILL');
    expect(await exited(children[0]!)).toEqual({ code: null, signal: 'SIGKILL' });
    const atKill = receiver.received.length;
    expect(atKill).toBeLessThan(COUNT);

    children.push(spawnWorkerProcess(h.config));
    let job: any;
    await waitFor(
      async () => {
        job = (await h.request('GET', `/v2/payin/notifications/resend/${res.body.job_id}`, { token: tenant.apiKey })).body;
        return job.state === 'completed';
      },
      90_000,
      'the job to complete on the second worker',
    );

    const delivered = receiver.received.map((r) => JSON.parse(r.body).transactionId as number);
    const distinct = new Set(delivered);
    expect([...expected].filter((id) => !distinct.has(id))).toEqual([]);
    expect(distinct.size).toBe(COUNT);
    expect(job).toMatchObject({ state: 'completed', total: COUNT, processed: COUNT, succeeded: COUNT, failed: 0 });
    const duplicates = delivered.length - distinct.size;
    // The figure the closing note reports: deliveries sent twice because the kill came between
    // sending and recording them (at-least-once), never counted twice.
    process.stdout.write(`worker-crash: ${COUNT} notifications, ${atKill} delivered before SIGKILL, ${duplicates} duplicate deliveries\n`);
    // At most what was in flight when it died: 4 batch jobs (BULK_CONCURRENCY) of BULK_BATCH_SIZE.
    expect(duplicates).toBeLessThanOrEqual(4 * BULK_BATCH_SIZE);

    // Every request the merchant received has its audit row: rows are written before the request,
    // and the dead worker's open ones were closed by the sweeper (none is left in flight).
    // The dead worker's attempts are closed by a sweep once their lease has run out (the job may
    // complete before that sweep).
    let audited: Array<{ transaction_id: number; n: number; open: number }> = [];
    await waitFor(
      async () => {
        audited = await h.db.dataSource.query(
          `SELECT transaction_id::int AS transaction_id, count(*)::int AS n, count(*) FILTER (WHERE outcome IS NULL)::int AS open
             FROM webhook_logs WHERE resend_job_id = $1 GROUP BY transaction_id`,
          [res.body.job_id],
        );
        return audited.every((r) => r.open === 0);
      },
      30_000,
      'every audit row of the replay to be closed',
    );
    const auditedBy = new Map(audited.map((r) => [r.transaction_id, r.n]));
    const receivedBy = new Map<number, number>();
    for (const id of delivered) receivedBy.set(id, (receivedBy.get(id) ?? 0) + 1);
    const unaudited = [...receivedBy].reduce((sum, [id, n]) => sum + Math.max(0, n - (auditedBy.get(id) ?? 0)), 0);
    const abandoned: Array<{ n: number }> = await h.db.dataSource.query(
      `SELECT count(*)::int AS n FROM webhook_logs WHERE resend_job_id = $1 AND error LIKE 'attempt abandoned%'`,
      [res.body.job_id],
    );
    process.stdout.write(`worker-crash: ${unaudited} requests received without an audit row, ${abandoned[0]!.n} attempts closed as abandoned\n`);
    expect(unaudited).toBe(0);
    expect(audited.reduce((sum, r) => sum + r.open, 0)).toBe(0);
  }, 180_000);
});
