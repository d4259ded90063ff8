// npm run bench [-- --size 200000] [-- --concurrency 200] [-- --bulk-concurrency 4]
//
// In one process tree and one run, against loopback receivers in processes of their own:
//  - a plain undici loop and a plain got loop at the same concurrency, over HTTP and over HTTPS
//    (a self-signed certificate made at run time);
//  - the service's replay of an N-notification window (request to job completed, worker in its own
//    process, in the production configuration: private targets refused, the receivers' exact
//    addresses allowed), over HTTP and over HTTPS (the worker trusts the certificate through
//    WEBHOOK_EXTRA_CA_FILE, configuration meant for tests);
//  - ratios of the replay to each loop, and the worker's peak RSS (VmHWM).
// Targets (issue 9): replay >= 0.5 x the plain undici loop over HTTP and HTTPS; peak RSS <= 200 MB.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import http from 'node:http';
import https from 'node:https';
import got from 'got';
import { Agent } from 'undici';
import { createLogger } from '@wr/logger';
import { BULK_BATCH_SIZE } from '@wr/queues';
import { createTestDatabase, deleteRedisPrefix, spawnWorkerProcess, testConfig, TEST_ADMIN_TOKEN, uniqueQueuePrefix } from '@wr/testing';
import { startApiServer } from '../apps/api/dist/server.js';
import { seedWindow, startReceiver } from './bench-kit.js';

const size = Number(argValue('--size') ?? 20_000);
// Requests in flight, for the loops and for the replay (the merchant's flow control caps it there).
const concurrency = Number(argValue('--concurrency') ?? 200);
// Batch jobs the worker runs at once: more than concurrency / batch size lets one batch's database
// work overlap another's requests.
const bulkConcurrency = Number(argValue('--bulk-concurrency') ?? Math.ceil(concurrency / BULK_BATCH_SIZE));
const LIVE_DURING_REPLAY = 50;
const WINDOW = { start: '2026-03-24 08:00:00', end: '2026-03-24 11:00:00', startMs: Date.parse('2026-03-24T08:00:00Z') };

function argValue(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** A self-signed certificate for 127.0.0.1, made now, in a temporary folder. */
function selfSignedCertificate() {
  const dir = mkdtempSync(join(tmpdir(), 'wr-bench-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { dir, cert, key, pem: readFileSync(cert, 'utf8') };
}

const sampleBody = JSON.stringify({ type: 'transaction.status_changed', transactionId: 1, merchantId: 1, kind: 'CASHIN', statusId: 3, status: 'Paid', amount: 100, statusChangedAt: new Date().toISOString(), sequence: 1, data: {} });

/** `concurrency` loops POSTing until `total` are sent; returns requests per second. */
async function loop(total, post) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next += 1;
        await post();
      }
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

/** The baseline the issue names: Node's own HTTP engine, nothing else. */
async function plainUndiciLoop(url, total, ca) {
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 30_000, ...(ca ? { connect: { ca } } : {}) });
  const { origin } = new URL(url);
  const rate = await loop(total, async () => {
    const res = await agent.request({ origin, path: '/', method: 'POST', headers: { 'content-type': 'application/json' }, body: sampleBody });
    await res.body.dump();
  });
  await agent.close();
  return rate;
}

/** The library the design card named, for comparison. */
async function plainGotLoop(url, total, ca) {
  const agent = { http: new http.Agent({ keepAlive: true, maxSockets: 512 }), https: new https.Agent({ keepAlive: true, maxSockets: 512, ...(ca ? { ca } : {}) }) };
  const client = got.extend({ agent, retry: { limit: 0 }, followRedirect: false, throwHttpErrors: false, timeout: { request: 10_000 } });
  const rate = await loop(total, () => client.post(url, { body: sampleBody, headers: { 'content-type': 'application/json' } }));
  agent.http.destroy();
  agent.https.destroy();
  return rate;
}

function peakRssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)[1]) / 1024;
}

