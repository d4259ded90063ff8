import type { LookupFunction } from 'node:net';
import type { Redis } from 'ioredis';
import type { AppConfig } from '@wr/config';
import {
  AccountRepository,
  createDataSource,
  DeliveryRepository,
  EndpointHealthRepository,
  MerchantRepository,
  ReplayScheduleRepository,
  ResendJobRepository,
  SecretBox,
  TransactionRepository,
  WebhookLogRepository,
  type DataSource,
} from '@wr/db';
import { OperatorNotifier, targetRulesFromConfig, webhookHttpClientFromConfig, WebhookDeliverer, type WebhookHttpClient } from '@wr/delivery';
import type { Logger } from '@wr/logger';
import {
  createBulkDeliveryQueue,
  createBulkFanoutQueue,
  createDeliveryQueue,
  createReplayScheduleQueue,
  createRedisConnection,
  ReplayLock,
  waitForRedis,
  type BulkDeliveryQueue,
  type BulkFanoutQueue,
  type DeliveryQueue,
  type ReplayScheduleQueue,
} from '@wr/queues';
import { createServiceMetrics, type ServiceMetrics } from '@wr/metrics';
import { registerScrapeGauges } from './observability/scrape-gauges.js';
import { ReplaySchedulesService } from './replays/replay-schedules.service.js';
import { AccountsService } from './admin/accounts.service.js';
import { TransactionsService } from './admin/transactions.service.js';
import { InvoiceResendService } from './invoices/invoice-resend.service.js';
import { NotificationService } from './notifications/notification.service.js';
import { EndpointEvents, EndpointRecovery, ReplayService } from '@wr/replays';
import { EndpointHealthService } from './merchants/endpoint-health.service.js';
import { PayinBulkService } from './payin-bulk/payin-bulk.service.js';
import { ReplayRequestsService } from './replays/replay-requests.service.js';
import { WebhookLogsService } from './webhook-logs/webhook-logs.service.js';
import { ReadinessService } from './health/readiness.service.js';
import { SyncResendService } from './resend/sync-resend.service.js';
import { SimpayResendService } from './simpay/simpay-resend.service.js';
import { WebhookSecretService } from './merchants/webhook-secret.service.js';

/** Everything the API's routes need, wired once per process (or per test). */
export interface ApiContext {
  config: AppConfig;
  logger: Logger;
  db: DataSource;
  redis: Redis;
  deliveryQueue: DeliveryQueue;
  fanoutQueue: BulkFanoutQueue;
  bulkDeliveryQueue: BulkDeliveryQueue;
  scheduleQueue: ReplayScheduleQueue;
  metrics: ServiceMetrics;
  httpClient: WebhookHttpClient;
  repos: {
    accounts: AccountRepository;
    merchants: MerchantRepository;
    transactions: TransactionRepository;
    webhookLogs: WebhookLogRepository;
    resendJobs: ResendJobRepository;
  };
  services: {
    accounts: AccountsService;
    transactions: TransactionsService;
    syncResend: SyncResendService;
    replays: ReplayService;
    simpay: SimpayResendService;
    invoices: InvoiceResendService;
    schedules: ReplaySchedulesService;
    webhookSecrets: WebhookSecretService;
    endpoints: EndpointHealthService;
    payinBulk: PayinBulkService;
    replayRequests: ReplayRequestsService;
    webhookLogs: WebhookLogsService;
    readiness: ReadinessService;
  };
  close(): Promise<void>;
}

/** Replaceable parts: a resolver for deliveries (tests point a public name at loopback with it). */
export interface ApiContextOptions {
  lookup?: LookupFunction;
}

