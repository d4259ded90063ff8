import Joi from 'joi';

/**
 * Used for SECRETS_KEY only outside production, so a fresh clone, `npm start` and the tests run
 * without setting it. It is public (it is in this file): anything sealed with it is not secret.
 */
export const DEVELOPMENT_SECRETS_KEY = 'development-only-secrets-key-never-use-in-production';

/** Environment variables every deployment relies on (SPEC 8). Secrets have no default. */
export const configSchema = Joi.object({
  NODE_ENV: Joi.string().valid('development', 'production', 'test').default('development'),
  DATABASE_URL: Joi.string()
    .uri({ scheme: ['postgres', 'postgresql'] })
    .default('postgres://postgres@127.0.0.1:5432/webhook_resend'),
  REDIS_URL: Joi.string().uri({ scheme: ['redis', 'rediss'] }).default('redis://127.0.0.1:6379'),
  // Redis Cluster instead of REDIS_URL: comma-separated `host:port` seed nodes. Queue keys are
  // hash-tagged ({QUEUE_PREFIX}), so each queue's keys share a slot, as BullMQ requires.
  REDIS_CLUSTER_NODES: Joi.string()
    .pattern(/^\s*[^\s,:]+:\d{1,5}\s*(,\s*[^\s,:]+:\d{1,5}\s*)*$/)
    .messages({ 'string.pattern.base': 'must be a comma-separated list of host:port' }),
  // BullMQ key prefix; also prefixes the rate-limit keys. Lets several deployments (or test runs)
  // share one Redis without seeing each other's queues.
  QUEUE_PREFIX: Joi.string().pattern(/^[A-Za-z0-9_-]{1,40}$/).default('wr'),
  PORT: Joi.number().integer().min(0).max(65535).default(3000),
  ADMIN_TOKEN: Joi.string().min(16).max(512).required(),
  // Encrypts webhook secrets at rest (SPEC 8). Any string of 32+ characters: the AES key is derived
  // from it (HKDF), so a passphrase works as well as random bytes. Required in production.
  SECRETS_KEY: Joi.string()
    .min(32)
    .max(512)
    .when('NODE_ENV', { is: 'production', then: Joi.required(), otherwise: Joi.optional().default(DEVELOPMENT_SECRETS_KEY) }),
  WEBHOOK_TIMEOUT_MS: Joi.number().integer().min(100).max(120000).default(10000),
  WEBHOOK_ALLOW_PRIVATE_TARGETS: Joi.boolean().truthy('1').falsy('0').default(false),
  // Exact addresses webhooks may reach even when private targets are refused, comma-separated
  // `ip:port` (`[ipv6]:port`): an internal receiver, or a test's loopback receiver.
  WEBHOOK_ALLOWED_TARGETS: Joi.string()
    .pattern(/^\s*(\[[0-9a-fA-F:.]+\]|\d{1,3}(\.\d{1,3}){3}):\d{1,5}\s*(,\s*(\[[0-9a-fA-F:.]+\]|\d{1,3}(\.\d{1,3}){3}):\d{1,5}\s*)*$/)
    .messages({ 'string.pattern.base': 'must be a comma-separated list of ip:port (IPv6 as [ip]:port)' }),
  // A PEM file of extra CA certificates webhooks may trust (tests and the bench use a self-signed
  // receiver); the system's CAs are always trusted.
  WEBHOOK_EXTRA_CA_FILE: Joi.string(),
  RESEND_RATE_LIMIT_PER_MINUTE: Joi.number().integer().min(1).max(100000).default(60),
  // First retry after ~30 s, then ~60 s, ~120 s (exponential, with jitter): a merchant that is
  // down for a deploy gets its event within a few minutes without being hammered.
  RETRY_BASE_DELAY_MS: Joi.number().integer().min(1).max(3600000).default(30000),
  // Deliveries in flight to one merchant at once, across all workers, unless the merchant has its
  // own max_concurrency: a merchant back from an outage gets a steady stream, not a flood.
  MERCHANT_MAX_CONCURRENCY: Joi.number().integer().min(1).max(10000).default(20),
  // Deliveries are I/O bound (waiting on merchants' servers), so one worker runs many at once.
  WORKER_CONCURRENCY: Joi.number().integer().min(1).max(1000).default(50),
  // Bulk batch jobs one worker runs at once; each sends its batch (50 webhooks) concurrently.
  BULK_CONCURRENCY: Joi.number().integer().min(1).max(100).default(4),
  // How long a worker's claim on a job lasts without renewal: after a crash, its jobs are handed to
  // another worker once this passes (BullMQ lockDuration; stalled checks run at the same pace).
  JOB_LOCK_MS: Joi.number().integer().min(1000).max(600000).default(30000),
  // How often each worker's sweeper re-drives, from PostgreSQL, deliveries whose wake-up was lost.
  RECONCILE_INTERVAL_MS: Joi.number().integer().min(100).max(600000).default(5000),
  // How long a due delivery (or a bulk job that stopped moving) waits for its wake-up before the
  // sweeper takes it for lost and queues a new one. With the interval: healed ~25 s after Redis
  // comes back empty.
  REDRIVE_AFTER_MS: Joi.number().integer().min(100).max(3600000).default(20000),
  // A merchant endpoint failing for this long is disabled (probes stop) until an operator
  // re-enables it; what it is owed is kept.
  ENDPOINT_DISABLE_AFTER_HOURS: Joi.number().min(0.001).max(8760).default(72),
  // Where the platform's operators are told that an endpoint is failing, disabled or recovered
  // (a signed webhook, Standard Webhooks headers); unset = log lines and metrics only.
  OPERATOR_WEBHOOK_URL: Joi.string().uri({ scheme: ['http', 'https'] }),
  // The whsec_ secret operator webhooks are signed with; required with OPERATOR_WEBHOOK_URL.
  OPERATOR_WEBHOOK_SECRET: Joi.string()
    .pattern(/^whsec_[A-Za-z0-9+/=]{16,}$/)
    .messages({ 'string.pattern.base': 'must be a whsec_ secret (whsec_ + base64)' })
    .when('OPERATOR_WEBHOOK_URL', { is: Joi.exist(), then: Joi.required() }),
  // Audit rows (one per attempt) are kept this many days, then dropped a whole day partition at
  // a time by the workers.
  AUDIT_RETENTION_DAYS: Joi.number().integer().min(1).max(3650).default(90),
  // The worker's own Prometheus endpoint (GET /metrics); 0 picks a free port.
  WORKER_METRICS_PORT: Joi.number().integer().min(0).max(65535).default(9464),
  DB_POOL_SIZE: Joi.number().integer().min(1).max(200).default(10),
  // The longest the API waits on PostgreSQL for one query or one connection before it answers
  // 503: short, so a silent database costs a caller under 2 s rather than a hung request.
  API_DB_TIMEOUT_MS: Joi.number().integer().min(100).max(60000).default(1200),
  SHUTDOWN_TIMEOUT_MS: Joi.number().integer().min(1000).max(600000).default(15000),
  // How long a console sign-in link (POST /v1/portal-sessions) may wait to be opened, and how long
  // the merchant's console session then lasts: short, since the link is a bearer credential.
  PORTAL_SESSION_TTL_SECONDS: Joi.number().integer().min(10).max(86400).default(900),
  // The origin console links point at (e.g. https://webhooks.example.com, behind a proxy); unset:
  // the origin the platform's request came to.
  CONSOLE_PUBLIC_URL: Joi.string().uri({ scheme: ['http', 'https'] }),
  // pretty: one readable line per event, for a terminal; json: one JSON object per line, for log
  // collectors. Unset: pretty when stdout is a terminal, else json.
  LOG_FORMAT: Joi.string().valid('pretty', 'json'),
  LOG_LEVEL: Joi.string().valid('error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly', 'silent').default('info'),
}).unknown(true);

