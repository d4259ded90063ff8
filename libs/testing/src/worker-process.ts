import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AppConfig } from '@wr/config';

const WORKER_MAIN = fileURLToPath(new URL('../../../apps/worker/dist/main.js', import.meta.url));
/** The heap bounds production runs the worker with (apps/worker/node-flags.json says why). */
export const WORKER_NODE_FLAGS: string[] = JSON.parse(readFileSync(new URL('../../../apps/worker/node-flags.json', import.meta.url), 'utf8')).flags;

/** The environment that makes a separate process see the same config as an in-process one. */
export function envFor(config: AppConfig, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    NODE_ENV: config.nodeEnv,
    DATABASE_URL: config.databaseUrl,
    REDIS_URL: config.redisUrl,
    REDIS_CLUSTER_NODES: config.redisClusterNodes?.join(',') ?? '',
    QUEUE_PREFIX: config.queuePrefix,
    ADMIN_TOKEN: config.adminToken,
    SECRETS_KEY: config.secretsKey,
    WEBHOOK_TIMEOUT_MS: String(config.webhookTimeoutMs),
    WEBHOOK_ALLOW_PRIVATE_TARGETS: String(config.webhookAllowPrivateTargets),
    WEBHOOK_ALLOWED_TARGETS: config.webhookAllowedTargets.join(','),
    WEBHOOK_EXTRA_CA_FILE: config.webhookExtraCaFile ?? '',
    RETRY_BASE_DELAY_MS: String(config.retryBaseDelayMs),
    WORKER_CONCURRENCY: String(config.workerConcurrency),
    MERCHANT_MAX_CONCURRENCY: String(config.merchantMaxConcurrency),
    BULK_CONCURRENCY: String(config.bulkConcurrency),
    JOB_LOCK_MS: String(config.jobLockMs),
    RECONCILE_INTERVAL_MS: String(config.reconcileIntervalMs),
    REDRIVE_AFTER_MS: String(config.redriveAfterMs),
    WORKER_METRICS_PORT: String(config.workerMetricsPort),
    DB_POOL_SIZE: String(config.dbPoolSize),
    API_DB_TIMEOUT_MS: String(config.apiDbTimeoutMs),
    AUDIT_RETENTION_DAYS: String(config.auditRetentionDays),
    ENDPOINT_DISABLE_AFTER_HOURS: String(config.endpointDisableAfterHours),
    OPERATOR_WEBHOOK_URL: config.operatorWebhook?.url ?? '',
    OPERATOR_WEBHOOK_SECRET: config.operatorWebhook?.secret ?? '',
    LOG_LEVEL: config.logLevel,
    ...overrides,
  };
}

/**
 * The real worker entry point (built by `npm run build`) in a child process, so a test can kill
 * it as an operator's orchestrator would.
 */
export function spawnWorkerProcess(config: AppConfig, overrides: Record<string, string> = {}, nodeArgs: string[] = []): ChildProcess {
  return spawn(process.execPath, [...WORKER_NODE_FLAGS, ...nodeArgs, WORKER_MAIN], { env: envFor(config, overrides), stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves when the process has exited, with its exit code and signal. */
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}