export async function createApiContext(config: AppConfig, logger: Logger, options: ApiContextOptions = {}): Promise<ApiContext> {
  // Every API query is short (batch inserts go in chunks): with these bounds an unreachable or
  // silent PostgreSQL costs a request well under the 2 s in which it must answer 503.
  const db = createDataSource({
    databaseUrl: config.databaseUrl,
    poolSize: config.dbPoolSize,
    applicationName: 'wr-api',
    queryTimeoutMs: 1200,
    connectTimeoutMs: 1000,
  });
  await db.initialize();
  const merchants = new MerchantRepository(db, new SecretBox(config.secretsKey));
  // Secrets stored in clear (before encryption at rest) are sealed here rather than in a migration:
  // migrating needs only DATABASE_URL and must not hold SECRETS_KEY, and the API, which writes
  // merchants, starts after migrations. Until then readers take clear rows as they are.
  const sealed = await merchants.sealLegacySecrets().catch(async (err: unknown) => {
    await db.destroy().catch(() => undefined);
    throw err;
  });
  if (sealed > 0) logger.info('webhook secrets stored in clear were encrypted', { merchants: sealed });
  const redis = createRedisConnection(config.redisUrl, 'producer');
  redis.on('error', (err) => logger.warn('redis connection error', { err: err.message }));
  await waitForRedis(redis);
  const deliveryQueue = createDeliveryQueue(redis, { prefix: config.queuePrefix });
  deliveryQueue.on('error', (err) => logger.warn('delivery queue error', { err: err.message }));
  const fanoutQueue = createBulkFanoutQueue(redis, config.queuePrefix);
  // The API only reads these two (Bull Board, metrics) and adds schedulers.
  const bulkDeliveryQueue = createBulkDeliveryQueue(redis, config.queuePrefix);
  const scheduleQueue = createReplayScheduleQueue(redis, config.queuePrefix);
  for (const queue of [fanoutQueue, bulkDeliveryQueue, scheduleQueue]) {
    queue.on('error', (err) => logger.warn('queue error', { queue: queue.name, err: err.message }));
  }
  const metrics = createServiceMetrics('api');
  const resendJobs = new ResendJobRepository(db);
  registerScrapeGauges(metrics, { queues: [deliveryQueue, fanoutQueue, bulkDeliveryQueue, scheduleQueue], resendJobs });
  const repos = {
    accounts: new AccountRepository(db),
    merchants,
    transactions: new TransactionRepository(db),
    webhookLogs: new WebhookLogRepository(db),
    resendJobs,
  };
  const httpClient = webhookHttpClientFromConfig(config, { lookup: options.lookup });
  const deliverer = new WebhookDeliverer({ http: httpClient, webhookLogs: repos.webhookLogs, logger, metrics });
  const deliveries = new DeliveryRepository(db);
  const notifications = new NotificationService({ queue: deliveryQueue, deliveries, logger });
  const replays = new ReplayService({
    db,
    redis,
    transactions: repos.transactions,
    resendJobs: repos.resendJobs,
    fanoutQueue,
    lock: new ReplayLock(redis, config.queuePrefix),
  });
  const endpointHealth = new EndpointHealthRepository(db);
  const recovery = new EndpointRecovery({
    health: endpointHealth,
    deliveryQueue,
    bulkDeliveryQueue,
    events: new EndpointEvents({
      health: endpointHealth,
      logger,
      transitions: metrics.endpointTransitions,
      notifier: config.operatorWebhook ? new OperatorNotifier({ http: httpClient, ...config.operatorWebhook, logger }) : null,
    }),
    logger,
  });
  const services = {
    accounts: new AccountsService({
      db,
      accounts: repos.accounts,
      merchants: repos.merchants,
      targets: targetRulesFromConfig(config),
      recovery,
    }),
    transactions: new TransactionsService({ db, merchants: repos.merchants, transactions: repos.transactions, notifications }),
    syncResend: new SyncResendService({
      transactions: repos.transactions,
      merchants: repos.merchants,
      deliverer,
      targets: targetRulesFromConfig(config),
    }),
    replays,
    simpay: new SimpayResendService({ merchants: repos.merchants, transactions: repos.transactions, resendJobs: repos.resendJobs, replays }),
    invoices: new InvoiceResendService({
      transactions: repos.transactions,
      merchants: repos.merchants,
      deliveries,
      queue: deliveryQueue,
      redis,
      // The first attempt's own timeout, plus the worker's pick-up and bookkeeping.
      waitMs: config.webhookTimeoutMs + 2000,
    }),
    schedules: new ReplaySchedulesService({
      queue: scheduleQueue,
      merchants: repos.merchants,
      schedules: new ReplayScheduleRepository(db),
      redis,
    }),
    webhookSecrets: new WebhookSecretService({ merchants }),
    endpoints: new EndpointHealthService({ merchants, health: endpointHealth, recovery }),
    payinBulk: new PayinBulkService({ merchants, replays }),
    replayRequests: new ReplayRequestsService({ merchants, resendJobs: repos.resendJobs, replays }),
    webhookLogs: new WebhookLogsService({ webhookLogs: repos.webhookLogs }),
    readiness: new ReadinessService({ db, redis }),
  };

  return {
    config,
    logger,
    db,
    redis,
    deliveryQueue,
    fanoutQueue,
    bulkDeliveryQueue,
    scheduleQueue,
    metrics,
    httpClient,
    repos,
    services,
    async close() {
      await Promise.all([fanoutQueue, bulkDeliveryQueue, scheduleQueue].map((q) => q.close().catch(() => undefined)));
      await deliveryQueue.close().catch(() => undefined);
      redis.disconnect();
      httpClient.close();
      await db.destroy().catch(() => undefined);
    },
  };
}
