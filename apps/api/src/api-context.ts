import type { LookupFunction } from 'node:net';
import type { AppConfig } from '@wr/config';
import type { MerchantRepository } from '@wr/db';
import { targetRulesFromConfig } from '@wr/delivery';
import type { Logger } from '@wr/logger';
import type { ReplayService } from '@wr/replays';
import { createRuntime, type Runtime } from '@wr/runtime';
import { registerScrapeGauges } from './observability/scrape-gauges.js';
import { ReplaySchedulesService } from './replays/replay-schedules.service.js';
import { AccountsService } from './admin/accounts.service.js';
import { TransactionsService } from './admin/transactions.service.js';
import { InvoiceResendService } from './invoices/invoice-resend.service.js';
import { NotificationService } from './notifications/notification.service.js';
import { EndpointHealthService } from './merchants/endpoint-health.service.js';
import { PayinBulkService } from './payin-bulk/payin-bulk.service.js';
import { ReplayRequestsService } from './replays/replay-requests.service.js';
import { WebhookLogsService } from './webhook-logs/webhook-logs.service.js';
import { ReadinessService } from './health/readiness.service.js';
import { SyncResendService } from './resend/sync-resend.service.js';
import { SimpayResendService } from './simpay/simpay-resend.service.js';
import { WebhookSecretService } from './merchants/webhook-secret.service.js';
import { ConsoleAdminService } from './console/console-admin.service.js';
import { ConsoleAttemptsService } from './console/console-attempts.service.js';
import { PortalSessionsService } from './console/portal-sessions.service.js';

/** Everything the API's routes need, wired once per process (or per test). */
export interface ApiContext extends Runtime {
  config: AppConfig;
  logger: Logger;
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
    portalSessions: PortalSessionsService;
    consoleAttempts: ConsoleAttemptsService;
    consoleAdmin: ConsoleAdminService;
  };
}

/** Replaceable parts: a resolver for deliveries (tests point a public name at loopback with it). */
export interface ApiContextOptions {
  lookup?: LookupFunction;
}

export async function createApiContext(config: AppConfig, logger: Logger, options: ApiContextOptions = {}): Promise<ApiContext> {
  const runtime = await createRuntime(config, logger, {
    service: 'api',
    // Every API query is short (batch inserts go in chunks): with the default bound (1.2 s) a silent
    // PostgreSQL costs a request well under the 2 s in which it must answer 503 (a timed-out
    // connection is closed, so a transaction's ROLLBACK does not wait out a second timeout: see
    // createDataSource).
    database: { applicationName: 'wr-api', queryTimeoutMs: config.apiDbTimeoutMs, connectTimeoutMs: config.apiDbTimeoutMs },
    redis: 'producer',
    onDatabaseReady: (repos) => sealLegacySecrets(repos.merchants, logger),
    lookup: options.lookup,
  });
  const { db, redis, repos, replays, deliveryQueue, fanoutQueue, bulkDeliveryQueue, scheduleQueue, endpointRecovery: recovery } = runtime;
  registerScrapeGauges(runtime.metrics, {
    queues: [deliveryQueue, fanoutQueue, bulkDeliveryQueue, scheduleQueue],
    jobStats: repos.resendJobStats,
  });
  const targets = targetRulesFromConfig(config);
  const webhookLogs = new WebhookLogsService({ webhookLogs: repos.webhookLogs });
  const notifications = new NotificationService({ queue: deliveryQueue, deliveries: repos.deliveries, logger });
  const services = {
    accounts: new AccountsService({
      db,
      accounts: repos.accounts,
      merchants: repos.merchants,
      targets,
      recovery,
    }),
    transactions: new TransactionsService({ db, merchants: repos.merchants, transactions: repos.transactions, notifications }),
    syncResend: new SyncResendService({
      transactions: repos.transactions,
      merchants: repos.merchants,
      deliverer: runtime.deliverer,
      targets,
    }),
    replays,
    simpay: new SimpayResendService({ merchants: repos.merchants, transactions: repos.transactions, requests: repos.resendRequests, replays }),
    invoices: new InvoiceResendService({
      transactions: repos.transactions,
      merchants: repos.merchants,
      deliveries: repos.deliveries,
      queue: deliveryQueue,
      redis,
      // The first attempt's own timeout, plus the worker's pick-up and bookkeeping.
      waitMs: config.webhookTimeoutMs + 2000,
    }),
    schedules: new ReplaySchedulesService({ queue: scheduleQueue, merchants: repos.merchants, schedules: repos.schedules, redis }),
    webhookSecrets: new WebhookSecretService({ merchants: repos.merchants }),
    endpoints: new EndpointHealthService({ merchants: repos.merchants, health: repos.endpointHealth, recovery }),
    payinBulk: new PayinBulkService({ merchants: repos.merchants, replays }),
    replayRequests: new ReplayRequestsService({ merchants: repos.merchants, requests: repos.resendRequests, replays }),
    webhookLogs,
    readiness: new ReadinessService({ db, redis }),
    portalSessions: new PortalSessionsService({ merchants: repos.merchants, sessions: repos.portalSessions, ttlSeconds: config.portalSessionTtlSeconds }),
    consoleAttempts: new ConsoleAttemptsService({ logs: webhookLogs, transactions: repos.transactions, deliveries: repos.deliveries }),
    consoleAdmin: new ConsoleAdminService({ reads: repos.consoleReads, queues: [deliveryQueue, fanoutQueue, bulkDeliveryQueue, scheduleQueue] }),
  };
  return { ...runtime, config, logger, services };
}

/**
 * Secrets stored in clear (before encryption at rest) are sealed here rather than in a migration:
 * migrating needs only DATABASE_URL and must not hold SECRETS_KEY, and the API, which writes
 * merchants, starts after migrations. Until then readers take clear rows as they are.
 */
async function sealLegacySecrets(merchants: MerchantRepository, logger: Logger): Promise<void> {
  const sealed = await merchants.sealLegacySecrets();
  if (sealed > 0) logger.info('webhook secrets stored in clear were encrypted', { merchants: sealed });
}