async function main() {
  const tls = selfSignedCertificate();
  const receivers = { http: await startReceiver(), https: await startReceiver(['--tls', tls.cert, tls.key]) };
  const db = await createTestDatabase();
  const prefix = uniqueQueuePrefix();
  // The production configuration: private targets refused, only the receivers' exact addresses allowed.
  const config = testConfig(db.url, prefix, {
    LOG_LEVEL: 'error',
    BULK_CONCURRENCY: String(bulkConcurrency),
    DB_POOL_SIZE: '10',
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false',
    WEBHOOK_ALLOWED_TARGETS: `127.0.0.1:${receivers.http.port},127.0.0.1:${receivers.https.port}`,
    WEBHOOK_EXTRA_CA_FILE: tls.cert,
  });
  const api = await startApiServer(config, createLogger({ service: 'bench', level: 'error' }));
  const call = (method, path, body, token = TEST_ADMIN_TOKEN) =>
    fetch(`${api.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body) }).then((r) => r.json());
  let worker;
  let stopping = false;
  try {
    const account = await call('POST', '/admin/accounts', { name: 'bench' });
    const merchants = {};
    for (const scheme of ['http', 'https']) {
      // Flow control lets a replay use all but a fifth of the merchant's cap (live webhooks keep
      // the rest): a cap of 250 gives the replay the loops' 200 in flight.
      const maxConcurrency = Math.ceil(concurrency * 1.25);
      merchants[scheme] = await call('POST', '/admin/merchants', { account_id: account.id, name: `bench ${scheme}`, webhook_url: receivers[scheme].url, max_concurrency: maxConcurrency });
      if (!merchants[scheme].id) throw new Error(`merchant: ${JSON.stringify(merchants[scheme])}`);
      process.stdout.write(`seeding ${size} transactions for the ${scheme} merchant...\n`);
      await seedWindow(call, merchants[scheme].id, { startMs: WINDOW.startMs, spanMs: 3 * 3600 * 1000 - 1, size });
    }

    const baselines = {};
    for (const scheme of ['http', 'https']) {
      const ca = scheme === 'https' ? [tls.pem] : undefined;
      process.stdout.write(`plain loops over ${scheme}: ${size} POSTs each at concurrency ${concurrency}...\n`);
      baselines[scheme] = { undici: await plainUndiciLoop(receivers[scheme].url, size, ca), got: await plainGotLoop(receivers[scheme].url, size, ca) };
    }

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

    // Live webhooks of the same merchant during its replay (payouts, outside the replay's payins):
    // their latency from the status change's answer to the receiver shows a replay does not starve them.
    const livePayouts = await call('POST', '/admin/transactions/batch', {
      notify: false,
      transactions: Array.from({ length: LIVE_DURING_REPLAY }, (_, i) => ({ merchant_id: merchants.http.id, kind: 'CASHOUT', status_id: 1, amount: i + 1 })),
    });
    const liveChangedAt = new Map();

    const replays = {};
    for (const scheme of ['http', 'https']) {
      process.stdout.write(`replay over ${scheme}: ${size} notifications, worker BULK_CONCURRENCY=${bulkConcurrency} x batch ${BULK_BATCH_SIZE}...\n`);
      const started = performance.now();
      const job = await call('POST', '/v2/payin/notifications/resend', { merchant_id: merchants[scheme].id, start_time: WINDOW.start, end_time: WINDOW.end }, account.api_key);
      if (!job.job_id || job.total !== size) throw new Error(`replay: ${JSON.stringify(job)}`);
      let status;
      let nextLive = 0;
      for (;;) {
        status = await call('GET', `/v2/payin/notifications/resend/${job.job_id}`, undefined, account.api_key);
        if (status.state !== 'queued' && status.state !== 'running') break;
        if (scheme === 'http' && nextLive < LIVE_DURING_REPLAY && status.processed > 0) {
          const id = livePayouts.ids[nextLive++];
          await call('PATCH', `/admin/transactions/${id}`, { status_id: 3 });
          liveChangedAt.set(id, Date.now());
        }
        await sleep(100);
      }
      replays[scheme] = { state: status.state, succeeded: status.succeeded, rate: status.succeeded / ((performance.now() - started) / 1000) };
    }
    await sleep(1000);
    const liveReceipts = await new Promise((resolve) => {
      receivers.http.child.once('message', (m) => resolve(m.live));
      receivers.http.child.send('report');
    });
    const liveLatencies = liveReceipts.filter((r) => liveChangedAt.has(r.transactionId)).map((r) => r.at - liveChangedAt.get(r.transactionId)).sort((a, b) => a - b);

    const rss = peakRssMb(worker.pid);
    const result = {
      notifications: size,
      concurrency,
      worker_peak_rss_mb: Math.round(rss),
      live_during_http_replay: {
        sent: liveChangedAt.size,
        received: liveLatencies.length,
        p50_ms: liveLatencies[Math.floor(liveLatencies.length / 2)] ?? null,
        max_ms: liveLatencies[liveLatencies.length - 1] ?? null,
      },
    };
    for (const scheme of ['http', 'https']) {
      result[scheme] = {
        job_state: replays[scheme].state,
        succeeded: replays[scheme].succeeded,
        replay_per_second: Math.round(replays[scheme].rate),
        plain_undici_per_second: Math.round(baselines[scheme].undici),
        plain_got_per_second: Math.round(baselines[scheme].got),
        ratio_to_undici: Number((replays[scheme].rate / baselines[scheme].undici).toFixed(2)),
        ratio_to_got: Number((replays[scheme].rate / baselines[scheme].got).toFixed(2)),
      };
    }
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    stopping = true;
    worker?.kill('SIGTERM');
    if (worker) await new Promise((resolve) => worker.once('exit', resolve));
    for (const r of Object.values(receivers)) r.child.kill('SIGTERM');
    await api.close();
    await db.drop();
    await deleteRedisPrefix(prefix);
    rmSync(tls.dir, { recursive: true, force: true });
  }
}

await main();
