import type { LookupFunction } from 'node:net';
import type { Redis } from 'ioredis';
import type { AppConfig } from '@wr/config';
import {
  createDataSource,
  MerchantRepository,
  ResendJobRepository,
  TransactionRepository,
  WebhookLogRepository,
  type DataSource,
} from '@wr/db';
import { createWebhookHttpClient, WebhookDeliverer, type WebhookHttpClient } from '@wr/delivery';
import type { Logger } from '@wr/logger';
import { createBulkDeliveryQueue, createRedisConnection, ReplayLock, type BulkDeliveryQueue } from '@wr/queues';

/** What the worker's processors share, wired once per process. */
export interface WorkerContext {
  config: AppConfig;
  logger: Logger;
  db: DataSource;
  redis: Redis;
  httpClient: WebhookHttpClient;
  deliverer: WebhookDeliverer;
  bulkDeliveryQueue: BulkDeliveryQueue;
  replayLock: ReplayLock;
  repos: {
    transactions: TransactionRepository;
    merchants: MerchantRepository;
    webhookLogs: WebhookLogRepository;
    resendJobs: ResendJobRepository;
  };
  close(): Promise<void>;
}

/** Replaceable parts: a resolver for deliveries (tests point a public name at loopback with it). */
export interface WorkerContextOptions {
  lookup?: LookupFunction;
}

export async function createWorkerContext(config: AppConfig, logger: Logger, options: WorkerContextOptions = {}): Promise<WorkerContext> {
  const db = createDataSource({ databaseUrl: config.databaseUrl, poolSize: config.dbPoolSize, applicationName: 'wr-worker' });
  await db.initialize();
  const redis = createRedisConnection(config.redisUrl, 'worker');
  redis.on('error', (err) => logger.warn('redis connection error', { err: err.message }));
  const httpClient = createWebhookHttpClient({
    timeoutMs: config.webhookTimeoutMs,
    allowPrivateTargets: config.webhookAllowPrivateTargets,
    lookup: options.lookup,
  });
  const repos = {
    transactions: new TransactionRepository(db),
    merchants: new MerchantRepository(db),
    webhookLogs: new WebhookLogRepository(db),
    resendJobs: new ResendJobRepository(db),
  };
  const bulkDeliveryQueue = createBulkDeliveryQueue(redis, config.queuePrefix);
  bulkDeliveryQueue.on('error', (err) => logger.warn('bulk delivery queue error', { err: err.message }));
  return {
    config,
    logger,
    db,
    redis,
    httpClient,
    deliverer: new WebhookDeliverer({ http: httpClient, webhookLogs: repos.webhookLogs, logger }),
    bulkDeliveryQueue,
    replayLock: new ReplayLock(redis, config.queuePrefix),
    repos,
    async close() {
      await bulkDeliveryQueue.close().catch(() => undefined);
      redis.disconnect();
      httpClient.close();
      await db.destroy().catch(() => undefined);
    },
  };
}
