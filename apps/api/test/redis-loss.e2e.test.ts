import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { BULK_BATCH_SIZE, bullPrefix, QUEUE_NAMES } from '@wr/queues';
import {
  exited,
  spawnWorkerProcess,
  startPrivateRedis,
  startWebhookReceiver,
  waitFor,
  type PrivateRedis,
  type WebhookReceiver,
} from '@wr/testing';
import { startHarness, type Harness, type Tenant } from './support/harness.js';

/**
 * Redis is only a scheduler; PostgreSQL is the ledger of every delivery owed. Here Redis is a
 * redis-server of this file's own (no persistence) that is SIGKILLed and restarted EMPTY on the
 * same port: every queued job, delayed retry, active-job lock and replay lock is gone. The API
 * (in this process) and the worker (a real process, `apps/worker/dist/main.js`) reconnect by
 * themselves, and the worker's sweeper re-drives from PostgreSQL what Redis forgot. Nothing is
 * lost and the bulk counters stay exact.
 */

const TOTAL = 20_000;
/** Seeding goes in batches of the admin API's maximum. */
const SEED_CHUNK = 10_000;
const WINDOW_MS = 3 * 3600_000;
/** How long Redis stays away. */
const OUTAGE_MS = 5_000;
/** The worker's batches in flight at once (BULK_CONCURRENCY × 50 webhooks each). */
const BULK_CONCURRENCY = 4;
const LIVE_COUNT = 2_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmtWindow = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const txIdOf = (body: string) => JSON.parse(body).transactionId as number;

/** What a replay through a Redis loss prints. */
interface ReplayFigures {
  duplicates: number;
  failedAttempts: number;
  deliveries: number;
  killedAfterMs: number;
  apiBackMs: number;
  healMs: number;
  replayMs: number;
  itemsRedriven: number;
  jobsResumed: number;
}

interface WorkerProcess {
  child: ChildProcess;
  /** The tail of what it printed (for failure messages). */
  output(): string;
  /** Sum of the sweeper's reports ("sweeper re-drove what was left behind" lines). */
  sweeps(): Record<string, number>;
}

