// `npm run dev`: the API and a worker in one process, private targets allowed, readable logs, a
// loopback demo receiver that prints each webhook it gets (signature verified), and demo data;
// then the URLs (a delivery console link for the demo merchant among them) and three curl lines
// that work as pasted. Local development only.
import http from 'node:http';
import { Webhook } from 'standardwebhooks';
import { loadConfig } from '@wr/config';
import { createDataSource, ensureDatabase, runMigrations } from '@wr/db';
import { createLogger } from '@wr/logger';
import { startApiServer } from '../apps/api/dist/server.js';
import { startWorkers } from '../apps/worker/dist/workers.js';

try {
  process.loadEnvFile();
} catch {
  // No .env: the defaults below and the environment are the configuration.
}
const env = {
  ADMIN_TOKEN: 'dev-admin-token-change-me',
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  LOG_FORMAT: 'pretty',
  // A second's backoff instead of 30 s: a failed demo webhook is retried while you watch.
  RETRY_BASE_DELAY_MS: '1000',
  ...process.env,
};
const config = loadConfig(env);
const logger = createLogger({ service: 'dev', level: config.logLevel, format: config.logFormat });
const receiverPort = Number(env.DEV_RECEIVER_PORT ?? 4400);
const say = (line = '') => process.stdout.write(`${line}\n`);

// ---- the demo receiver: verifies each webhook with its merchant's secret and prints it ----
const secrets = new Map();
const receiver = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const merchantId = Number(new URL(req.url ?? '/', 'http://x').pathname.split('/').pop());
    let verified = false;
    try {
      new Webhook(secrets.get(merchantId) ?? 'whsec_AAAA').verify(body, req.headers);
      verified = true;
    } catch {
      verified = false;
    }
    let event = {};
    try {
      event = JSON.parse(body);
    } catch {
      // not JSON: printed as is below
    }
    say(
      `  \u2190 webhook to merchant ${merchantId}: transaction ${event.transactionId} ${event.status} (sequence ${event.sequence}) ` +
        `${req.headers['webhook-id']} signature ${verified ? 'verified' : 'NOT VERIFIED'}`,
    );
    res.writeHead(verified ? 200 : 401, { 'content-type': 'application/json' }).end('{}');
  });
});
await new Promise((resolve) => receiver.listen(receiverPort, '127.0.0.1', resolve));
const receiverUrl = `http://127.0.0.1:${receiver.address().port}/merchants`;

// ---- database, API, worker ----
await ensureDatabase(config.databaseUrl);
const migrator = createDataSource({ databaseUrl: config.databaseUrl, poolSize: 2, applicationName: 'wr-dev-migrate' });
await migrator.initialize();
await runMigrations(migrator);
await migrator.destroy();
const api = await startApiServer(config, createLogger({ service: 'api', level: config.logLevel, format: config.logFormat }));
const worker = await startWorkers(config, createLogger({ service: 'worker', level: config.logLevel, format: config.logFormat }));
const base = api.url.replace('127.0.0.1', 'localhost');

// ---- demo data, through the admin API as the platform's core would ----
async function admin(method, path, body) {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${config.adminToken}`, 'content-type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  const answer = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(answer)}`);
  return answer;
}
const stamp = Date.now().toString(36);
const account = await admin('POST', '/admin/accounts', { name: `Demo ${stamp}` });
const merchants = [];
for (const [i, name] of ['Loja Centro', 'Loja Norte'].entries()) {
  const created = await admin('POST', '/admin/merchants', {
    account_id: account.id,
    name,
    branch_identifier: '0001',
    account_number: `${stamp}${i}`,
    webhook_url: null,
  });
  secrets.set(created.id, created.webhook_secret);
  merchants.push(await admin('PATCH', `/admin/merchants/${created.id}`, { webhook_url: `${receiverUrl}/${created.id}` }));
}
// Payins and payouts over the last six hours, without webhooks (history to replay), then one
// status change per merchant that goes out now.
const now = Date.now();
const seeded = [];
for (const merchant of merchants) {
  const { ids } = await admin('POST', '/admin/transactions/batch', {
    notify: false,
    transactions: Array.from({ length: 24 }, (_, k) => ({
      merchant_id: merchant.id,
      kind: k % 3 === 0 ? 'CASHOUT' : 'CASHIN',
      status_id: k % 3 === 0 ? 8 : 3,
      amount: 1000 + k * 250,
      external_id: `order-${stamp}-${merchant.id}-${k}`,
      status_changed_at: new Date(now - (k + 1) * 15 * 60 * 1000).toISOString(),
    })),
  });
  seeded.push({ merchant, ids });
}
await admin('PATCH', `/admin/transactions/${seeded[0].ids[0]}`, { status_id: 4 });

const first = seeded[0];
// A console link for the demo merchant, minted as a platform would (one-time, PORTAL_SESSION_TTL_SECONDS).
const portal = await fetch(`${api.url}/v1/portal-sessions`, {
  method: 'POST',
  headers: { authorization: `Bearer ${account.api_key}`, 'content-type': 'application/json' },
  body: JSON.stringify({ merchant_id: first.merchant.id }),
}).then((res) => res.json());
const from = new Date(now - 3 * 3600 * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const to = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
const auth = `-H 'authorization: Bearer ${account.api_key}'`;
say();
say('webhook-resend is running (Ctrl-C stops it)');
say(`  API            ${base}`);
say(`  API docs       ${base}/docs`);
say(`  queues         ${base}/admin/queues  (admin token: ${config.adminToken})`);
say(`  console        ${portal.url}`);
say(`                 (merchant ${first.merchant.id}'s view; the link works once, until ${portal.expires_at}; operators: ${base}/console/admin)`);
say(`  demo receiver  ${receiverUrl}/<merchant id>  (prints every webhook below, signature checked)`);
say(`  account ${account.id}, API key ${account.api_key}; merchants ${merchants.map((m) => m.id).join(', ')}`);
say();
say('Try:');
say(`curl -s -XPOST ${base}/api/resend-webhook/${first.ids[1]} ${auth}`);
say(`curl -s -XPOST ${base}/v1/replays ${auth} -H 'content-type: application/json' -d '{"merchant_id":${first.merchant.id},"from":"${from}","to":"${to}"}'`);
say(`curl -s '${base}/v1/webhook-logs?merchant_id=${first.merchant.id}&limit=5' ${auth}`);
say();

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await worker.close().catch(() => undefined);
  await api.close().catch(() => undefined);
  receiver.closeAllConnections();
  receiver.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
logger.info('demo ready', { account: account.id, merchants: merchants.map((m) => m.id) });
