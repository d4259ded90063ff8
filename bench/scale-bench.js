// npm run bench:scale [-- --size 20000] [-- --workers 1,2,4]
//
// Horizontal scale on this machine: the same replay (a fresh merchant's N-notification window)
// with 1, 2 and 4 worker processes, requested and followed through 2 API processes used in turn
// by the client (no load balancer), against a loopback receiver in its own process. For each run:
// deliveries per second, and the CPU each part used while it ran (worker processes, API
// processes, PostgreSQL, Redis, the receiver), in cores: what saturates is what nears the
// machine's core count.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { seedWindow, startReceiver } from './bench-kit.js';
import { createTestDatabase, deleteRedisPrefix, envFor, freePort, spawnWorkerProcess, testConfig, TEST_ADMIN_TOKEN, uniqueQueuePrefix } from '@wr/testing';

const size = Number(argValue('--size') ?? 20_000);
const workerCounts = (argValue('--workers') ?? '1,2,4').split(',').map(Number);
const API_MAIN = fileURLToPath(new URL('../apps/api/dist/main.js', import.meta.url));
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function argValue(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** CPU ticks (user + system) a process has used so far; 0 once it is gone. */
function ticksOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** Pids whose command line contains `needle` (PostgreSQL backends, redis-server). */
function pidsMatching(needle) {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle);
      } catch {
        return false;
      }
    })
    .map(Number);
}

function ticksOfAll(pids) {
  return pids.reduce((sum, pid) => sum + ticksOf(pid), 0);
}

async function startApi(config) {
  const port = await freePort();
  const child = spawn(process.execPath, [API_MAIN], { env: { ...envFor(config, { LOG_LEVEL: 'error' }), PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const ready = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ready) return { child, url };
    await sleep(100);
  }
  throw new Error('API did not start');
}

async function main() {
  const { child: receiver, port: receiverPort } = await startReceiver();
  const db = await createTestDatabase();
  const prefix = uniqueQueuePrefix();
  const config = testConfig(db.url, prefix, {
    LOG_LEVEL: 'error',
    BULK_CONCURRENCY: '4',
    DB_POOL_SIZE: '10',
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false',
    WEBHOOK_ALLOWED_TARGETS: `127.0.0.1:${receiverPort}`,
  });
  const apis = [await startApi(config), await startApi(config)];
  let turn = 0;
  // The client's own round robin over the two API processes.
  const call = (method, path, body, token = TEST_ADMIN_TOKEN) =>
    fetch(`${apis[turn++ % apis.length].url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body && JSON.stringify(body),
    }).then((r) => r.json());
  const results = [];
  try {
    const account = await call('POST', '/admin/accounts', { name: 'scale bench' });
    for (const [run, workers] of workerCounts.entries()) {
      // A merchant of its own per run, capped above what 4 workers can have in flight.
      const merchant = await call('POST', '/admin/merchants', {
        account_id: account.id,
        name: `scale ${workers}`,
        webhook_url: `http://127.0.0.1:${receiverPort}`,
        max_concurrency: 1000,
      });
      const start = Date.parse('2026-03-24T08:00:00Z') + run * 4 * 3600 * 1000;
      await seedWindow(call, merchant.id, { startMs: start, spanMs: 3 * 3600 * 1000 - 2000, size });
      const procs = Array.from({ length: workers }, () => spawnWorkerProcess(config, { LOG_LEVEL: 'error' }));
      await sleep(2000);
      const groups = {
        workers: procs.map((p) => p.pid),
        api: apis.map((a) => a.child.pid),
        postgres: pidsMatching('postgres'),
        redis: pidsMatching('redis-server'),
        receiver: [receiver.pid],
      };
      const before = Object.fromEntries(Object.entries(groups).map(([k, pids]) => [k, ticksOfAll(pids)]));
      const started = performance.now();
      const iso = (ms) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
      const job = await call('POST', '/v2/payin/notifications/resend', { merchant_id: merchant.id, start_time: iso(start), end_time: iso(start + 3 * 3600 * 1000 - 1000) }, account.api_key);
      if (!job.job_id) throw new Error(`replay: ${JSON.stringify(job)}`);
      let status;
      do {
        await sleep(200);
        status = await call('GET', `/v2/payin/notifications/resend/${job.job_id}`, undefined, account.api_key);
      } while (status.state === 'queued' || status.state === 'running');
      const seconds = (performance.now() - started) / 1000;
      // PostgreSQL starts a backend per new pooled connection: those born during the run count in full.
      const after = { ...groups, postgres: pidsMatching('postgres'), redis: pidsMatching('redis-server') };
      const cores = Object.fromEntries(
        Object.entries(after).map(([k, pids]) => [k, Number(((ticksOfAll(pids) - before[k]) / TICKS_PER_SECOND / seconds).toFixed(2))]),
      );
      for (const p of procs) p.kill('SIGTERM');
      await Promise.all(procs.map((p) => new Promise((resolve) => (p.exitCode !== null ? resolve() : p.once('exit', resolve)))));
      results.push({ workers, state: status.state, delivered: status.succeeded, per_second: Math.round(status.succeeded / seconds), cpu_cores: cores });
      process.stdout.write(`${JSON.stringify(results[results.length - 1])}\n`);
    }
    process.stdout.write(`${JSON.stringify({ machine: { cores: cpus().length, cpu: cpus()[0]?.model }, notifications: size, api_processes: 2, runs: results }, null, 2)}\n`);
  } finally {
    for (const api of apis) api.child.kill('SIGTERM');
    receiver.kill('SIGTERM');
    await sleep(500);
    await db.drop();
    await deleteRedisPrefix(prefix);
  }
}

await main();
