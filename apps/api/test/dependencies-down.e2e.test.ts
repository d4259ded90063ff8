import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import net, { type AddressInfo } from 'node:net';
import {
  exited,
  spawnWorkerProcess,
  startWebhookReceiver,
  testConfig,
  TEST_ADMIN_TOKEN,
  waitFor,
  type ReceivedWebhook,
  type WebhookReceiver,
} from '@wr/testing';
import { deliveryJobId } from '@wr/queues';
import { startApiServer, type RunningApi } from '../src/server.js';
import { startHarness, type Harness, type Tenant } from './support/harness.js';

/**
 * SPEC 7, "Dependencies down": with PostgreSQL or Redis out of reach the API answers 503 quickly
 * and accepts nothing it cannot keep, accepted deliveries are not lost, and everything recovers
 * by itself. Redis is a redis-server of this file's own (stopped and restarted on the same port);
 * PostgreSQL is reached through a TCP proxy the tests cut and restore. Everything is on 127.0.0.1.
 */

/** The bound within which a call that needs an absent dependency must have answered 503. */
const QUICK_MS = 2000;
/** A request that has not answered by then is reported as hanging (instead of hanging the test). */
const HANG_MS = 6000;
const PG_PORT = Number(new URL(process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres').port || 5432);

// ---------------------------------------------------------------------------------------------
// Helpers: raw HTTP with timing, an own redis-server, a TCP proxy in front of PostgreSQL.
// ---------------------------------------------------------------------------------------------

interface TimedAnswer {
  status: number;
  body: any;
  text: string;
  ms: number;
}

/** One HTTP call, timed; a call with no answer within HANG_MS comes back as status 0. */
async function call(
  baseUrl: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown } = {},
): Promise<TimedAnswer> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  const started = Date.now();
  try {
    const res = await fetch(`${baseUrl}${path}`, { method, headers, body, signal: AbortSignal.timeout(HANG_MS) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON; keep the text
    }
    return { status: res.status, body: parsed, text, ms: Date.now() - started };
  } catch (err) {
    return { status: 0, body: null, text: `no answer: ${(err as Error).message}`, ms: Date.now() - started };
  }
}

/** How long an answer took, as compared with the 2 s bound (the figure is shown only when over). */
const elapsed = (answer: TimedAnswer): string =>
  answer.status === 0 ? `no answer after ${answer.ms} ms` : answer.ms < QUICK_MS ? `< ${QUICK_MS} ms` : `${answer.ms} ms`;
const QUICKLY = `< ${QUICK_MS} ms`;

/** What a client sees of a "dependency down" answer: a 503 (never a 500), in under 2 s. */
function expectQuick503(answer: TimedAnswer, what: string): void {
  expect({ what, status: answer.status, elapsed: elapsed(answer) }).toEqual({ what, status: 503, elapsed: QUICKLY });
  expect(answer.body).toMatchObject({ statusCode: 503 });
}

/** The promise's value, or `fallback` if it has not settled within `ms` (no timer left behind). */
async function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<F>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A redis-server child process on a fixed port, which can be stopped and started again there. */
class OwnRedis {
  private child: ChildProcess | undefined;
  output = '';

  constructor(
    readonly port: number,
    private readonly policy: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', this.policy, '--daemonize', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    let ready = false;
    const onData = (chunk: Buffer) => {
      this.output += chunk.toString('utf8');
      if (this.output.includes('Ready to accept connections')) ready = true;
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    await waitFor(() => ready || child.exitCode !== null, 10_000, `redis-server on port ${this.port} to start`);
    if (!ready) throw new Error(`redis-server on port ${this.port} did not start:\n${this.output}`);
  }

  /** SIGKILL: Redis goes away at once, as a crashed or killed server would. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    child.kill('SIGKILL');
    await exited(child);
  }

  frozen = false;

  /** SIGSTOP: Redis hangs; its connections stay open and nothing is answered. */
  freeze(): void {
    this.child?.kill('SIGSTOP');
    this.frozen = true;
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
    this.frozen = false;
  }
}

/**
 * A TCP proxy on 127.0.0.1 in front of PostgreSQL. `cut` closes its port and drops every
 * connection (the database is unreachable: connections are refused); `partition` keeps the port
 * open but lets no byte through either way, on existing connections or new ones (packets
 * dropped); `restore` lets traffic through again on the same port.
 */
class PgProxy {
  private server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private state: 'up' | 'cut' | 'partitioned' = 'up';
  port = 0;

  constructor(private readonly targetPort: number) {
    this.server = this.newServer();
  }

  private newServer(): net.Server {
    return net.createServer((client) => {
      this.track(client);
      if (this.state === 'partitioned') {
        client.pause();
        return;
      }
      const upstream = net.connect(this.targetPort, '127.0.0.1');
      this.track(upstream);
      upstream.on('close', () => client.destroy());
      client.on('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** The same database, reached through this proxy. */
  urlFor(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  private dropAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  async cut(): Promise<void> {
    if (this.state !== 'up') return;
    this.state = 'cut';
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.dropAll();
    await closed;
  }

  /** Nothing passes any more, and nothing is closed: requests already sent get no answer. */
  partition(): void {
    if (this.state !== 'up') return;
    this.state = 'partitioned';
    for (const socket of this.sockets) {
      socket.unpipe();
      socket.pause();
    }
  }

  async restore(): Promise<void> {
    if (this.state === 'partitioned') {
      // The partition heals; connections that lived through it are reset, as TCP would after it.
      this.dropAll();
    } else if (this.state === 'cut') {
      this.server = this.newServer();
      await this.listen();
    }
    this.state = 'up';
  }

  async close(): Promise<void> {
    this.dropAll();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const bodyOf = (hook: ReceivedWebhook) => JSON.parse(hook.body);

/** A status-changed window around now, in the payin bulk resend's format. */
function windowAroundNow(): { start_time: string; end_time: string } {
  const fmt = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');
  const now = Date.now();
  return { start_time: fmt(new Date(now - 3600_000)), end_time: fmt(new Date(now + 3600_000)) };
}

// ---------------------------------------------------------------------------------------------
// Redis stopped mid-run
// ---------------------------------------------------------------------------------------------

describe('dependencies down: Redis stopped mid-run (API and worker on a redis-server of their own)', () => {
  let redis: OwnRedis;
  let h: Harness;
  let receiver: WebhookReceiver;
  let tenant: Tenant;

  beforeAll(async () => {
    redis = new OwnRedis(await freePort(), 'noeviction');
    await redis.start();
    h = await startHarness({ worker: true, env: { REDIS_URL: redis.url, RECONCILE_INTERVAL_MS: '300' } });
    receiver = await startWebhookReceiver();
    tenant = await h.createTenant({ webhookUrl: `${receiver.url}/hooks` });
  });

  afterAll(async () => {
    await receiver?.close();
    // The worker closes cleanly only with its Redis there.
    if (redis?.frozen) redis.thaw();
    if (redis && !redis.running) await redis.start().catch(() => undefined);
    await h?.close();
    await redis?.kill();
  });

  // The automatic webhooks still owed, as the ledger holds them.
  const outbox = async (): Promise<Array<{ transaction_id: number; status_id: number }>> =>
    (await h.db.dataSource.query(
      `SELECT transaction_id::int AS transaction_id, status_id FROM deliveries WHERE state = 'pending' AND resend_job_id IS NULL ORDER BY id`,
    )) as Array<{
      transaction_id: number;
      status_id: number;
    }>;

  it('when Redis is killed, then /readyz, the resend calls answer 503 within 2 s creating nothing, status changes are kept in PostgreSQL; when it is back, everything recovers by itself and the kept webhooks are delivered exactly once', async () => {
    // Before the outage: everything works, and a transaction exists to resend.
    expect((await call(h.api.url, 'GET', '/readyz')).status).toBe(200);
    const existing = await h.createTransaction({ merchant_id: tenant.merchant.id, status_id: 3, external_id: 'before-outage' });

    await redis.kill();

    const ready = await call(h.api.url, 'GET', '/readyz');
    expect({ status: ready.status, elapsed: elapsed(ready) }).toEqual({ status: 503, elapsed: QUICKLY });
    expect(ready.body).toEqual({ status: 'unavailable', checks: { postgres: 'ok', redis: 'unavailable' } });

    const resend = await call(h.api.url, 'POST', `/api/resend-webhook/${existing.id}`, { token: tenant.apiKey });
    expectQuick503(resend, 'POST /api/resend-webhook/:id');

    const bulk = await call(h.api.url, 'POST', '/v2/payin/notifications/resend', {
      token: tenant.apiKey,
      body: { merchant_id: tenant.merchant.id, ...windowAroundNow() },
    });
    expectQuick503(bulk, 'POST /v2/payin/notifications/resend');
    // No half-created job: the bulk request left no row behind.
    expect(await h.db.dataSource.query('SELECT id FROM resend_jobs')).toEqual([]);

    // A status change is the platform's record: it is accepted, its webhook kept in PostgreSQL.
    const created = await call(h.api.url, 'POST', '/admin/transactions', {
      token: TEST_ADMIN_TOKEN,
      body: { merchant_id: tenant.merchant.id, kind: 'CASHIN', status_id: 3, amount: 4200, external_id: 'during-outage' },
    });
    expect({ status: created.status, elapsed: elapsed(created) }).toEqual({ status: 201, elapsed: QUICKLY });
    const tx = created.body;
    const changed = await call(h.api.url, 'PATCH', `/admin/transactions/${existing.id}`, { token: TEST_ADMIN_TOKEN, body: { status_id: 4 } });
    expect({ status: changed.status, elapsed: elapsed(changed) }).toEqual({ status: 200, elapsed: QUICKLY });
    expect(await outbox()).toEqual([
      { transaction_id: tx.id, status_id: 3 },
      { transaction_id: existing.id, status_id: 4 },
    ]);

    // Nothing reached the merchant while Redis was away, and the 503 resend attempted nothing:
    // an attempt is claimed in the ledger and audited before its request goes out, and neither
    // happened, so nothing had been sent when the receiver was looked at.
    expect(receiver.received).toHaveLength(0);
    const noLogs = await call(h.api.url, 'GET', `/v1/webhook-logs?transaction_id=${existing.id}`, { token: tenant.apiKey });
    expect(noLogs.status).toBe(200);
    expect(noLogs.body.data).toEqual([]);
    expect(await h.db.dataSource.query('SELECT attempts FROM deliveries')).toEqual([{ attempts: 0 }, { attempts: 0 }]);

    // Redis comes back on the same port, empty; nobody restarts the API or the worker.
    await redis.start();
    await waitFor(async () => (await call(h.api.url, 'GET', '/readyz')).status === 200, 10_000, '/readyz to answer 200 again');
    expect((await call(h.api.url, 'GET', '/readyz')).body).toEqual({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' } });

    // The sweeper queues what the outage left owed in the ledger; the worker delivers it.
    const hooks = await receiver.waitForCount(2, 15_000);
    await waitFor(async () => (await outbox()).length === 0, 5000, 'the ledger to hold nothing owed');
    await h.untilIdle();
    expect(receiver.received).toHaveLength(2);
    expect(hooks.map(bodyOf).map((b) => [b.transactionId, b.statusId]).sort((a, b) => a[0] - b[0])).toEqual(
      [
        [existing.id, 4],
        [tx.id, 3],
      ].sort((a, b) => a[0]! - b[0]!),
    );
    for (const id of [tx.id, existing.id]) {
      const logs = await call(h.api.url, 'GET', `/v1/webhook-logs?transaction_id=${id}`, { token: tenant.apiKey });
      expect(logs.status).toBe(200);
      expect(logs.body.data.map((r: any) => [r.trigger, r.attempt, r.outcome])).toEqual([['automatic', 1, 'success']]);
    }

    // The calls refused during the outage work again.
    const resendAgain = await call(h.api.url, 'POST', `/api/resend-webhook/${existing.id}`, { token: tenant.apiKey });
    expect(resendAgain.status).toBe(200);
    expect(resendAgain.body).toMatchObject({ message: 'Webhook resent successfully', statusCode: 200 });

    // And a new status change goes straight through the queue again.
    const after = await call(h.api.url, 'POST', '/admin/transactions', {
      token: TEST_ADMIN_TOKEN,
      body: { merchant_id: tenant.merchant.id, kind: 'CASHOUT', status_id: 5, amount: 99, external_id: 'after-outage' },
    });
    expect(after.status).toBe(201);
    await waitFor(
      () => receiver.received.some((r) => bodyOf(r).transactionId === after.body.id),
      10_000,
      'the webhook of a change made after the outage',
    );
    // The webhook arrives before its delivery is marked final: once nothing is left to do.
    await h.untilIdle();
    expect(await outbox()).toEqual([]);

    const bulkAgain = await call(h.api.url, 'POST', '/v2/payin/notifications/resend', {
      token: tenant.apiKey,
      body: { merchant_id: tenant.merchant.id, ...windowAroundNow() },
    });
    expect(bulkAgain.status).toBe(200);
    expect(bulkAgain.body).toEqual({ job_id: expect.stringMatching(/^[0-9a-f]{32}$/), total: 2 });
    // Let that replay finish here, so its deliveries do not land in the next test's receiver.
    await waitFor(
      async () =>
        (await call(h.api.url, 'GET', `/v2/payin/notifications/resend/${bulkAgain.body.job_id}`, { token: tenant.apiKey })).body
          .state === 'completed',
      15_000,
      'the bulk replay to complete',
    );
  }, 45_000);

  it('when Redis hangs (process frozen: connections stay open, nothing is answered), then /readyz and the resend calls answer 503 within 2 s, a status change is kept; when it thaws, its webhook is delivered exactly once', async () => {
    await waitFor(async () => (await call(h.api.url, 'GET', '/readyz')).status === 200, 10_000, '/readyz to answer 200');
    const existing = await h.createTransaction({ merchant_id: tenant.merchant.id, status_id: 3, external_id: 'before-freeze' });
    const jobsBefore = await h.db.dataSource.query('SELECT id FROM resend_jobs ORDER BY id');
    receiver.received.length = 0;

    redis.freeze();

    const ready = await call(h.api.url, 'GET', '/readyz');
    expect({ status: ready.status, elapsed: elapsed(ready) }).toEqual({ status: 503, elapsed: QUICKLY });
    expect(ready.body).toEqual({ status: 'unavailable', checks: { postgres: 'ok', redis: 'unavailable' } });
    const [resend, bulk, created] = await Promise.all([
      call(h.api.url, 'POST', `/api/resend-webhook/${existing.id}`, { token: tenant.apiKey }),
      call(h.api.url, 'POST', '/v2/payin/notifications/resend', {
        token: tenant.apiKey,
        body: { merchant_id: tenant.merchant.id, ...windowAroundNow() },
      }),
      call(h.api.url, 'POST', '/admin/transactions', {
        token: TEST_ADMIN_TOKEN,
        body: { merchant_id: tenant.merchant.id, kind: 'CASHIN', status_id: 6, amount: 31, external_id: 'during-freeze' },
      }),
    ]);
    expectQuick503(resend, 'POST /api/resend-webhook/:id');
    expectQuick503(bulk, 'POST /v2/payin/notifications/resend');
    expect(await h.db.dataSource.query('SELECT id FROM resend_jobs ORDER BY id')).toEqual(jobsBefore);
    // Accepted (not hanging): the change is recorded, its webhook kept for later.
    expect(created.status).toBe(201);
    expect(receiver.received).toHaveLength(0);

    redis.thaw();
    await waitFor(async () => (await call(h.api.url, 'GET', '/readyz')).status === 200, 10_000, '/readyz to answer 200 again');
    await waitFor(
      () => receiver.received.some((r) => bodyOf(r).transactionId === created.body.id),
      15_000,
      'the webhook of the change made while Redis hung',
    );
    await waitFor(async () => (await outbox()).length === 0, 5000, 'the ledger to hold nothing owed');
    await h.untilIdle();
    expect(receiver.received.map(bodyOf).filter((b) => b.transactionId === created.body.id || b.transactionId === existing.id)).toEqual([
      expect.objectContaining({ transactionId: created.body.id, statusId: 6 }),
    ]);
  }, 40_000);
});

// ---------------------------------------------------------------------------------------------
// PostgreSQL unreachable
// ---------------------------------------------------------------------------------------------

describe('dependencies down: PostgreSQL unreachable (API and worker connected through a proxy the test cuts)', () => {
  let h: Harness;
  let receiver: WebhookReceiver;
  let tenant: Tenant;
  const proxies: PgProxy[] = [];
  const apis: RunningApi[] = [];
  const receivers: WebhookReceiver[] = [];
  // The production pool size: with the suite's 4 connections a partition exhausted the pool and
  // answered on the 1 s pool wait, hiding that a timed-out transaction also waited for its ROLLBACK.
  // The production bound on a PostgreSQL wait too (the suite's default is looser for noisy runs).
  const env = { RETRY_BASE_DELAY_MS: '400', RECONCILE_INTERVAL_MS: '300', DB_POOL_SIZE: '10', API_DB_TIMEOUT_MS: '1200' };

  beforeAll(async () => {
    // The harness's own API reaches PostgreSQL directly: it sets the scene and checks the outcome.
    h = await startHarness({ env });
    receiver = await startWebhookReceiver();
    tenant = await h.createTenant({ webhookUrl: `${receiver.url}/pg` });
  });

  afterAll(async () => {
    for (const p of proxies) await p.restore().catch(() => undefined);
    for (const a of apis) await a.close().catch(() => undefined);
    await h?.close();
    for (const p of proxies) await p.close();
    await receiver?.close();
    for (const r of receivers) await r.close();
  });

  async function newProxy(): Promise<PgProxy> {
    const proxy = new PgProxy(PG_PORT);
    proxies.push(proxy);
    await proxy.listen();
    return proxy;
  }

  /** An API whose every PostgreSQL connection goes through the proxy. */
  async function proxiedApi(proxy: PgProxy): Promise<RunningApi> {
    const api = await startApiServer(testConfig(proxy.urlFor(h.db.url), h.config.queuePrefix, env));
    apis.push(api);
    return api;
  }

  /** Every kind of call that needs PostgreSQL, as a client and the operator would make them. */
  function callsNeedingPostgres(api: RunningApi, txId: number): Array<[string, () => Promise<TimedAnswer>]> {
    return [
      ['GET /v1/webhook-logs', () => call(api.url, 'GET', `/v1/webhook-logs?transaction_id=${txId}`, { token: tenant.apiKey })],
      ['POST /api/resend-webhook/:id', () => call(api.url, 'POST', `/api/resend-webhook/${txId}`, { token: tenant.apiKey })],
      [
        'POST /v2/payin/notifications/resend',
        () => call(api.url, 'POST', '/v2/payin/notifications/resend', { token: tenant.apiKey, body: { merchant_id: tenant.merchant.id, ...windowAroundNow() } }),
      ],
      [
        'POST /admin/transactions',
        () =>
          call(api.url, 'POST', '/admin/transactions', {
            token: TEST_ADMIN_TOKEN,
            body: { merchant_id: tenant.merchant.id, kind: 'CASHIN', status_id: 3, amount: 1, notify: false },
          }),
      ],
      ['PATCH /admin/transactions/:id', () => call(api.url, 'PATCH', `/admin/transactions/${txId}`, { token: TEST_ADMIN_TOKEN, body: { status_id: 4 } })],
      ['POST /admin/accounts', () => call(api.url, 'POST', '/admin/accounts', { token: TEST_ADMIN_TOKEN, body: { name: 'during the outage' } })],
    ];
  }
  const countRows = async (table: string): Promise<number> =>
    ((await h.db.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`)) as Array<{ n: number }>)[0]!.n;

  it('when the proxy to PostgreSQL is cut, then /readyz and every call needing it answer 503 within 2 s, never 500, and nothing is created; when it is restored, the same API answers again without a restart', async () => {
    const proxy = await newProxy();
    const api = await proxiedApi(proxy);
    const tx = await h.createTransaction({ merchant_id: tenant.merchant.id, status_id: 3, external_id: 'pg-cut' });
    expect((await call(api.url, 'GET', '/readyz')).status).toBe(200);
    const before = { transactions: await countRows('transactions'), accounts: await countRows('accounts'), jobs: await countRows('resend_jobs') };

    await proxy.cut();

    const ready = await call(api.url, 'GET', '/readyz');
    expect({ status: ready.status, elapsed: elapsed(ready) }).toEqual({ status: 503, elapsed: QUICKLY });
    expect(ready.body).toEqual({ status: 'unavailable', checks: { postgres: 'unavailable', redis: 'ok' } });
    for (const [what, run] of callsNeedingPostgres(api, tx.id)) expectQuick503(await run(), what);
    // Asked again, still 503 (not a hang once the pool has given up on its connections).
    for (const [what, run] of callsNeedingPostgres(api, tx.id)) expectQuick503(await run(), `${what} (again)`);

    // Every call has answered and no worker runs: anything they had sent would be here already
    // (and audited, which the check after the restore shows it was not).
    expect(receiver.received).toHaveLength(0);

    await proxy.restore();

    await waitFor(async () => (await call(api.url, 'GET', '/readyz')).status === 200, 10_000, '/readyz to answer 200 again');
    // Nothing the refused calls asked for was half-done.
    expect({ transactions: await countRows('transactions'), accounts: await countRows('accounts'), jobs: await countRows('resend_jobs') }).toEqual(before);
    const unchanged = await h.request('GET', `/v1/webhook-logs?transaction_id=${tx.id}`, { token: tenant.apiKey });
    expect(unchanged.body.data).toEqual([]);

    const logs = await call(api.url, 'GET', `/v1/webhook-logs?transaction_id=${tx.id}`, { token: tenant.apiKey });
    expect(logs.status).toBe(200);
    const resend = await call(api.url, 'POST', `/api/resend-webhook/${tx.id}`, { token: tenant.apiKey });
    expect(resend.status).toBe(200);
    expect(resend.body).toMatchObject({ message: 'Webhook resent successfully', statusCode: 200 });
    expect(receiver.received.map(bodyOf)).toEqual([expect.objectContaining({ transactionId: tx.id, statusId: 3 })]);
    const created = await call(api.url, 'POST', '/admin/transactions', {
      token: TEST_ADMIN_TOKEN,
      body: { merchant_id: tenant.merchant.id, kind: 'CASHIN', status_id: 3, amount: 2, notify: false },
    });
    expect(created.status).toBe(201);
    const account = await call(api.url, 'POST', '/admin/accounts', { token: TEST_ADMIN_TOKEN, body: { name: 'after the outage' } });
    expect(account.status).toBe(201);
  });

  it('when PostgreSQL stops answering (network partition: connections stay open, no byte passes), then /readyz and calls needing it answer 503 within 2 s instead of hanging; when it heals, they answer again', async () => {
    const proxy = await newProxy();
    const api = await proxiedApi(proxy);
    const tx = await h.createTransaction({ merchant_id: tenant.merchant.id, status_id: 3, external_id: 'pg-partition' });
    receiver.received.length = 0;
    // Fill the pool: the calls after the partition find open connections in it, as they would.
    const warm = await Promise.all(
      Array.from({ length: 8 }, () => call(api.url, 'GET', `/v1/webhook-logs?transaction_id=${tx.id}`, { token: tenant.apiKey })),
    );
    expect(warm.map((a) => a.status)).toEqual(Array(8).fill(200));

    proxy.partition();

    const ready = await call(api.url, 'GET', '/readyz');
    expect({ status: ready.status, elapsed: elapsed(ready) }).toEqual({ status: 503, elapsed: QUICKLY });
    expect(ready.body).toEqual({ status: 'unavailable', checks: { postgres: 'unavailable', redis: 'ok' } });
    const answers = await Promise.all(callsNeedingPostgres(api, tx.id).map(async ([what, run]) => [what, await run()] as const));
    const summary = answers.map(([what, a]) => ({ what, status: a.status, elapsed: elapsed(a) }));
    expect(summary).toEqual(answers.map(([what]) => ({ what, status: 503, elapsed: QUICKLY })));

    await proxy.restore();
    await waitFor(async () => (await call(api.url, 'GET', '/readyz')).status === 200, 10_000, '/readyz to answer 200 again');
    await waitFor(
      async () => (await call(api.url, 'GET', `/v1/webhook-logs?transaction_id=${tx.id}`, { token: tenant.apiKey })).status === 200,
      10_000,
      'GET /v1/webhook-logs to answer 200 again',
    );
    expect(receiver.received).toHaveLength(0);
  }, 40_000);

  it('when PostgreSQL is cut while an accepted delivery is waiting to retry, then the worker keeps it through the outage without spending its attempts and delivers it once PostgreSQL is back', async () => {
    const proxy = await newProxy();
    const worker = await h.startWorker({ DATABASE_URL: proxy.urlFor(h.db.url) });
    const receiver = await startWebhookReceiver();
    receivers.push(receiver);
    const tenant = await h.createTenant({ webhookUrl: `${receiver.url}/retrying` });
    let calls = 0;
    receiver.respondWith(() => (++calls === 1 ? { status: 500, body: 'not yet' } : { status: 200 }));

    // The moment the first attempt has failed (and is audited), PostgreSQL goes away: the next
    // attempts, 200 to 400 ms, 400 to 800 ms and 800 to 1600 ms later, all fall in the outage.
    let cutAt = 0;
    let cutFor: unknown;
    const cutting: Array<Promise<void>> = [];
    const onCompleted = (_job: unknown, result: { outcome?: string; attempt?: number } | undefined) => {
      if (result?.outcome !== 'http_error' || cutAt > 0) return;
      cutFor = result;
      cutAt = Date.now();
      cutting.push(proxy.cut());
    };
    worker.workers[0]!.on('completed', onCompleted);

    const created = await h.admin('POST', '/admin/transactions', {
      merchant_id: tenant.merchant.id,
      kind: 'CASHIN',
      status_id: 3,
      amount: 777,
      external_id: 'accepted-before-cut',
    });
    expect(created.status).toBe(201);
    const tx = created.body;

    await waitFor(() => cutAt > 0, 10_000, 'the first attempt to fail');
    await Promise.all(cutting);
    worker.workers[0]!.off('completed', onCompleted);
    expect(cutFor).toMatchObject({ outcome: 'http_error', attempt: 1, state: 'pending' });

    // The outage lasts until the next attempt's wake-up has come due, met it, and gone back to
    // wait without spending the attempt.
    const [{ id: deliveryId }] = await h.db.dataSource.query('SELECT id::int AS id FROM deliveries WHERE transaction_id = $1', [tx.id]);
    await waitFor(
      async () => {
        const wakeUp = await worker.context.deliveryQueue.getJob(deliveryJobId(deliveryId, 2));
        return wakeUp !== undefined && wakeUp.attemptsStarted >= 1 && (await wakeUp.getState()) === 'delayed';
      },
      10_000,
      'the second attempt to be put off by the outage',
    );
    expect(receiver.received).toHaveLength(1);
    await proxy.restore();
    const restoredAt = Date.now();

    const hooks = await receiver.waitForCount(2, 15_000);
    expect(hooks.map(bodyOf)).toEqual([
      expect.objectContaining({ transactionId: tx.id, statusId: 3 }),
      expect.objectContaining({ transactionId: tx.id, statusId: 3 }),
    ]);
    expect(hooks[1]!.headers['webhook-id']).toBe(hooks[0]!.headers['webhook-id']);
    expect(hooks[1]!.receivedAt).toBeGreaterThanOrEqual(restoredAt);

    let rows: any[] = [];
    await waitFor(
      async () => {
        const res = await h.request('GET', `/v1/webhook-logs?transaction_id=${tx.id}`, { token: tenant.apiKey });
        rows = [...res.body.data].sort((a: any, b: any) => a.id - b.id);
        // The second attempt's row is written before its request and completed after the answer
        // arrived: the receiver can have it while the row is still open.
        return rows.length >= 2 && rows.every((r: any) => r.outcome !== null);
      },
      10_000,
      'two completed audit rows',
    );
    await h.untilIdle();
    expect(receiver.received).toHaveLength(2);
    expect(rows.map((r) => [r.trigger, r.attempt, r.outcome, r.http_status])).toEqual([
      ['automatic', 1, 'http_error', 500],
      ['automatic', 2, 'success', 200],
    ]);
  }, 40_000);
});

// ---------------------------------------------------------------------------------------------
// The worker refuses a Redis that may evict keys
// ---------------------------------------------------------------------------------------------

describe('worker start-up against a Redis whose maxmemory-policy is not noeviction', () => {
  let h: Harness;
  let lru: OwnRedis;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    h = await startHarness();
    lru = new OwnRedis(await freePort(), 'allkeys-lru');
    await lru.start();
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await lru?.kill();
    await h?.close();
  });

  function spawnWorker(overrides: Record<string, string>): { child: ChildProcess; output: () => string } {
    const child = spawnWorkerProcess(h.config, { LOG_LEVEL: 'info', ...overrides });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString('utf8')));
    return { child, output: () => output };
  }

  it('when the worker process starts against Redis with maxmemory-policy allkeys-lru, then it exits with a non-zero code saying maxmemory-policy must be noeviction', async () => {
    const { child, output } = spawnWorker({ REDIS_URL: lru.url });
    const result = await within(exited(child), 15_000, 'still running after 15 s' as const);
    expect(result).toEqual({ code: expect.any(Number), signal: null });
    expect((result as { code: number }).code).not.toBe(0);
    expect(output()).toMatch(/maxmemory-policy/);
    expect(output()).toMatch(/allkeys-lru/);
    expect(output()).toMatch(/noeviction/);
  }, 20_000);

  it('when the same worker starts against a noeviction Redis, then it starts and stops cleanly on SIGTERM', async () => {
    const { child, output } = spawnWorker({});
    await waitFor(() => output().includes('worker started') || child.exitCode !== null, 15_000, `the worker to start (output: ${output()})`);
    expect(output()).toContain('worker started');
    child.kill('SIGTERM');
    expect(await exited(child)).toEqual({ code: 0, signal: null });
  }, 20_000);
});