export interface AppConfig {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** Seed nodes of a Redis Cluster; null = the single Redis at redisUrl. */
  readonly redisClusterNodes: readonly string[] | null;
  readonly queuePrefix: string;
  readonly port: number;
  readonly adminToken: string;
  /** The SECRETS_KEY as given; only `SecretBox` (libs/db) derives the key it encrypts with. */
  readonly secretsKey: string;
  readonly webhookTimeoutMs: number;
  readonly webhookAllowPrivateTargets: boolean;
  readonly webhookAllowedTargets: readonly string[];
  readonly webhookExtraCaFile: string | null;
  readonly resendRateLimitPerMinute: number;
  readonly retryBaseDelayMs: number;
  readonly workerConcurrency: number;
  readonly merchantMaxConcurrency: number;
  readonly bulkConcurrency: number;
  readonly jobLockMs: number;
  readonly reconcileIntervalMs: number;
  readonly redriveAfterMs: number;
  readonly endpointDisableAfterHours: number;
  readonly operatorWebhook: { url: string; secret: string } | null;
  readonly auditRetentionDays: number;
  readonly workerMetricsPort: number;
  readonly dbPoolSize: number;
  readonly apiDbTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  readonly portalSessionTtlSeconds: number;
  /** The origin console links point at; null = the origin each request came to. */
  readonly consolePublicUrl: string | null;
  readonly logLevel: string;
  readonly logFormat: 'pretty' | 'json';
}
