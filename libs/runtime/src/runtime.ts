import type { RedisClient, RedisTarget } from '@wr/queues';
import type { LookupFunction } from 'node:net';
import type { AppConfig } from '@wr/config';
import { createDataSource, type DataSource, type DataSourceOptions } from '@wr/db';
import { OperatorNotifier, webhookHttpClientFromConfig, WebhookDeliverer, type WebhookHttpClient } from '@wr/delivery';
import type { Logger } from '@wr/logger';
import { createServiceMetrics, type ServiceMetrics } from '@wr/metrics';
import {
  createBulkDeliveryQueue,
  createBulkFanoutQueue,
  createDeliveryQueue,
  createRedisConnection,
  createReplayScheduleQueue,
  ReplayLock,
  waitForRedis,
  type BulkDeliveryQueue,
  type BulkFanoutQueue,
  type DeliveryQueue,
  type ReplayScheduleQueue,
} from '@wr/queues';
import { EndpointEvents, EndpointRecovery, ReplayService } from '@wr/replays';
import { createRepositories, type Repositories } from './repositories.js';

/** What the API and the worker both build, wired the same way in each process. */
export interface Runtime {
  db: DataSource;
  redis: RedisClient;
  metrics: ServiceMetrics;
  repos: Repositories;
  /** The outbound HTTP client every webhook (and operator notification) goes through. */
  httpClient: WebhookHttpClient;
  deliverer: WebhookDeliverer;
  deliveryQueue: DeliveryQueue;
  fanoutQueue: BulkFanoutQueue;
  bulkDeliveryQueue: BulkDeliveryQueue;
  scheduleQueue: ReplayScheduleQueue;
  replayLock: ReplayLock;
  replays: ReplayService;
  /** Endpoint transitions told to the platform (log, metric, operator webhook). */
  endpointEvents: EndpointEvents;
  endpointRecovery: EndpointRecovery;
  /** Queues, then Redis, the HTTP client and the data source. */
  close(): Promise<void>;
}

/** Where the two processes differ. */
export interface RuntimeOptions {
  /** The `service` label of every metric. */
  service: 'api' | 'worker';
  /** The pool size defaults to DB_POOL_SIZE. */
  database: Omit<DataSourceOptions, 'databaseUrl' | 'poolSize'> & { poolSize?: number };
  /**
   * 'producer' fails fast while Redis is away (so the API can answer 503) and is waited for here,
   * since it refuses commands until ready; 'worker' waits for Redis forever, as BullMQ requires.
   */
  redis: 'producer' | 'worker';
  /** Runs once PostgreSQL is up, before Redis is connected; a failure closes the data source. */
  onDatabaseReady?: (repos: Repositories) => Promise<void>;
  /** A resolver for deliveries (tests point a public name at loopback with it). */
  lookup?: LookupFunction;
}

export async function createRuntime(config: AppConfig, logger: Logger, options: RuntimeOptions): Promise<Runtime> {
  const db = createDataSource({
    ...options.database,
    databaseUrl: config.databaseUrl,
    poolSize: options.database.poolSize ?? config.dbPoolSize,
  });
  await db.initialize();
  const repos = createRepositories(db, config.secretsKey);
  let redis: RedisClient;
  try {
    // The audit trail can be written to from the first request: today's partition and the week
    // ahead exist before anything is served (a fleet stopped for more than a week needs this).
    const partitions = await repos.auditPartitions.ensureForStart();
    if (partitions.error) logger.warn('audit partitions not made ahead; today has one', { err: partitions.error.message });
    await options.onDatabaseReady?.(repos);
    redis = await connectRedis({ url: config.redisUrl, clusterNodes: config.redisClusterNodes }, options.redis, logger);
  } catch (err) {
    await db.destroy().catch(() => undefined);
    throw err;
  }

  const deliveryQueue = createDeliveryQueue(redis, { prefix: config.queuePrefix });
  const fanoutQueue = createBulkFanoutQueue(redis, config.queuePrefix);
  const bulkDeliveryQueue = createBulkDeliveryQueue(redis, config.queuePrefix);
  const scheduleQueue = createReplayScheduleQueue(redis, config.queuePrefix);
  const queues = [deliveryQueue, fanoutQueue, bulkDeliveryQueue, scheduleQueue];
  for (const queue of queues) {
    queue.on('error', (err) => logger.warn('queue error', { queue: queue.name, err: err.message }));
  }

  const metrics = createServiceMetrics(options.service);
  const httpClient = webhookHttpClientFromConfig(config, { lookup: options.lookup });
  const replayLock = new ReplayLock(redis, config.queuePrefix);
  const endpointEvents = new EndpointEvents({
    health: repos.endpointHealth,
    logger,
    transitions: metrics.endpointTransitions,
    notifier: config.operatorWebhook ? new OperatorNotifier({ http: httpClient, ...config.operatorWebhook, logger }) : null,
  });
  return {
    db,
    redis,
    metrics,
    repos,
    httpClient,
    deliverer: new WebhookDeliverer({ http: httpClient, webhookLogs: repos.webhookLogs, logger, metrics }),
    deliveryQueue,
    fanoutQueue,
    bulkDeliveryQueue,
    scheduleQueue,
    replayLock,
    replays: new ReplayService({ db, redis, transactions: repos.transactions, resendJobs: repos.resendJobs, fanoutQueue, lock: replayLock }),
    endpointEvents,
    endpointRecovery: new EndpointRecovery({ health: repos.endpointHealth, deliveryQueue, bulkDeliveryQueue, events: endpointEvents, logger }),
    async close() {
      await Promise.all(queues.map((q) => q.close().catch(() => undefined)));
      redis.disconnect();
      httpClient.close();
      await db.destroy().catch(() => undefined);
    },
  };
}

async function connectRedis(target: RedisTarget, role: RuntimeOptions['redis'], logger: Logger): Promise<RedisClient> {
  const redis = createRedisConnection(target, role);
  redis.on('error', (err) => logger.warn('redis connection error', { err: err.message }));
  if (role === 'producer') {
    await waitForRedis(redis).catch((err: unknown) => {
      redis.disconnect();
      throw err;
    });
  }
  return redis;
}
