import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startWebhookReceiver, waitFor, type WebhookReceiver } from '@wr/testing';
import { startHarness, type Harness, type HttpAnswer } from './support/harness.js';

/**
 * SPEC 4: a key sees only its own account's merchants, transactions, jobs and logs; anything else
 * answers exactly as if it did not exist. Every client endpoint is asked, with account B's key, for
 * account A's resource and for a resource that does not exist; the two answers must be the same
 * bytes, nothing may reach A's receiver, and A's running job must stay running.
 */

const REQUEST_CREATED = /^Webhook resend request created\. ID: ([0-9a-f]{32})$/;
/**
 * "The worker had its chance": nothing is waiting, running or due within this long (A's live job
 * keeps a retry minutes away), so whatever a request set off has reached its receiver.
 */
const DUE_WITHIN_MS = 60_000;
const MISSING_NUMERIC_ID = '987654321';
const MISSING_MERCHANT_ID = 2_000_000_000;
const MISSING_HEX_ID = 'f'.repeat(32);

interface Account {
  accountId: number;
  apiKey: string;
}

interface Merchant {
  id: number;
  branch: string;
  accountNumber: string;
}

interface Tx {
  id: number;
  externalId: string;
  endToEndId: string;
}

interface TenantWorld extends Account {
  main: Merchant;
  cashin: Tx;
  cashout: Tx;
  logId: number;
  doneJobId: string;
}

type Caller = 'B' | 'C';

/** One request as a client sends it: who asks, and what. */
interface Call {
  as: Caller;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  body?: unknown;
}

interface IsolationCase {
  /** Account A's resource as B names it, and the same request naming something that does not exist. */
  foreign: Call;
  missing: Call;
  /** What both must answer: the endpoint's documented "not found" (or the empty list). */
  status: number;
  body: unknown;
  /** Fields that legitimately echo the request (e.g. invoice_id) and so may differ. */
  strip?: string[];
}

