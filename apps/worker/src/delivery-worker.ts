import { Worker } from 'bullmq';
import type { AppConfig } from '@wr/config';
import { createDataSource, MerchantRepository, TransactionRepository, WebhookLogRepository } from '@wr/db';
import { createWebhookHttpClient, WebhookDeliverer } from '@wr/delivery';
import { runWithLogContext, type Logger } from '@wr/logger';
import { createRedisConnection, QUEUE_NAMES, type DeliveryJobData } from '@wr/queues';
import { createDeliveryProcessor, type DeliveryResult } from './delivery.processor.js';

export interface RunningWorker {
  worker: Worker<DeliveryJobData, DeliveryResult>;
  /** Stops taking jobs, lets in-flight deliveries finish, then closes every connection. */
  close(): Promise<void>;
}

export async function startDeliveryWorker(config: AppConfig, logger: Logger): Promise<RunningWorker> {
  const db = createDataSource({ databaseUrl: config.databaseUrl, poolSize: config.dbPoolSize, applicationName: 'wr-worker' });
  await db.initialize();
  const connection = createRedisConnection(config.redisUrl, 'worker');
  connection.on('error', (err) => logger.warn('redis connection error', { err: err.message }));
  const httpClient = createWebhookHttpClient({ timeoutMs: config.webhookTimeoutMs });
  const webhookLogs = new WebhookLogRepository(db);
  const process = createDeliveryProcessor({
    transactions: new TransactionRepository(db),
    merchants: new MerchantRepository(db),
    deliverer: new WebhookDeliverer({ http: httpClient, webhookLogs, logger }),
    logger,
  });

  const worker = new Worker<DeliveryJobData, DeliveryResult>(
    QUEUE_NAMES.delivery,
    (job) => runWithLogContext({ queue: QUEUE_NAMES.delivery, jobId: job.id, attempt: job.attemptsMade + 1 }, () => process(job)),
    { connection, prefix: config.queuePrefix, concurrency: config.workerConcurrency },
  );
  worker.on('error', (err) => logger.error('worker error', { err: err.message }));
  worker.on('failed', (job, err) => {
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) {
      logger.warn('delivery gave up after its last attempt', { jobId: job.id, queue: QUEUE_NAMES.delivery, attempts: job.attemptsMade, err: err.message });
    }
  });

  return {
    worker,
    async close() {
      await worker.close();
      connection.disconnect();
      httpClient.close();
      await db.destroy().catch(() => undefined);
    },
  };
}
