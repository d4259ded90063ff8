import type { LookupFunction } from 'node:net';
import type { Redis } from 'ioredis';
import type { AppConfig } from '@wr/config';
import {
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
import { OperatorNotifier, webhookHttpClientFromConfig, WebhookDeliverer, type WebhookHttpClient } from '@wr/delivery';
import type { Logger } from '@wr/logger';
import { createServiceMetrics, type ServiceMetrics } from '@wr/metrics';
import { EndpointEvents, EndpointRecovery, ReplayService } from '@wr/replays';
import {
  createBulkDeliveryQueue,
  createBulkFanoutQueue,
  createDeliveryQueue,
  createRedisConnection,
  createReplayScheduleQueue,
  FlowControl,
  ReplayLock,
  type BulkDeliveryQueue,
  type BulkFanoutQueue,
  type DeliveryQueue,
  type ReplayScheduleQueue,
} from '@wr/queues';
import { EndpointGate } from './endpoint-gate.js';

/** What the worker's processors share, wired once per process. */
export interface WorkerContext {
  config: AppConfig;
  logger: Logger;
  db: DataSource;
  redis: Redis;
  httpClient: WebhookHttpClient;
  deliverer: WebhookDeliverer;
  bulkDeliveryQueue: BulkDeliveryQueue;
  /** Live wake-ups (the next attempt, and the sweeper's re-drives) and fan-outs taken over. */
  deliveryQueue: DeliveryQueue;
  fanoutQueue: BulkFanoutQueue;
  scheduleQueue: ReplayScheduleQueue;
  replayLock: ReplayLock;
  /** Per-merchant caps, rates and Retry-After holds, shared by every worker through Redis. */
  flow: FlowControl;
  replays: ReplayService;
  /** The circuit breaker in front of every attempt (endpoint health). */
  endpoints: EndpointGate;
  /** Transitions told to the platform (log, metric, operator webhook). */
  endpointEvents: EndpointEvents;
  metrics: ServiceMetrics;
  /** Set when the process is shutting down: long jobs hand themselves back at their next step. */
  stopping: { value: boolean };
  repos: {
    transactions: TransactionRepository;
    merchants: MerchantRepository;
    webhookLogs: WebhookLogRepository;
    resendJobs: ResendJobRepository;
    deliveries: DeliveryRepository;
    schedules: ReplayScheduleRepository;
    endpointHealth: EndpointHealthRepository;
  };
  close(): Promise<void>;
}

/** Replaceable parts: a resolver for deliveries (tests point a public name at loopback with it). */
export interface WorkerContextOptions {
  lookup?: LookupFunction;
}

export async function createWorkerContext(config: AppConfig, logger: Logger, options: WorkerContextOptions = {}): Promise<WorkerContext> {
  const db = createDataSource({ databaseUrl: config.databaseUrl, poolSize: config.dbPoolSize, applicationName: 'wr-worker', queryTimeoutMs: 30_000 });
  await db.initialize();
  const redis = createRedisConnection(config.redisUrl, 'worker');
  redis.on('error', (err) => logger.warn('redis connection error', { err: err.message }));
  const httpClient = webhookHttpClientFromConfig(config, { lookup: options.lookup });
  const repos = {
    transactions: new TransactionRepository(db),
    merchants: new MerchantRepository(db, new SecretBox(config.secretsKey)),
    webhookLogs: new WebhookLogRepository(db),
    resendJobs: new ResendJobRepository(db),
    deliveries: new DeliveryRepository(db),
    schedules: new ReplayScheduleRepository(db),
    endpointHealth: new EndpointHealthRepository(db),
  };
  const bulkDeliveryQueue = createBulkDeliveryQueue(redis, config.queuePrefix);
  const deliveryQueue = createDeliveryQueue(redis, { prefix: config.queuePrefix });
  const fanoutQueue = createBulkFanoutQueue(redis, config.queuePrefix);
  const scheduleQueue = createReplayScheduleQueue(redis, config.queuePrefix);
  for (const queue of [bulkDeliveryQueue, deliveryQueue, fanoutQueue, scheduleQueue]) {
    queue.on('error', (err) => logger.warn('queue error', { queue: queue.name, err: err.message }));
  }
  const metrics = createServiceMetrics('worker');
  const replayLock = new ReplayLock(redis, config.queuePrefix);
  const endpointEvents = new EndpointEvents({
    health: repos.endpointHealth,
    logger,
    transitions: metrics.endpointTransitions,
    notifier: config.operatorWebhook ? new OperatorNotifier({ http: httpClient, ...config.operatorWebhook, logger }) : null,
  });
  const endpoints = new EndpointGate({
    health: repos.endpointHealth,
    recovery: new EndpointRecovery({ health: repos.endpointHealth, deliveryQueue, bulkDeliveryQueue, events: endpointEvents, logger }),
    events: endpointEvents,
    logger,
  });
  return {
    config,
    logger,
    db,
    redis,
    httpClient,
    deliverer: new WebhookDeliverer({ http: httpClient, webhookLogs: repos.webhookLogs, logger, metrics }),
    bulkDeliveryQueue,
    deliveryQueue,
    fanoutQueue,
    scheduleQueue,
    replayLock,
    flow: new FlowControl(redis, config.queuePrefix, { maxConcurrency: config.merchantMaxConcurrency }),
    endpoints,
    endpointEvents,
    replays: new ReplayService({ db, redis, transactions: repos.transactions, resendJobs: repos.resendJobs, fanoutQueue, lock: replayLock }),
    metrics,
    stopping: { value: false },
    repos,
    async close() {
      await Promise.all([bulkDeliveryQueue, deliveryQueue, fanoutQueue, scheduleQueue].map((q) => q.close().catch(() => undefined)));
      redis.disconnect();
      httpClient.close();
      await db.destroy().catch(() => undefined);
    },
  };
}