describe('Redis killed and restarted empty (API and worker reconnect; the ledger re-drives what was lost)', () => {
  let redis: PrivateRedis;
  let h: Harness;
  const workers: WorkerProcess[] = [];
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    redis = await startPrivateRedis();
    h = await startHarness({ env: { REDIS_URL: redis.url, BULK_CONCURRENCY: String(BULK_CONCURRENCY) } });
  }, 60_000);

  afterAll(async () => {
    for (const w of workers) {
      if (w.child.exitCode === null && w.child.signalCode === null) {
        w.child.kill('SIGKILL');
        await exited(w.child);
      }
    }
    for (const r of receivers) await r.close().catch(() => undefined);
    try {
      // The API's queues close cleanly only with their Redis there.
      if (redis && !redis.running) await redis.restart().catch(() => undefined);
      await h?.close();
    } finally {
      await redis?.stop();
    }
  }, 60_000);

  async function newReceiver(): Promise<WebhookReceiver> {
    const receiver = await startWebhookReceiver();
    receivers.push(receiver);
    return receiver;
  }

  /**
   * The real worker process against the private Redis, with the production default pool size
   * (the test config's 4 is for in-process workers), logging at info to show the sweeper's work.
   */
  async function spawnWorker(): Promise<WorkerProcess> {
    const child = spawnWorkerProcess(h.config, { DB_POOL_SIZE: '10', LOG_LEVEL: 'info' });
    let tail = '';
    let pending = '';
    let started = false;
    const sweeps: Record<string, number> = {};
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      tail = (tail + text).slice(-30_000);
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.includes('worker started')) started = true;
        if (!line.includes('sweeper re-drove')) continue;
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          for (const [key, value] of Object.entries(entry)) if (typeof value === 'number') sweeps[key] = (sweeps[key] ?? 0) + value;
        } catch {
          // not a JSON line
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const worker = { child, output: () => tail, sweeps: () => ({ ...sweeps }) };
    workers.push(worker);
    await waitFor(() => started || child.exitCode !== null, 20_000, 'the worker process to start');
    if (!started) throw new Error(`the worker process did not start:\n${tail}`);
    return worker;
  }

  async function stopWorker(worker: WorkerProcess): Promise<void> {
    if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
    worker.child.kill('SIGTERM');
    const timer = setTimeout(() => worker.child.kill('SIGKILL'), 20_000);
    await exited(worker.child);
    clearTimeout(timer);
  }

  /** `count` CASHIN transactions, status 3, with no webhook, spread evenly over [start, start + 3 h). */
  async function seedWindow(tenant: Tenant, start: number, count: number): Promise<number[]> {
    const spacing = (WINDOW_MS - 1) / count;
    const ids: number[] = [];
    for (let i = 0; i < count; i += SEED_CHUNK) {
      const n = Math.min(SEED_CHUNK, count - i);
      const res = await h.admin('POST', '/admin/transactions/batch', {
        notify: false,
        transactions: Array.from({ length: n }, (_, k) => ({
          merchant_id: tenant.merchant.id,
          kind: 'CASHIN',
          status_id: 3,
          amount: i + k + 1,
          status_changed_at: new Date(start + Math.floor((i + k) * spacing)).toISOString(),
        })),
      });
      expect(res.status).toBe(201);
      ids.push(...(res.body.ids as number[]));
    }
    expect(ids).toHaveLength(count);
    return ids;
  }

  async function jobRow(jobId: string): Promise<{ state: string; dispatched: number; total: number; fanout_done: boolean }> {
    const rows = await h.db.dataSource.query('SELECT state, dispatched, total, fanout_done FROM resend_jobs WHERE id = $1', [jobId]);
    return rows[0];
  }

  /** Kills Redis, keeps it away OUTAGE_MS, restarts it empty; returns when it answers PING again. */
  async function outage(during?: () => Promise<void>): Promise<{ downAt: number; backAt: number }> {
    await redis.kill();
    const downAt = Date.now();
    await during?.();
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - downAt)));
    await redis.restart();
    return { downAt, backAt: Date.now() };
  }

  /** Time until the API's own Redis connection is back (it reconnects by itself). */
  async function apiReconnectMs(since: number): Promise<number> {
    await waitFor(
      async () => (await h.request('GET', '/readyz')).status === 200,
      20_000,
      'the API to reconnect to Redis (/readyz 200)',
    );
    return Date.now() - since;
  }

  /**
   * Seeds a 20,000-notification window, replays it through the payin bulk resend with a worker
   * process running, kills Redis when `killWhen` says so, restarts it empty 5 s later, and checks
   * that the job completes with every transaction delivered and exact counters.
   */
  async function replayThroughRedisLoss(
    label: string,
    windowStart: number,
    killWhen: (jobId: string, receiver: WebhookReceiver) => Promise<boolean>,
  ): Promise<{ atKill: { received: number; dispatched: number; fanoutDone: boolean }; figures: ReplayFigures }> {
    const receiver = await newReceiver();
    const tenant = await h.createTenant({ webhookUrl: `${receiver.url}/hooks` });
    const seeded = await seedWindow(tenant, windowStart, TOTAL);
    const worker = await spawnWorker();

    const replayStarted = Date.now();
    const res = await h.request('POST', '/v2/payin/notifications/resend', {
      token: tenant.apiKey,
      body: { merchant_id: tenant.merchant.id, start_time: fmtWindow(windowStart), end_time: fmtWindow(windowStart + WINDOW_MS) },
    });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(TOTAL);
    const jobId: string = res.body.job_id;
    const statusOf = async () => (await h.request('GET', `/v2/payin/notifications/resend/${jobId}`, { token: tenant.apiKey })).body;

    await waitFor(() => killWhen(jobId, receiver), 90_000, `the moment to kill Redis (${label})`);
    const receivedAtKill = receiver.received.length;
    let duringOutage: any;
    const { downAt, backAt } = await outage(async () => {
      // PostgreSQL is the record: the job's status still answers while Redis is away.
      duringOutage = await statusOf();
    });
    const killedAfterMs = downAt - replayStarted;
    // Read after the kill: the fan-out cannot record a page past its next (blocked) enqueue.
    const row = await jobRow(jobId);
    const atKill = { received: receivedAtKill, dispatched: row.dispatched, fanoutDone: row.fanout_done };
    expect(duringOutage).toMatchObject({ job_id: jobId, state: 'running' });

    const apiBackMs = await apiReconnectMs(backAt);
    let job: any;
    try {
      await waitFor(
        async () => {
          job = await statusOf();
          return job.state !== 'queued' && job.state !== 'running';
        },
        150_000,
        `the job to finish after Redis came back (${label})`,
      );
    } catch (err) {
      const ledger = await h.db.dataSource.query(
        'SELECT state, count(*)::int AS n FROM deliveries WHERE resend_job_id = $1 GROUP BY state ORDER BY state',
        [jobId],
      );
      throw new Error(
        `${(err as Error).message}\njob: ${JSON.stringify(job)}\nrow: ${JSON.stringify(await jobRow(jobId))}\n` +
          `ledger: ${JSON.stringify(ledger)}\nreceived: ${receiver.received.length}\nworker output tail:\n${worker.output().slice(-5000)}`,
      );
    }
    const healMs = Date.now() - backAt;
    const replayMs = Date.now() - replayStarted;

    expect(job).toMatchObject({ state: 'completed', total: TOTAL, processed: TOTAL, succeeded: TOTAL, failed: 0 });
    expect(job.succeeded + job.failed).toBe(job.processed);

    const delivered = receiver.received.map((r) => txIdOf(r.body));
    const distinct = new Set(delivered);
    expect(seeded.filter((id) => !distinct.has(id))).toEqual([]);
    expect(distinct.size).toBe(TOTAL);
    const duplicates = delivered.length - distinct.size;

    // The ledger agrees: each of the job's deliveries final and succeeded once, no attempt left open.
    const ledger = await h.db.dataSource.query(
      'SELECT state, count(*)::int AS n FROM deliveries WHERE resend_job_id = $1 GROUP BY state ORDER BY state',
      [jobId],
    );
    expect(ledger).toEqual([{ state: 'succeeded', n: TOTAL }]);
    const [audit] = await h.db.dataSource.query(
      `SELECT count(DISTINCT transaction_id) FILTER (WHERE outcome = 'success')::int AS succeeded,
              count(*) FILTER (WHERE outcome IS NULL)::int AS open,
              count(*) FILTER (WHERE outcome <> 'success')::int AS failed_attempts
         FROM webhook_logs WHERE resend_job_id = $1`,
      [jobId],
    );
    expect(audit).toMatchObject({ succeeded: TOTAL, open: 0 });

    // The window's lock went with Redis; the job's end must still leave the window free.
    const again = await h.request('POST', '/v2/payin/notifications/resend', {
      token: tenant.apiKey,
      body: { merchant_id: tenant.merchant.id, start_time: fmtWindow(windowStart), end_time: fmtWindow(windowStart + WINDOW_MS), dry_run: true },
    });
    expect(again.status).toBe(200);

    await stopWorker(worker);
    const sweeps = worker.sweeps();
    return {
      atKill,
      figures: {
        duplicates,
        failedAttempts: audit.failed_attempts,
        deliveries: delivered.length,
        killedAfterMs,
        apiBackMs,
        healMs,
        replayMs,
        itemsRedriven: sweeps.itemsRedriven ?? 0,
        jobsResumed: sweeps.jobsResumed ?? 0,
      },
    };
  }

  it(
    'when Redis is SIGKILLed at ~30% of a 20,000-notification bulk replay and restarted empty 5 s later, then the job completes by itself with every transaction delivered and exact counters',
    async () => {
      const { atKill, figures } = await replayThroughRedisLoss('at 30%', Date.parse('2026-03-24T08:00:00Z'), async (_jobId, receiver) =>
        receiver.received.length >= TOTAL * 0.3,
      );
      process.stdout.write(
        `redis-loss (mid-replay): ${TOTAL} notifications, Redis killed at ${atKill.received} delivered ` +
          `(${figures.killedAfterMs} ms into the replay, fan-out ${atKill.fanoutDone ? 'done' : 'not done'}, ${atKill.dispatched} recorded), ` +
          `down ${OUTAGE_MS} ms; API reconnected ${figures.apiBackMs} ms after Redis was back; job completed ${figures.healMs} ms after ` +
          `Redis was back (replay ${figures.replayMs} ms in all); ${figures.deliveries} deliveries, ${figures.duplicates} duplicates, ` +
          `${figures.failedAttempts} failed attempts; sweeper re-drove ${figures.itemsRedriven} items (${figures.jobsResumed} resumptions)\n`,
      );
      expect(atKill.received).toBeLessThan(TOTAL * 0.5);
      // At least once: Redis going away kills no attempt in flight, so beyond what was in flight
      // (BULK_CONCURRENCY batches of 50), only an audited failed attempt (a timeout) may send twice.
      expect(figures.duplicates).toBeLessThanOrEqual(BULK_CONCURRENCY * BULK_BATCH_SIZE + figures.failedAttempts);
    },
    240_000,
  );

  it(
    'when Redis is SIGKILLed during the fan-out of a 20,000-notification bulk replay and restarted empty 5 s later, then the job completes by itself with every transaction delivered and exact counters',
    async () => {
      // As soon as the fan-out has recorded its first page (1,000 of 20,000): with the merchant's
      // flow control pacing deliveries, waiting for receipts could let the walk finish first.
      const { atKill, figures } = await replayThroughRedisLoss('during the fan-out', Date.parse('2026-03-25T08:00:00Z'), async (jobId) =>
        (await jobRow(jobId)).dispatched > 0,
      );
      process.stdout.write(
        `redis-loss (fan-out): ${TOTAL} notifications, Redis killed at ${atKill.received} delivered with ${atKill.dispatched}/${TOTAL} ` +
          `recorded by the fan-out (${figures.killedAfterMs} ms into the replay), down ${OUTAGE_MS} ms; API reconnected ` +
          `${figures.apiBackMs} ms after Redis was back; job completed ${figures.healMs} ms after Redis was back (replay ` +
          `${figures.replayMs} ms in all); ${figures.deliveries} deliveries, ${figures.duplicates} duplicates, ${figures.failedAttempts} ` +
          `failed attempts; sweeper re-drove ${figures.itemsRedriven} items (${figures.jobsResumed} resumptions)\n`,
      );
      // The kill came while the fan-out was still walking the window.
      expect(atKill.fanoutDone).toBe(false);
      expect(atKill.dispatched).toBeLessThan(TOTAL);
      // At least once: Redis going away kills no attempt in flight, so beyond what was in flight
      // (BULK_CONCURRENCY batches of 50), only an audited failed attempt (a timeout) may send twice.
      expect(figures.duplicates).toBeLessThanOrEqual(BULK_CONCURRENCY * BULK_BATCH_SIZE + figures.failedAttempts);
    },
    240_000,
  );

  it(
    'when 2,000 automatic webhooks are accepted while no worker runs and Redis then loses every queued job, then a worker started afterwards delivers all 2,000 from the ledger, each with its audit row',
    async () => {
      for (const w of workers) expect(w.child.exitCode !== null || w.child.signalCode !== null).toBe(true);
      const receiver = await newReceiver();
      const tenant = await h.createTenant({ webhookUrl: `${receiver.url}/live` });

      const created = await h.admin('POST', '/admin/transactions/batch', {
        notify: true,
        transactions: Array.from({ length: LIVE_COUNT }, (_, i) => ({
          merchant_id: tenant.merchant.id,
          kind: i % 2 === 0 ? 'CASHIN' : 'CASHOUT',
          status_id: 3,
          amount: i + 1,
        })),
      });
      expect(created.status).toBe(201);
      const ids = created.body.ids as number[];
      expect(ids).toHaveLength(LIVE_COUNT);

      const ledger = async () =>
        (await h.db.dataSource.query(
          `SELECT state, count(*)::int AS n FROM deliveries WHERE merchant_id = $1 AND trigger = 'automatic' GROUP BY state ORDER BY state`,
          [tenant.merchant.id],
        )) as Array<{ state: string; n: number }>;
      expect(await ledger()).toEqual([{ state: 'pending', n: LIVE_COUNT }]);

      // Their wake-ups were queued in Redis (and nobody is there to take them).
      const waitKey = `${bullPrefix(h.config.queuePrefix)}:${QUEUE_NAMES.delivery}:wait`;
      const probe = async () => {
        const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
        try {
          await client.connect();
          return await client.llen(waitKey);
        } finally {
          client.disconnect();
        }
      };
      expect(await probe()).toBe(LIVE_COUNT);

      const { backAt } = await outage();
      // Every wake-up is gone.
      expect(await probe()).toBe(0);
      const apiBackMs = await apiReconnectMs(backAt);
      expect(receiver.received).toHaveLength(0);

      const workerStarting = Date.now();
      const worker = await spawnWorker();
      const startedAt = Date.now();
      try {
        await waitFor(
          () => new Set(receiver.received.map((r) => txIdOf(r.body))).size >= LIVE_COUNT,
          150_000,
          `all ${LIVE_COUNT} automatic webhooks to be delivered`,
        );
      } catch (err) {
        throw new Error(
          `${(err as Error).message} (got ${new Set(receiver.received.map((r) => txIdOf(r.body))).size})\n` +
            `ledger: ${JSON.stringify(await ledger())}\nworker output tail:\n${worker.output().slice(-5000)}`,
        );
      }
      const deliveredMs = Date.now() - startedAt;
      await waitFor(
        async () => {
          const rows = await ledger();
          return rows.length === 1 && rows[0]!.state !== 'pending';
        },
        30_000,
        'every delivery to be final',
      );

      const delivered = receiver.received.map((r) => txIdOf(r.body));
      const distinct = new Set(delivered);
      expect(ids.filter((id) => !distinct.has(id))).toEqual([]);
      expect(await ledger()).toEqual([{ state: 'succeeded', n: LIVE_COUNT }]);

      const [audit] = await h.db.dataSource.query(
        `SELECT count(DISTINCT transaction_id) FILTER (WHERE outcome = 'success')::int AS succeeded,
                count(*) FILTER (WHERE outcome IS NULL)::int AS open,
                count(*) FILTER (WHERE outcome <> 'success')::int AS failed_attempts
           FROM webhook_logs WHERE merchant_id = $1 AND trigger = 'automatic'`,
        [tenant.merchant.id],
      );
      expect(audit).toMatchObject({ succeeded: LIVE_COUNT, open: 0 });

      // The same audit trail, as the merchant reads it.
      const seen = new Map<number, string[]>();
      let cursor: string | null = null;
      do {
        const page: any = await h.request(
          'GET',
          `/v1/webhook-logs?merchant_id=${tenant.merchant.id}&limit=200${cursor ? `&cursor=${cursor}` : ''}`,
          { token: tenant.apiKey },
        );
        expect(page.status).toBe(200);
        for (const row of page.body.data) seen.set(row.transaction_id, [...(seen.get(row.transaction_id) ?? []), `${row.trigger}:${row.outcome}`]);
        cursor = page.body.next_cursor;
      } while (cursor);
      expect(seen.size).toBe(LIVE_COUNT);
      expect(ids.filter((id) => !(seen.get(id) ?? []).includes('automatic:success'))).toEqual([]);

      await stopWorker(worker);
      const sweeps = worker.sweeps();
      const duplicates = delivered.length - distinct.size;
      process.stdout.write(
        `redis-loss (live, no worker): ${LIVE_COUNT} automatic webhooks accepted, ${LIVE_COUNT} wake-ups lost with Redis; API ` +
          `reconnected ${apiBackMs} ms after Redis was back; worker up in ${startedAt - workerStarting} ms, all delivered ` +
          `${deliveredMs} ms after it started; ${delivered.length} deliveries, ${duplicates} duplicates, ${audit.failed_attempts} ` +
          `failed attempts; sweeper re-drove ${sweeps.liveRedriven ?? 0} live wake-ups\n`,
      );
      expect(sweeps.liveRedriven ?? 0).toBeGreaterThanOrEqual(LIVE_COUNT);
      // The re-drives (even several for one delivery) claim each attempt once: a webhook is sent
      // twice only after an audited failed attempt (a timeout whose request did arrive).
      expect(duplicates).toBeLessThanOrEqual(audit.failed_attempts);
    },
    240_000,
  );
});
