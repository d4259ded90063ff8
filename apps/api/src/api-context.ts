import type { Redis } from 'ioredis';
import type { AppConfig } from '@wr/config';
import {
  AccountRepository,
  createDataSource,
  MerchantRepository,
  TransactionRepository,
  WebhookLogRepository,
  type DataSource,
} from '@wr/db';
import { createWebhookHttpClient, WebhookDeliverer, type WebhookHttpClient } from '@wr/delivery';
import type { Logger } from '@wr/logger';
import { createDeliveryQueue, createRedisConnection, waitForRedis, type DeliveryQueue } from '@wr/queues';
import { AccountsService } from './admin/accounts.service.js';
import { TransactionsService } from './admin/transactions.service.js';
import { NotificationService } from './notifications/notification.service.js';
import { SyncResendService } from './resend/sync-resend.service.js';

/** Everything the API's routes need, wired once per process (or per test). */
export interface ApiContext {
  config: AppConfig;
  logger: Logger;
  db: DataSource;
  redis: Redis;
  deliveryQueue: DeliveryQueue;
  httpClient: WebhookHttpClient;
  repos: {
    accounts: AccountRepository;
    merchants: MerchantRepository;
    transactions: TransactionRepository;
    webhookLogs: WebhookLogRepository;
  };
  services: {
    accounts: AccountsService;
    transactions: TransactionsService;
    syncResend: SyncResendService;
  };
  close(): Promise<void>;
}

export async function createApiContext(config: AppConfig, logger: Logger): Promise<ApiContext> {
  const db = createDataSource({ databaseUrl: config.databaseUrl, poolSize: config.dbPoolSize, applicationName: 'wr-api' });
  await db.initialize();
  const redis = createRedisConnection(config.redisUrl, 'producer');
  redis.on('error', (err) => logger.warn('redis connection error', { err: err.message }));
  await waitForRedis(redis);
  const deliveryQueue = createDeliveryQueue(redis, { prefix: config.queuePrefix, retryBaseDelayMs: config.retryBaseDelayMs });
  deliveryQueue.on('error', (err) => logger.warn('delivery queue error', { err: err.message }));

  const repos = {
    accounts: new AccountRepository(db),
    merchants: new MerchantRepository(db),
    transactions: new TransactionRepository(db),
    webhookLogs: new WebhookLogRepository(db),
  };
  const httpClient = createWebhookHttpClient({ timeoutMs: config.webhookTimeoutMs });
  const deliverer = new WebhookDeliverer({ http: httpClient, webhookLogs: repos.webhookLogs, logger });
  const notifications = new NotificationService({ queue: deliveryQueue, redis });
  const services = {
    accounts: new AccountsService({ db, accounts: repos.accounts, merchants: repos.merchants }),
    transactions: new TransactionsService({ db, merchants: repos.merchants, transactions: repos.transactions, notifications }),
    syncResend: new SyncResendService({ transactions: repos.transactions, merchants: repos.merchants, deliverer }),
  };

  return {
    config,
    logger,
    db,
    redis,
    deliveryQueue,
    httpClient,
    repos,
    services,
    async close() {
      await deliveryQueue.close().catch(() => undefined);
      redis.disconnect();
      httpClient.close();
      await db.destroy().catch(() => undefined);
    },
  };
}