describe('tenant isolation: account B naming account A’s resources on every client endpoint', () => {
  let h: Harness;
  let receiverA: WebhookReceiver;
  let receiverB: WebhookReceiver;
  let A: TenantWorld & { live: Merchant; liveJobId: string; simpayRequestId: string; replayId: string; scheduleId: string };
  let B: TenantWorld;
  /** A fresh account that owns nothing: what "does not exist" looks like for lists. */
  let C: Account;

  const keyOf = (caller: Caller) => (caller === 'B' ? B.apiKey : C.apiKey);
  const send = (call: Call): Promise<HttpAnswer> => h.request(call.method, call.path, { token: keyOf(call.as), body: call.body });
  const query = (sql: string, params: unknown[] = []) => h.db.dataSource.query(sql, params);

  async function createAccount(name: string): Promise<Account> {
    const res = await h.admin('POST', '/admin/accounts', { name });
    if (res.status !== 201) throw new Error(`account: ${res.text}`);
    return { accountId: res.body.id, apiKey: res.body.api_key };
  }

  async function createMerchant(accountId: number, branch: string, accountNumber: string, webhookUrl: string): Promise<Merchant> {
    const res = await h.admin('POST', '/admin/merchants', {
      account_id: accountId,
      name: `merchant ${branch}/${accountNumber}`,
      branch_identifier: branch,
      account_number: accountNumber,
      webhook_url: webhookUrl,
    });
    if (res.status !== 201) throw new Error(`merchant: ${res.text}`);
    return { id: res.body.id, branch, accountNumber };
  }

  async function createTx(merchantId: number, kind: 'CASHIN' | 'CASHOUT', externalId: string, endToEndId: string, at: string): Promise<Tx> {
    const tx = await h.createTransaction({
      merchant_id: merchantId,
      kind,
      status_id: 3,
      external_id: externalId,
      end_to_end_id: endToEndId,
      status_changed_at: at,
      notify: false,
    });
    return { id: tx.id, externalId, endToEndId };
  }

  async function syncResend(apiKey: string, txId: number): Promise<number> {
    const res = await h.request('POST', `/api/resend-webhook/${txId}`, { token: apiKey });
    if (res.status !== 200) throw new Error(`sync resend: ${res.status} ${res.text}`);
    return res.body.webhookLogId;
  }

  async function bulkJob(apiKey: string, merchantId: number, start: string, end: string): Promise<string> {
    const res = await h.request('POST', '/v2/payin/notifications/resend', {
      token: apiKey,
      body: { merchant_id: merchantId, start_time: start, end_time: end },
    });
    if (res.status !== 200) throw new Error(`bulk job: ${res.status} ${res.text}`);
    return res.body.job_id;
  }

  async function jobState(apiKey: string, jobId: string): Promise<string> {
    const res = await h.request('GET', `/v1/resend-jobs/${jobId}`, { token: apiKey });
    if (res.status !== 200) throw new Error(`job status: ${res.status} ${res.text}`);
    return res.body.state;
  }

  async function waitForJob(apiKey: string, jobId: string, state: string): Promise<void> {
    await waitFor(async () => (await jobState(apiKey, jobId)) === state, 20_000, `job ${jobId} to be ${state}`);
  }

  /** Everything of A's that B's requests could disturb: deliveries, audit rows and jobs. */
  async function snapshotOfA() {
    const merchants = [A.main.id, A.live.id];
    const [logs] = await query('SELECT count(*)::int AS n FROM webhook_logs WHERE merchant_id = ANY($1::int[])', [merchants]);
    const jobs = await query(
      'SELECT id, account_id, state, total, processed, succeeded, failed, finished_at FROM resend_jobs WHERE merchant_id = ANY($1::int[]) ORDER BY id',
      [merchants],
    );
    const schedules = await h.request('GET', '/v1/replay-schedules', { token: A.apiKey });
    return {
      received: receiverA.received.map((r) => `${r.path} ${r.body}`),
      logs: logs.n as number,
      jobs,
      schedules: (schedules.body?.data as Array<{ id: string }> | undefined)?.map((s) => s.id) ?? schedules.text,
    };
  }

  beforeAll(async () => {
    // Bulk retries wait 5-10 minutes: A's failing live job stays `running` for the whole file
    // without keeping the worker busy, so B's attempts to reach it meet a job that is alive.
    h = await startHarness({ worker: true, env: { RETRY_BASE_DELAY_MS: '600000' } });
    receiverA = await startWebhookReceiver();
    receiverA.respondWith((req) => (req.path.startsWith('/a-live') ? { status: 500, body: 'down' } : {}));
    receiverB = await startWebhookReceiver();

    const accountA = await createAccount('account A');
    const accountB = await createAccount('account B');
    C = await createAccount('account C (owns nothing)');

    const aMain = await createMerchant(accountA.accountId, '1001', '10010-1', `${receiverA.url}/a-main`);
    const aLive = await createMerchant(accountA.accountId, '1001', '10010-2', `${receiverA.url}/a-live`);
    const bMain = await createMerchant(accountB.accountId, '2002', '20020-1', `${receiverB.url}/b-main`);

    const aCashin = await createTx(aMain.id, 'CASHIN', 'a-order-1', `E12345678202603101015${'A'.repeat(12)}`, '2026-03-10T10:15:00.000Z');
    const aCashout = await createTx(aMain.id, 'CASHOUT', 'a-payout-1', `D12345678202603101030${'A'.repeat(12)}`, '2026-03-10T10:30:00.000Z');
    await createTx(aLive.id, 'CASHIN', 'a-live-order-1', `E12345678202603111015${'L'.repeat(12)}`, '2026-03-11T10:15:00.000Z');
    const bCashin = await createTx(bMain.id, 'CASHIN', 'b-order-1', `E87654321202603101015${'B'.repeat(12)}`, '2026-03-10T10:15:00.000Z');
    const bCashout = await createTx(bMain.id, 'CASHOUT', 'b-payout-1', `D87654321202603101030${'B'.repeat(12)}`, '2026-03-10T10:30:00.000Z');

    // Audit rows for both accounts.
    const aLogId = await syncResend(accountA.apiKey, aCashin.id);
    const bLogId = await syncResend(accountB.apiKey, bCashin.id);

    // A completed bulk job for each account.
    const aDone = await bulkJob(accountA.apiKey, aMain.id, '2026-03-10 10:00:00', '2026-03-10 11:00:00');
    const bDone = await bulkJob(accountB.apiKey, bMain.id, '2026-03-10 10:00:00', '2026-03-10 11:00:00');
    await waitForJob(accountA.apiKey, aDone, 'completed');
    await waitForJob(accountB.apiKey, bDone, 'completed');

    // A SimPay resend request of A's.
    const simpay = await h.request('POST', '/v3/webhooks/resend', {
      token: accountA.apiKey,
      body: { resend_type: 'CASHOUT', object_reference_id: aCashout.id },
    });
    if (simpay.status !== 200) throw new Error(`simpay: ${simpay.status} ${simpay.text}`);
    const simpayRequestId = REQUEST_CREATED.exec(simpay.body.detail)![1]!;
    await waitFor(
      async () => (await h.request('GET', `/v3/webhooks/resend-logs/${simpayRequestId}`, { token: accountA.apiKey })).body?.data?.state === 'completed',
      20_000,
      'A’s SimPay request to complete',
    );

    // A replay over a window without transactions, and a weekly replay schedule (its first firing
    // runs at once and finds nothing to send): A's resources on the /v1/replays endpoints.
    const replay = await h.request('POST', '/v1/replays', {
      token: accountA.apiKey,
      body: { merchant_id: aMain.id, from: '2026-01-05T00:00:00Z', to: '2026-01-05T01:00:00Z' },
    });
    if (replay.status !== 201) throw new Error(`replay: ${replay.status} ${replay.text}`);
    const replayId: string = replay.body.id;
    const schedule = await h.request('POST', '/v1/replay-schedules', {
      token: accountA.apiKey,
      body: { merchant_id: aMain.id, every_seconds: 7 * 24 * 3600, lookback_seconds: 1 },
    });
    if (schedule.status !== 201) throw new Error(`schedule: ${schedule.status} ${schedule.text}`);
    const scheduleId: string = schedule.body.id;
    await waitFor(
      async () =>
        (await query("SELECT count(*)::int AS n FROM resend_jobs WHERE requested_by = $1 AND state IN ('completed', 'failed', 'cancelled')", [`schedule:${scheduleId}`]))[0].n > 0,
      20_000,
      'the first firing of A’s replay schedule to finish',
    );
    await waitFor(
      async () => (await query("SELECT count(*)::int AS n FROM resend_jobs WHERE id = ANY(SELECT id FROM resend_jobs WHERE request_id = $1) AND state = 'completed'", [replayId]))[0].n > 0,
      20_000,
      'A’s replay to complete',
    );

    // A's live job: its one delivery fails and its retry is minutes away, so it stays running.
    const liveJobId = await bulkJob(accountA.apiKey, aLive.id, '2026-03-11 10:00:00', '2026-03-11 11:00:00');
    await receiverA.waitForCount(4, 20_000);
    await waitFor(
      async () => (await query('SELECT count(*)::int AS n FROM webhook_logs WHERE merchant_id = $1', [aLive.id]))[0].n === 1,
      20_000,
      'A’s live job to audit its first attempt',
    );

    A = {
      ...accountA,
      main: aMain,
      live: aLive,
      cashin: aCashin,
      cashout: aCashout,
      logId: aLogId,
      doneJobId: aDone,
      liveJobId,
      simpayRequestId,
      replayId,
      scheduleId,
    };
    B = { ...accountB, main: bMain, cashin: bCashin, cashout: bCashout, logId: bLogId, doneJobId: bDone };
  }, 90_000);

  afterAll(async () => {
    await receiverA?.close();
    await receiverB?.close();
    await h?.close();
  });

  it('when the setup has settled, then A’s receiver got exactly its four own webhooks and A’s live job is running', async () => {
    await h.untilIdle({ dueWithinMs: DUE_WITHIN_MS });
    expect((await snapshotOfA()).schedules).toEqual([A.scheduleId]);
    expect(receiverA.received.map((r) => r.path).sort()).toEqual(['/a-live', '/a-main', '/a-main', '/a-main']);
    expect(await jobState(A.apiKey, A.liveJobId)).toBe('running');
    expect(await jobState(A.apiKey, A.doneJobId)).toBe('completed');
    expect(receiverB.received.map((r) => r.path)).toEqual(['/b-main', '/b-main']);
  });

  const TX_NOT_FOUND = { statusCode: 404, message: 'Transaction not found', error: 'Not Found' };
  const LOG_NOT_FOUND = { statusCode: 404, message: 'Webhook log not found', error: 'Not Found' };
  const MERCHANT_NOT_FOUND = { statusCode: 404, message: 'Merchant not found', error: 'Not Found' };
  const JOB_NOT_FOUND = { statusCode: 404, message: 'Job not found', error: 'Not Found' };
  const EMPTY_LOG_PAGE = { data: [], next_cursor: null };

  const cases: Array<[string, () => IsolationCase]> = [
    // POST /api/resend-webhook/:identifier
    ['transaction by numeric id on POST /api/resend-webhook/:identifier', () => ({
      foreign: { as: 'B', method: 'POST', path: `/api/resend-webhook/${A.cashin.id}` },
      missing: { as: 'B', method: 'POST', path: `/api/resend-webhook/${MISSING_NUMERIC_ID}` },
      status: 404,
      body: TX_NOT_FOUND,
    })],
    ['transaction by external id on POST /api/resend-webhook/:identifier', () => ({
      foreign: { as: 'B', method: 'POST', path: `/api/resend-webhook/${A.cashout.externalId}` },
      missing: { as: 'B', method: 'POST', path: '/api/resend-webhook/no-such-order-1' },
      status: 404,
      body: TX_NOT_FOUND,
    })],
    ['transaction by end-to-end id on POST /api/resend-webhook/:identifier', () => ({
      foreign: { as: 'B', method: 'POST', path: `/api/resend-webhook/${A.cashin.endToEndId}` },
      missing: { as: 'B', method: 'POST', path: `/api/resend-webhook/E${'0'.repeat(32)}` },
      status: 404,
      body: TX_NOT_FOUND,
    })],
    ['transaction by numeric id with an override URL on POST /api/resend-webhook/:identifier', () => ({
      foreign: { as: 'B', method: 'POST', path: `/api/resend-webhook/${A.cashin.id}`, body: { url: `${receiverB.url}/override` } },
      missing: { as: 'B', method: 'POST', path: `/api/resend-webhook/${MISSING_NUMERIC_ID}`, body: { url: `${receiverB.url}/override` } },
      status: 404,
      body: TX_NOT_FOUND,
    })],

    // GET /v1/webhook-logs and /:id
    ['transaction_id filter on GET /v1/webhook-logs', () => ({
      foreign: { as: 'B', method: 'GET', path: `/v1/webhook-logs?transaction_id=${A.cashin.id}` },
      missing: { as: 'B', method: 'GET', path: `/v1/webhook-logs?transaction_id=${MISSING_NUMERIC_ID}` },
      status: 200,
      body: EMPTY_LOG_PAGE,
    })],
    ['merchant_id filter on GET /v1/webhook-logs', () => ({
      foreign: { as: 'B', method: 'GET', path: `/v1/webhook-logs?merchant_id=${A.main.id}` },
      missing: { as: 'B', method: 'GET', path: `/v1/webhook-logs?merchant_id=${MISSING_MERCHANT_ID}` },
      status: 200,
      body: EMPTY_LOG_PAGE,
    })],
    ['resend_job_id filter on GET /v1/webhook-logs', () => ({
      foreign: { as: 'B', method: 'GET', path: `/v1/webhook-logs?resend_job_id=${A.doneJobId}` },
      missing: { as: 'B', method: 'GET', path: `/v1/webhook-logs?resend_job_id=${MISSING_HEX_ID}` },
      status: 200,
      body: EMPTY_LOG_PAGE,
    })],
    ['audit row on GET /v1/webhook-logs/:id', () => ({
      foreign: { as: 'B', method: 'GET', path: `/v1/webhook-logs/${A.logId}` },
      missing: { as: 'B', method: 'GET', path: `/v1/webhook-logs/${MISSING_NUMERIC_ID}` },
      status: 404,
      body: LOG_NOT_FOUND,
    })],

    // POST /v2/payin/notifications/resend
    ['merchant_id on POST /v2/payin/notifications/resend', () => ({
      foreign: { as: 'B', method: 'POST', path: '/v2/payin/notifications/resend', body: { merchant_id: A.main.id, start_time: '2026-03-10 10:00:00', end_time: '2026-03-10 11:00:00' } },
      missing: { as: 'B', method: 'POST', path: '/v2/payin/notifications/resend', body: { merchant_id: MISSING_MERCHANT_ID, start_time: '2026-03-10 10:00:00', end_time: '2026-03-10 11:00:00' } },
      status: 404,
      body: MERCHANT_NOT_FOUND,
    })],
    ['merchant_id with dry_run on POST /v2/payin/notifications/resend', () => ({
      foreign: { as: 'B', method: 'POST', path: '/v2/payin/notifications/resend', body: { merchant_id: A.main.id, start_time: '2026-03-10 10:00:00', end_time: '2026-03-10 11:00:00', dry_run: true } },
      missing: { as: 'B', method: 'POST', path: '/v2/payin/notifications/resend', body: { merchant_id: MISSING_MERCHANT_ID, start_time: '2026-03-10 10:00:00', end_time: '2026-03-10 11:00:00', dry_run: true } },
      status: 404,
      body: MERCHANT_NOT_FOUND,
    })],
    ['merchant_id and window of A’s running job on POST /v2/payin/notifications/resend', () => ({
      foreign: { as: 'B', method: 'POST', path: '/v2/payin/notifications/resend', body: { merchant_id: A.live.id, start_time: '2026-03-11 10:00:00', end_time: '2026-03-11 11:00:00' } },
      missing: { as: 'B', method: 'POST', path: '/v2/payin/notifications/resend', body: { merchant_id: MISSING_MERCHANT_ID, start_time: '2026-03-11 10:00:00', end_time: '2026-03-11 11:00:00' } },
      status: 404,
      body: MERCHANT_NOT_FOUND,
    })],

    // GET /v2/payin/notifications/resend/:job_id
    ['completed job on GET /v2/payin/notifications/resend/:job_id', () => ({
      foreign: { as: 'B', method: 'GET', path: `/v2/payin/notifications/resend/${A.doneJobId}` },
      missing: { as: 'B', method: 'GET', path: `/v2/payin/notifications/resend/${MISSING_HEX_ID}` },
      status: 404,
      body: JOB_NOT_FOUND,
    })],
    ['running job on GET /v2/payin/notifications/resend/:job_id', () => ({
      foreign: { as: 'B', method: 'GET', path: `/v2/payin/notifications/resend/${A.liveJobId}` },
      missing: { as: 'B', method: 'GET', path: `/v2/payin/notifications/resend/${MISSING_HEX_ID}` },
      status: 404,
      body: JOB_NOT_FOUND,
    })],

    // GET /v1/resend-jobs/:job_id and its cancel
    ['completed job on GET /v1/resend-jobs/:job_id', () => ({
      foreign: { as: 'B', method: 'GET', path: `/v1/resend-jobs/${A.doneJobId}` },
      missing: { as: 'B', method: 'GET', path: `/v1/resend-jobs/${MISSING_HEX_ID}` },
      status: 404,
      body: JOB_NOT_FOUND,
    })],
    ['running job on GET /v1/resend-jobs/:job_id', () => ({
      foreign: { as: 'B', method: 'GET', path: `/v1/resend-jobs/${A.liveJobId}` },
      missing: { as: 'B', method: 'GET', path: `/v1/resend-jobs/${MISSING_HEX_ID}` },
      status: 404,
      body: JOB_NOT_FOUND,
    })],
    ['running job on POST /v1/resend-jobs/:job_id/cancel', () => ({
      foreign: { as: 'B', method: 'POST', path: `/v1/resend-jobs/${A.liveJobId}/cancel` },
      missing: { as: 'B', method: 'POST', path: `/v1/resend-jobs/${MISSING_HEX_ID}/cancel` },
      status: 404,
      body: JOB_NOT_FOUND,
    })],
    ['completed job on POST /v1/resend-jobs/:job_id/cancel', () => ({
      foreign: { as: 'B', method: 'POST', path: `/v1/resend-jobs/${A.doneJobId}/cancel` },
      missing: { as: 'B', method: 'POST', path: `/v1/resend-jobs/${MISSING_HEX_ID}/cancel` },
      status: 404,
      body: JOB_NOT_FOUND,
    })],

    // POST /v3/webhooks/resend
    ['CASHOUT object_reference_id on POST /v3/webhooks/resend', () => ({
      foreign: { as: 'B', method: 'POST', path: '/v3/webhooks/resend', body: { resend_type: 'CASHOUT', object_reference_id: A.cashout.id } },
      missing: { as: 'B', method: 'POST', path: '/v3/webhooks/resend', body: { resend_type: 'CASHOUT', object_reference_id: Number(MISSING_NUMERIC_ID) } },
      status: 400,
      body: { worked: false, detail: 'Transaction not found' },
    })],
    ['CASHIN object_reference_id on POST /v3/webhooks/resend', () => ({
      foreign: { as: 'B', method: 'POST', path: '/v3/webhooks/resend', body: { resend_type: 'CASHIN', object_reference_id: A.cashin.id } },
      missing: { as: 'B', method: 'POST', path: '/v3/webhooks/resend', body: { resend_type: 'CASHIN', object_reference_id: Number(MISSING_NUMERIC_ID) } },
      status: 400,
      body: { worked: false, detail: 'QR Code not found' },
    })],
    ['bank account range on POST /v3/webhooks/resend', () => {
      const range = { resend_type: 'CASHIN', start_datetime: '2026-03-10T09:00:00Z', end_datetime: '2026-03-10T12:00:00Z' };
      return {
        foreign: { as: 'B', method: 'POST', path: '/v3/webhooks/resend', body: { ...range, source_account_branch_identifier: A.main.branch, source_account_number: A.main.accountNumber } },
        missing: { as: 'B', method: 'POST', path: '/v3/webhooks/resend', body: { ...range, source_account_branch_identifier: '9999', source_account_number: '99999-9' } },
        status: 400,
        body: { worked: false, detail: 'Account not found' },
      };
    }],
    ['bank account range of A’s running job on POST /v3/webhooks/resend', () => {
      const range = { resend_type: 'CASHIN', start_datetime: '2026-03-11T10:00:00Z', end_datetime: '2026-03-11T11:00:00Z' };
      return {
        foreign: { as: 'B', method: 'POST', path: '/v3/webhooks/resend', body: { ...range, source_account_branch_identifier: A.live.branch, source_account_number: A.live.accountNumber } },
        missing: { as: 'B', method: 'POST', path: '/v3/webhooks/resend', body: { ...range, source_account_branch_identifier: '9999', source_account_number: '99999-9' } },
        status: 400,
        body: { worked: false, detail: 'Account not found' },
      };
    }],

    // GET /v3/webhooks/resend-logs and /:id
    ['resend requests listed on GET /v3/webhooks/resend-logs (B’s list against that of an account owning nothing)', () => ({
      foreign: { as: 'B', method: 'GET', path: '/v3/webhooks/resend-logs' },
      missing: { as: 'C', method: 'GET', path: '/v3/webhooks/resend-logs' },
      status: 200,
      body: { worked: true, data: [] },
    })],
    ['resend requests paged on GET /v3/webhooks/resend-logs?limit=100&offset=0', () => ({
      foreign: { as: 'B', method: 'GET', path: '/v3/webhooks/resend-logs?limit=100&offset=0' },
      missing: { as: 'C', method: 'GET', path: '/v3/webhooks/resend-logs?limit=100&offset=0' },
      status: 200,
      body: { worked: true, data: [] },
    })],
    ['resend request on GET /v3/webhooks/resend-logs/:id', () => ({
      foreign: { as: 'B', method: 'GET', path: `/v3/webhooks/resend-logs/${A.simpayRequestId}` },
      missing: { as: 'B', method: 'GET', path: `/v3/webhooks/resend-logs/${MISSING_HEX_ID}` },
      status: 404,
      body: { worked: false, detail: 'Resend request not found' },
    })],

    // POST /v1/replays, GET /v1/replays/:id, and the replay schedules
    ['merchant_id on POST /v1/replays', () => ({
      foreign: { as: 'B', method: 'POST', path: '/v1/replays', body: { merchant_id: A.main.id, from: '2026-03-10T09:00:00Z', to: '2026-03-10T12:00:00Z' } },
      missing: { as: 'B', method: 'POST', path: '/v1/replays', body: { merchant_id: MISSING_MERCHANT_ID, from: '2026-03-10T09:00:00Z', to: '2026-03-10T12:00:00Z' } },
      status: 404,
      body: MERCHANT_NOT_FOUND,
    })],
    ['merchant_id with dry_run on POST /v1/replays', () => ({
      foreign: { as: 'B', method: 'POST', path: '/v1/replays', body: { merchant_id: A.main.id, from: '2026-03-10T09:00:00Z', to: '2026-03-10T12:00:00Z', dry_run: true } },
      missing: { as: 'B', method: 'POST', path: '/v1/replays', body: { merchant_id: MISSING_MERCHANT_ID, from: '2026-03-10T09:00:00Z', to: '2026-03-10T12:00:00Z', dry_run: true } },
      status: 404,
      body: MERCHANT_NOT_FOUND,
    })],
    ['replay on GET /v1/replays/:id', () => ({
      foreign: { as: 'B', method: 'GET', path: `/v1/replays/${A.replayId}` },
      missing: { as: 'B', method: 'GET', path: `/v1/replays/${MISSING_HEX_ID}` },
      status: 404,
      body: { statusCode: 404, message: 'Replay not found', error: 'Not Found' },
    })],
    ['merchant_id on POST /v1/replay-schedules', () => ({
      foreign: { as: 'B', method: 'POST', path: '/v1/replay-schedules', body: { merchant_id: A.main.id, every_seconds: 3600 } },
      missing: { as: 'B', method: 'POST', path: '/v1/replay-schedules', body: { merchant_id: MISSING_MERCHANT_ID, every_seconds: 3600 } },
      status: 404,
      body: MERCHANT_NOT_FOUND,
    })],
    ['replay schedules listed on GET /v1/replay-schedules (B’s list against that of an account owning nothing)', () => ({
      foreign: { as: 'B', method: 'GET', path: '/v1/replay-schedules' },
      missing: { as: 'C', method: 'GET', path: '/v1/replay-schedules' },
      status: 200,
      body: { data: [] },
    })],
    ['replay schedule on DELETE /v1/replay-schedules/:id', () => ({
      foreign: { as: 'B', method: 'DELETE', path: `/v1/replay-schedules/${A.scheduleId}` },
      missing: { as: 'B', method: 'DELETE', path: `/v1/replay-schedules/sched-${'0'.repeat(24)}` },
      status: 404,
      body: { statusCode: 404, message: 'Schedule not found', error: 'Not Found' },
    })],

    // POST /invoices/resend-webhook/:id
    ['invoice on POST /invoices/resend-webhook/:id', () => ({
      foreign: { as: 'B', method: 'POST', path: `/invoices/resend-webhook/${A.cashin.id}` },
      missing: { as: 'B', method: 'POST', path: `/invoices/resend-webhook/${MISSING_NUMERIC_ID}` },
      status: 404,
      body: { message: 'Invoice not found', status: 'error' },
      strip: ['invoice_id'],
    })],
  ];

  /** The body with the fields that may legitimately differ removed; the raw text when there are none. */
  function comparable(res: HttpAnswer, strip: string[]): string {
    if (strip.length === 0) return res.text;
    const parsed = JSON.parse(res.text) as Record<string, unknown>;
    for (const field of strip) delete parsed[field];
    return JSON.stringify(parsed);
  }

  /** Response headers that are not per-request (date, request id) or derived from stripped fields. */
  function comparableHeaders(res: HttpAnswer, strip: string[]): Record<string, string> {
    const volatile = new Set(['date', 'x-request-id', 'keep-alive', 'connection', ...(strip.length > 0 ? ['etag', 'content-length'] : [])]);
    const out: Record<string, string> = {};
    res.headers.forEach((value, name) => {
      if (!volatile.has(name)) out[name] = value;
    });
    return out;
  }

  it.each(cases)('when account B names account A’s %s, then it gets byte for byte the not-found answer and nothing reaches A', async (_what, build) => {
    const c = build();
    const before = await snapshotOfA();
    const liveBefore = await jobState(A.apiKey, A.liveJobId);
    const bReceivedBefore = receiverB.received.length;

    const foreign = await send(c.foreign);
    const missing = await send(c.missing);

    // The not-found answer is the documented one...
    expect(missing.status).toBe(c.status);
    expect(missing.body).toEqual(c.body);
    // ...and naming A's resource is indistinguishable from it.
    expect(foreign.status).toBe(missing.status);
    expect(comparable(foreign, c.strip ?? [])).toBe(comparable(missing, c.strip ?? []));
    expect(comparableHeaders(foreign, c.strip ?? [])).toEqual(comparableHeaders(missing, c.strip ?? []));

    // Nothing was delivered to A, audited for A, or done to A's jobs, once the worker had its chance.
    await h.untilIdle({ dueWithinMs: DUE_WITHIN_MS });
    const after = await snapshotOfA();
    expect(after.received).toEqual(before.received);
    expect(after.logs).toBe(before.logs);
    expect(after.jobs).toEqual(before.jobs);
    expect(liveBefore).toBe('running');
    expect(await jobState(A.apiKey, A.liveJobId)).toBe('running');
    // Nor did B's own request trigger anything on B's side (it named nothing of B's).
    expect(receiverB.received.length).toBe(bReceivedBefore);
  });

  it('when account B lists its audit trail without filters, then it gets exactly its own merchant’s rows and none of A’s', async () => {
    const all = await h.request('GET', '/v1/webhook-logs?limit=200', { token: B.apiKey });
    const own = await h.request('GET', `/v1/webhook-logs?limit=200&merchant_id=${B.main.id}`, { token: B.apiKey });
    expect(all.status).toBe(200);
    expect(all.text).toBe(own.text);
    const ids = (all.body.data as Array<{ id: number; merchant_id: number }>).map((row) => row.id);
    expect(ids).toContain(B.logId);
    expect(ids).not.toContain(A.logId);
    for (const row of all.body.data as Array<{ merchant_id: number }>) expect(row.merchant_id).toBe(B.main.id);
  });

  it('when account B lists its own bulk job, then B sees it while A’s jobs stay invisible to B', async () => {
    const own = await h.request('GET', `/v1/resend-jobs/${B.doneJobId}`, { token: B.apiKey });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ job_id: B.doneJobId, merchant_id: B.main.id, state: 'completed' });
    const theirs = await h.request('GET', `/v1/resend-jobs/${B.doneJobId}`, { token: A.apiKey });
    expect(theirs.status).toBe(404);
    expect(theirs.body).toEqual(JOB_NOT_FOUND);
  });

  it('when account A cancels its own running job after all of B’s attempts, then it is 200 cancelled (it was alive and A’s all along)', async () => {
    const res = await h.request('POST', `/v1/resend-jobs/${A.liveJobId}/cancel`, { token: A.apiKey });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ job_id: A.liveJobId, merchant_id: A.live.id, state: 'cancelled' });
    expect(await jobState(A.apiKey, A.liveJobId)).toBe('cancelled');
  });
});
