import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { envFor, exited, spawnWorkerProcess, startWebhookReceiver, waitFor, type WebhookReceiver } from '@wr/testing';
import { startHarness, type Harness, type Tenant } from './support/harness.js';

const COUNT = 3000;
const SHUTDOWN_BOUND_MS = 15_000;
const API_MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const BULK = '/v2/payin/notifications/resend';

/** Keeps what a child process writes, so a failure can show it. */
function captureOutput(child: ChildProcess): () => string {
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  return () => out.slice(-4000);
}

/** SIGTERM, then the exit and how long it took (or 'still running' past the bound). */
async function terminate(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number } | 'still running'> {
  const started = Date.now();
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    exited(child).then((e) => ({ ...e, ms: Date.now() - started })),
    new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), SHUTDOWN_BOUND_MS))),
  ]);
  clearTimeout(timer);
  return outcome;
}

/** One request on a fresh connection (no pooled socket), so a closed listener shows as an error. */
function freshGet(url: string): Promise<{ status: number } | { error: string }> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on('timeout', () => req.destroy(new Error('ETIMEDOUT')));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
  });
}

describe('graceful shutdown on SIGTERM', () => {
  let h: Harness;
  let receiver: WebhookReceiver;
  let tenant: Tenant;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    // Default job locks (30 s): a job a stopping worker left active instead of finishing or handing
    // back would only reach the next worker after that, too late for the bound below.
    h = await startHarness();
    receiver = await startWebhookReceiver({ delayMs: 20 });
    tenant = await h.createTenant({ webhookUrl: receiver.url });
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await receiver.close();
    await h.close();
  });

  it('when a worker gets SIGTERM during a bulk replay, then it exits 0 within 15 s, nothing is lost, and the next worker completes the replay with exact counts', async () => {
    const base = Date.parse('2026-04-02T08:00:00Z');
    const created = await h.admin('POST', '/admin/transactions/batch', {
      notify: false,
      transactions: Array.from({ length: COUNT }, (_, i) => ({
        merchant_id: tenant.merchant.id,
        kind: 'CASHIN',
        status_id: 3,
        amount: i + 1,
        status_changed_at: new Date(base + i * 3000).toISOString(),
      })),
    });
    expect(created.status).toBe(201);
    const expected: number[] = created.body.ids;

    // Two batches of 50 at a time, each webhook answered after 20 ms: the replay takes a few seconds.
    const first = spawnWorkerProcess(h.config, { BULK_CONCURRENCY: '2' });
    children.push(first);
    const firstOutput = captureOutput(first);
    const res = await h.request('POST', BULK, {
      token: tenant.apiKey,
      body: { merchant_id: tenant.merchant.id, start_time: '2026-04-02 08:00:00', end_time: '2026-04-02 11:00:00' },
    });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(COUNT);
    const jobStatus = async () => (await h.request('GET', `${BULK}/${res.body.job_id}`, { token: tenant.apiKey })).body;

    await waitFor(() => receiver.received.length >= COUNT * 0.3, 60_000, 'the first worker to deliver 30%');
    const atSigterm = receiver.received.length;
    const stopped = await terminate(first);
    expect({ stopped, output: stopped === 'still running' || stopped.code !== 0 ? firstOutput() : '' }).toEqual({
      stopped: { code: 0, signal: null, ms: expect.any(Number) },
      output: '',
    });
    const atExit = receiver.received.length;
    // It really stopped in the middle: the job is not finished and the rest waits for a worker.
    const between = await jobStatus();
    expect(between.state).toBe('running');
    expect(between.processed).toBeLessThan(COUNT);
    expect(atExit).toBeLessThan(COUNT);
    // Nothing is sent once the process is gone: its connections are closed, so whatever it had
    // sent has been read.
    await waitFor(async () => (await receiver.openConnections()) === 0, 5000, 'the stopped worker to hold no connection');
    expect(receiver.received.length).toBe(atExit);

    const second = spawnWorkerProcess(h.config, { BULK_CONCURRENCY: '4' });
    children.push(second);
    const secondOutput = captureOutput(second);
    let job: any;
    await waitFor(
      async () => {
        job = await jobStatus();
        return job.state === 'completed' || job.state === 'failed';
      },
      25_000,
      'the replay to complete on the next worker (well before a 30 s job lock could hand anything over)',
    ).catch((err: Error) => {
      throw new Error(`${err.message}; job ${JSON.stringify(job)}; worker output: ${secondOutput()}`);
    });
    expect(job).toMatchObject({ state: 'completed', total: COUNT, processed: COUNT, succeeded: COUNT, failed: 0 });

    const delivered = receiver.received.map((r) => JSON.parse(r.body).transactionId as number);
    const distinct = new Set(delivered);
    expect(expected.filter((id) => !distinct.has(id))).toEqual([]);
    expect(distinct.size).toBe(COUNT);
    const duplicates = delivered.length - distinct.size;
    const ms = stopped === 'still running' ? -1 : stopped.ms;
    process.stdout.write(
      `graceful-shutdown: ${COUNT} notifications, ${atSigterm} delivered at SIGTERM, ${atExit} when the worker exited 0 after ${ms} ms, ${duplicates} duplicate deliveries\n`,
    );

    // Every delivery has its audit row under the job, and each transaction's successful one once.
    const rows: Array<{ n: number; ok: number; distinct_ok: number }> = await h.db.dataSource.query(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE outcome = 'success')::int AS ok,
              count(DISTINCT transaction_id) FILTER (WHERE outcome = 'success')::int AS distinct_ok
         FROM webhook_logs WHERE resend_job_id = $1`,
      [res.body.job_id],
    );
    expect(rows[0]).toEqual({ n: delivered.length, ok: delivered.length, distinct_ok: COUNT });
    expect(await terminate(second)).toEqual({ code: 0, signal: null, ms: expect.any(Number) });
  }, 150_000);

  it('when the API process gets SIGTERM with a resend in flight, then it refuses new connections, answers the in-flight one, and exits 0 within 15 s', async () => {
    // The API asks the system for a port and says which: a port picked here and handed over could
    // be taken meanwhile by another test file's receiver, which would then get this test's calls.
    const api = spawn(process.execPath, [API_MAIN], { env: envFor(h.config, { PORT: '0', LOG_LEVEL: 'info', LOG_FORMAT: 'json' }), stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(api);
    const output = captureOutput(api);
    let port = 0;
    await waitFor(
      () => {
        port = Number(/api listening on http:\/\/localhost:(\d+)/.exec(output())?.[1] ?? 0);
        return port > 0;
      },
      20_000,
      'the API process to say where it listens',
    ).catch((err: Error) => {
      throw new Error(`${err.message}; output: ${output()}`);
    });
    const base = `http://127.0.0.1:${port}`;
    expect((await freshGet(`${base}/healthz`)) as unknown).toMatchObject({ status: 200 });

    const tx = await h.createTransaction({ merchant_id: tenant.merchant.id, external_id: 'shutdown-inflight-1' });
    receiver.respondWith({ delayMs: 1500 });
    const sentBefore = receiver.received.length;
    const inflight: Promise<{ status: number; body: any } | { error: string }> = fetch(`${base}/api/resend-webhook/${tx.id}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.apiKey}` },
    }).then(
      async (r) => ({ status: r.status, body: (await r.json()) as any }),
      (err: Error) => ({ error: `${err.message} ${String((err.cause as Error | undefined)?.message ?? '')}`.trim() }),
    );
    try {
      await waitFor(() => receiver.received.length > sentBefore, 10_000, 'the resend to reach the merchant');
      const stopping = terminate(api);
      // Intake stops: new connections are refused while the in-flight resend is still waiting.
      let refused: { status: number } | { error: string } = { status: 0 };
      await waitFor(
        async () => {
          refused = await freshGet(`${base}/healthz`);
          return 'error' in refused && refused.error === 'ECONNREFUSED';
        },
        1_000,
        'the API to refuse new connections',
      ).catch((err: Error) => {
        throw new Error(`${err.message}; last answer ${JSON.stringify(refused)}`);
      });
      expect(receiver.received.length).toBe(sentBefore + 1);

      const answer = await inflight;
      expect(answer).toEqual({
        status: 200,
        body: { message: 'Webhook resent successfully', webhookLogId: expect.any(Number), sentAt: expect.any(String), statusCode: 200 },
      });
      const stopped = await stopping;
      expect({ stopped, output: stopped === 'still running' || stopped.code !== 0 ? output() : '' }).toEqual({
        stopped: { code: 0, signal: null, ms: expect.any(Number) },
        output: '',
      });
      if (stopped !== 'still running') process.stdout.write(`graceful-shutdown: API exited 0 ${stopped.ms} ms after SIGTERM with a resend in flight\n`);
      // The in-flight delivery's audit row was written before the process left.
      const webhookLogId = 'body' in answer ? answer.body.webhookLogId : undefined;
      const log = await h.request('GET', `/v1/webhook-logs/${webhookLogId}`, { token: tenant.apiKey });
      expect(log.body).toMatchObject({ transaction_id: tx.id, trigger: 'manual', outcome: 'success', http_status: 200 });
    } finally {
      receiver.respondWith({ delayMs: 20 });
    }
  }, 60_000);
});
