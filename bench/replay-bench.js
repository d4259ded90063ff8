// npm run bench [-- --size 200000]
//
// Replays an N-notification window against a loopback receiver and prints:
//  - the replay's deliveries per second (request to job completed, worker in its own process),
//  - the same receiver's rate under a plain got loop at the same concurrency, in the same run,
//  - their ratio, and the worker's peak RSS (VmHWM).
// Targets (issue 3): ratio >= 0.5; peak RSS < 300 MB for a 200,000-notification window.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import http from 'node:http';
import got from 'got';
import { createLogger } from '@wr/logger';
import { BULK_BATCH_SIZE } from '@wr/queues';
import { createTestDatabase, deleteRedisPrefix, spawnWorkerProcess, testConfig, TEST_ADMIN_TOKEN, uniqueQueuePrefix } from '@wr/testing';
import { startApiServer } from '../apps/api/dist/server.js';

const size = Number(argValue('--size') ?? 20_000);
const bulkConcurrency = Number(argValue('--bulk-concurrency') ?? 4);
const concurrency = bulkConcurrency * BULK_BATCH_SIZE;

function argValue(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function startReceiver() {
  const child = fork(new URL('./receiver.js', import.meta.url), { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const port = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(JSON.parse(String(d)).port)));
  return { child, url: `http://127.0.0.1:${port}` };
}

/** The baseline: the same receiver, the same concurrency, nothing but got. */
async function plainGotLoop(url, total) {
  const agent = { http: new http.Agent({ keepAlive: true, maxSockets: 512 }) };
  const client = got.extend({ agent, retry: { limit: 0 }, followRedirect: false, throwHttpErrors: false, timeout: { request: 10_000 } });
  const body = JSON.stringify({ type: 'transaction.status_changed', transactionId: 1, merchantId: 1, kind: 'CASHIN', statusId: 3, status: 'Paid', amount: 100, statusChangedAt: new Date().toISOString(), data: {} });
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next += 1;
        await client.post(url, { body, headers: { 'content-type': 'application/json' } });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.http.destroy();
  return total / seconds;
}

function peakRssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)[1]) / 1024;
}

async function main() {
  const db = await createTestDatabase();
  const prefix = uniqueQueuePrefix();
  const config = testConfig(db.url, prefix, { LOG_LEVEL: 'error', BULK_CONCURRENCY: String(bulkConcurrency), DB_POOL_SIZE: '10' });
  const api = await startApiServer(config, createLogger({ service: 'bench', level: 'error' }));
  const receiver = await startReceiver();
  const admin = (path, body, token = TEST_ADMIN_TOKEN) =>
    fetch(`${api.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
  let worker;
  let stopping = false;
  try {
    const account = await admin('/admin/accounts', { name: 'bench' });
    const merchant = await admin('/admin/merchants', { account_id: account.id, name: 'bench', webhook_url: receiver.url });
    const start = Date.parse('2026-03-24T08:00:00Z');
    const spacing = (3 * 3600 * 1000 - 1) / size;
    process.stdout.write(`seeding ${size} transactions...\n`);
    for (let i = 0; i < size; i += 10_000) {
      const n = Math.min(10_000, size - i);
      await admin('/admin/transactions/batch', {
        notify: false,
        transactions: Array.from({ length: n }, (_, k) => ({
          merchant_id: merchant.id,
          kind: 'CASHIN',
          status_id: 3,
          amount: i + k + 1,
          status_changed_at: new Date(start + Math.floor((i + k) * spacing)).toISOString(),
        })),
      });
    }

    process.stdout.write(`plain got loop: ${size} POSTs at concurrency ${concurrency}...\n`);
    const baseline = await plainGotLoop(receiver.url, size);

    // BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the worker.
    const nodeArgs = process.env.BENCH_WORKER_NODE_ARGS ? process.env.BENCH_WORKER_NODE_ARGS.split(' ') : [];
    worker = spawnWorkerProcess(config, { LOG_LEVEL: 'error' }, nodeArgs);
    worker.stderr.pipe(process.stderr);
    worker.once('exit', (code) => {
      if (!stopping) {
        process.stderr.write(`worker exited early (code ${code})\n`);
        process.exit(1);
      }
    });
    await sleep(1500); // let the worker connect before the clock starts
    process.stdout.write(`replay: ${size} notifications, worker BULK_CONCURRENCY=${bulkConcurrency} x batch ${BULK_BATCH_SIZE}...\n`);
    const started = performance.now();
    const job = await admin('/v2/payin/notifications/resend', { merchant_id: merchant.id, start_time: '2026-03-24 08:00:00', end_time: '2026-03-24 11:00:00' }, account.api_key);
    let status;
    for (;;) {
      status = await fetch(`${api.url}/v2/payin/notifications/resend/${job.job_id}`, { headers: { authorization: `Bearer ${account.api_key}` } }).then((r) => r.json());
      if (status.state !== 'queued' && status.state !== 'running') break;
      await sleep(100);
    }
    const seconds = (performance.now() - started) / 1000;
    const replayRate = status.succeeded / seconds;
    const rss = peakRssMb(worker.pid);
    const result = {
      notifications: size,
      job_state: status.state,
      succeeded: status.succeeded,
      replay_per_second: Math.round(replayRate),
      plain_got_per_second: Math.round(baseline),
      ratio: Number((replayRate / baseline).toFixed(2)),
      worker_peak_rss_mb: Math.round(rss),
      concurrency,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    stopping = true;
    worker?.kill('SIGTERM');
    if (worker) await new Promise((resolve) => worker.once('exit', resolve));
    receiver.child.kill('SIGTERM');
    await api.close();
    await db.drop();
    await deleteRedisPrefix(prefix);
  }
}

await main();
