import type { LookupFunction } from 'node:net';
import type { AppConfig } from '@wr/config';
import { createLogger } from '@wr/logger';
import {
  createTestDatabase,
  deleteRedisPrefix,
  testConfig,
  TEST_ADMIN_TOKEN,
  uniqueQueuePrefix,
  waitFor,
  type TestDatabase,
} from '@wr/testing';
import { startApiServer, type RunningApi } from '../../src/server.js';
import { startWorkers, type RunningWorker } from '../../../worker/src/workers.js';

export interface HttpAnswer<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface Harness {
  config: AppConfig;
  db: TestDatabase;
  api: RunningApi;
  worker?: RunningWorker;
  /** Raw HTTP to the API; `body` may be an object (sent as JSON) or a string (sent as is). */
  request(method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<HttpAnswer>;
  admin(method: string, path: string, body?: unknown): Promise<HttpAnswer>;
  /** An account with its API key and one merchant. */
  createTenant(options?: { webhookUrl?: string | null; merchantId?: number }): Promise<Tenant>;
  createTransaction(fields: Record<string, unknown>): Promise<any>;
  /** Transactions of one merchant without any automatic webhook (one batch); their ids in input order. */
  seedTransactions(merchantId: number, rows: SeedRow[]): Promise<number[]>;
  startWorker(overrides?: Record<string, string>): Promise<RunningWorker>;
  /**
   * Resolves once nothing is left that could still send a webhook: the ledger owes nothing (no
   * pending delivery outside an endpoint hold, no queued or running replay) and the delivery and
   * bulk queues hold no job waiting, running or delayed. Webhooks are sent only by those jobs, and
   * a failed attempt queues its retry before its job ends, so what has not arrived by then will
   * not arrive: tests prove "nothing more" with this rather than by watching a clock.
   */
  untilIdle(options?: {
    timeoutMs?: number;
    /** Set: only what is due within this many ms counts (a retry minutes away may stay owed). */
    dueWithinMs?: number;
  }): Promise<void>;
  close(): Promise<void>;
}

/** A transaction to seed: when its status changed, and (defaults CASHIN, 3) its kind and status. */
export interface SeedRow {
  at: string;
  kind?: 'CASHIN' | 'CASHOUT';
  status_id?: number;
}

/** `count` payins `stepMs` apart from `startIso`. */
export function payinsEvery(startIso: string, count: number, stepMs: number): SeedRow[] {
  const base = Date.parse(startIso);
  return Array.from({ length: count }, (_, i) => ({ at: new Date(base + i * stepMs).toISOString() }));
}

export interface Tenant {
  accountId: number;
  apiKey: string;
  merchant: { id: number; webhook_secret: string; webhook_url: string | null };
}

let merchantSeq = 0;

/** The API (and optionally a worker) against a database and Redis prefix of their own. */
export async function startHarness(
  options: { worker?: boolean; env?: Record<string, string>; lookup?: LookupFunction } = {},
): Promise<Harness> {
  const db = await createTestDatabase();
  const prefix = uniqueQueuePrefix();
  const config = testConfig(db.url, prefix, options.env);
  const logger = createLogger({ service: 'test', level: config.logLevel });
  const api = await startApiServer(config, logger, { lookup: options.lookup });
  const workers: RunningWorker[] = [];

  const request: Harness['request'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${api.url}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON; keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  };

  const harness: Harness = {
    config,
    db,
    api,
    request,
    admin: (method, path, body) => request(method, path, { token: TEST_ADMIN_TOKEN, body }),
    async createTenant(opts = {}) {
      const account = await harness.admin('POST', '/admin/accounts', { name: `account ${++merchantSeq}` });
      if (account.status !== 201) throw new Error(`account: ${account.text}`);
      const merchant = await harness.admin('POST', '/admin/merchants', {
        account_id: account.body.id,
        name: `merchant ${merchantSeq}`,
        ...(opts.merchantId ? { id: opts.merchantId } : {}),
        webhook_url: opts.webhookUrl === undefined ? null : opts.webhookUrl,
      });
      if (merchant.status !== 201) throw new Error(`merchant: ${merchant.text}`);
      return { accountId: account.body.id, apiKey: account.body.api_key, merchant: merchant.body };
    },
    async createTransaction(fields) {
      const res = await harness.admin('POST', '/admin/transactions', { kind: 'CASHIN', status_id: 3, amount: 1500, notify: false, ...fields });
      if (res.status !== 201) throw new Error(`transaction: ${res.text}`);
      return res.body;
    },
    async seedTransactions(merchantId, rows) {
      const res = await harness.admin('POST', '/admin/transactions/batch', {
        notify: false,
        transactions: rows.map((r, i) => ({
          merchant_id: merchantId,
          kind: r.kind ?? 'CASHIN',
          status_id: r.status_id ?? 3,
          amount: 100 + i,
          status_changed_at: r.at,
        })),
      });
      if (res.status !== 201 || res.body.ids?.length !== rows.length) throw new Error(`seed: ${res.status} ${res.text.slice(0, 300)}`);
      return res.body.ids as number[];
    },
    async startWorker(overrides = {}) {
      const worker = await startWorkers(testConfig(db.url, prefix, { ...options.env, ...overrides }), logger, { lookup: options.lookup });
      workers.push(worker);
      harness.worker ??= worker;
      return worker;
    },
    async untilIdle({ timeoutMs = 15_000, dueWithinMs }: { timeoutMs?: number; dueWithinMs?: number } = {}) {
      // Producers before consumers (fan-out, then batches, then single deliveries): a job adds its
      // children before it ends, so a child cannot slip past between two counts.
      const queues = [api.context.fanoutQueue, api.context.bulkDeliveryQueue, api.context.deliveryQueue];
      const jobsLeft = async () => {
        let n = 0;
        for (const queue of queues) {
          const counts = await queue.getJobCounts('waiting', 'active', 'prioritized', 'waiting-children');
          n += Object.values(counts).reduce((a, b) => a + b, 0);
          n += await queue.getDelayedCount(dueWithinMs === undefined ? undefined : Date.now() + dueWithinMs);
        }
        return n;
      };
      const rowsOwed = async () =>
        Number(
          (
            await db.dataSource.query(
              `SELECT (SELECT count(*) FROM deliveries WHERE state = 'pending' AND held_since IS NULL
                         AND ($1::float8 IS NULL OR next_attempt_at < now() + $1::float8 * interval '1 millisecond'))
                    + (SELECT count(*) FROM resend_jobs WHERE state IN ('queued', 'running')
                         AND ($1::float8 IS NULL OR (NOT fanout_done AND (run_at IS NULL OR run_at < now() + $1::float8 * interval '1 millisecond')))) AS n`,
              [dueWithinMs ?? null],
            )
          )[0].n,
        );
      let last = '';
      await waitFor(
        async () => {
          const [jobs, rows] = [await jobsLeft(), await rowsOwed()];
          last = `${jobs} jobs, ${rows} rows owed`;
          return jobs === 0 && rows === 0;
        },
        timeoutMs,
        'the worker to have nothing left to do',
      ).catch((err: Error) => {
        throw new Error(`${err.message} (last seen ${last})`);
      });
    },
    async close() {
      for (const w of workers) await w.close().catch(() => undefined);
      await api.close();
      await db.drop();
      await deleteRedisPrefix(prefix);
    },
  };
  if (options.worker) await harness.startWorker();
  return harness;
}
