import { configSchema, type AppConfig } from './config.schema.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates the environment once, reporting every problem, and returns a frozen typed config. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  // Empty strings mean "unset", as in most .env files.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const { value, error } = configSchema.validate(present, { abortEarly: false, convert: true });
  if (error) {
    // Messages name the variable, never echo its value (it may be a secret).
    throw new ConfigError(error.details.map((d) => `${String(d.path[0])}: ${d.message.replace(/^"[^"]+" /, '')}`));
  }
  return Object.freeze({
    nodeEnv: value.NODE_ENV,
    databaseUrl: value.DATABASE_URL,
    redisUrl: value.REDIS_URL,
    redisClusterNodes: value.REDIS_CLUSTER_NODES ? Object.freeze((value.REDIS_CLUSTER_NODES as string).split(',').map((n) => n.trim())) : null,
    queuePrefix: value.QUEUE_PREFIX,
    port: value.PORT,
    adminToken: value.ADMIN_TOKEN,
    secretsKey: value.SECRETS_KEY,
    webhookTimeoutMs: value.WEBHOOK_TIMEOUT_MS,
    webhookAllowPrivateTargets: value.WEBHOOK_ALLOW_PRIVATE_TARGETS,
    webhookAllowedTargets: Object.freeze(
      value.WEBHOOK_ALLOWED_TARGETS ? (value.WEBHOOK_ALLOWED_TARGETS as string).split(',').map((t) => t.trim()) : [],
    ),
    webhookExtraCaFile: value.WEBHOOK_EXTRA_CA_FILE ?? null,
    resendRateLimitPerMinute: value.RESEND_RATE_LIMIT_PER_MINUTE,
    retryBaseDelayMs: value.RETRY_BASE_DELAY_MS,
    workerConcurrency: value.WORKER_CONCURRENCY,
    merchantMaxConcurrency: value.MERCHANT_MAX_CONCURRENCY,
    bulkConcurrency: value.BULK_CONCURRENCY,
    jobLockMs: value.JOB_LOCK_MS,
    reconcileIntervalMs: value.RECONCILE_INTERVAL_MS,
    redriveAfterMs: value.REDRIVE_AFTER_MS,
    endpointDisableAfterHours: value.ENDPOINT_DISABLE_AFTER_HOURS,
    operatorWebhook: value.OPERATOR_WEBHOOK_URL ? Object.freeze({ url: value.OPERATOR_WEBHOOK_URL, secret: value.OPERATOR_WEBHOOK_SECRET }) : null,
    auditRetentionDays: value.AUDIT_RETENTION_DAYS,
    workerMetricsPort: value.WORKER_METRICS_PORT,
    dbPoolSize: value.DB_POOL_SIZE,
    apiDbTimeoutMs: value.API_DB_TIMEOUT_MS,
    shutdownTimeoutMs: value.SHUTDOWN_TIMEOUT_MS,
    portalSessionTtlSeconds: value.PORTAL_SESSION_TTL_SECONDS,
    consolePublicUrl: value.CONSOLE_PUBLIC_URL ? new URL(value.CONSOLE_PUBLIC_URL as string).origin : null,
    logLevel: value.LOG_LEVEL,
    logFormat: value.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json'),
  });
}

/** For entry points: loads `.env` if there is one, validates, and exits naming every bad variable. */
export function loadConfigOrExit(): AppConfig {
  try {
    process.loadEnvFile();
  } catch {
    // No .env file: the environment alone is the configuration.
  }
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

/** Only what `npm run migrate` needs, so migrating does not require the API's secrets. */
export function loadDatabaseUrlOrExit(): string {
  try {
    process.loadEnvFile();
  } catch {
    // No .env file.
  }
  const { value, error } = configSchema.extract('DATABASE_URL').validate(process.env.DATABASE_URL || undefined);
  if (error) {
    process.stderr.write(`Invalid configuration:\n  - DATABASE_URL: ${error.message.replace(/^"[^"]+" /, '')}\n`);
    process.exit(1);
  }
  return value as string;
}
