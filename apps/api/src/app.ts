import express, { type Express } from 'express';
import helmet from 'helmet';
import { adminRoutes } from './admin/admin.routes.js';
import { queuesBoard } from './admin/queues-board.js';
import { docsRoutes } from './docs/docs.routes.js';
import { countRequests, metricsRoutes } from './observability/metrics.routes.js';
import { replayRoutes } from './replays/replays.routes.js';
import type { ApiContext } from './api-context.js';
import { requireApiKey } from './auth/auth.middleware.js';
import { healthRoutes } from './health/health.routes.js';
import { invoiceResendRoutes } from './invoices/invoice-resend.routes.js';
import { webhookSecretRoutes } from './merchants/webhook-secret.routes.js';
import { endpointHealthRoutes } from './merchants/endpoint-health.routes.js';
import { payinBulkRoutes } from './payin-bulk/payin-bulk.routes.js';
import { resendJobRoutes } from './replays/resend-jobs.routes.js';
import { simpayRoutes } from './simpay/simpay.routes.js';
import { defaultErrorHandler } from './http/error-handler.js';
import { requestContext } from './http/request-context.middleware.js';
import { resendRateLimit } from './resend/resend-rate-limit.js';
import { syncResendRoutes } from './resend/sync-resend.routes.js';
import { webhookLogRoutes } from './webhook-logs/webhook-logs.routes.js';
import { consoleRoutes } from './console/console.routes.js';
import { portalSessionRoutes } from './console/portal-sessions.routes.js';

/** The HTTP surface; all wiring comes in through the context, so tests build it the same way. */
export function createApp(ctx: ApiContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestContext(ctx.logger));
  app.use(countRequests(ctx.metrics));
  // Browser pages (Bull Board, Swagger UI) carry their own inline scripts: mounted before the
  // strict Content-Security-Policy the JSON API gets.
  app.use(
    '/admin/queues',
    helmet({ contentSecurityPolicy: false }),
    queuesBoard({
      adminToken: ctx.config.adminToken,
      basePath: '/admin/queues',
      queues: [ctx.deliveryQueue, ctx.fanoutQueue, ctx.bulkDeliveryQueue, ctx.scheduleQueue],
    }),
  );
  app.use('/docs', helmet({ contentSecurityPolicy: false }), docsRoutes());
  // The delivery console brings its own, stricter policy (no inline script or style at all).
  app.use(
    '/console',
    consoleRoutes({
      sessions: ctx.services.portalSessions,
      attempts: ctx.services.consoleAttempts,
      endpoints: ctx.services.endpoints,
      syncResend: ctx.services.syncResend,
      replayRequests: ctx.services.replayRequests,
      webhookSecrets: ctx.services.webhookSecrets,
      admin: ctx.services.consoleAdmin,
      adminToken: ctx.config.adminToken,
      publicUrl: ctx.config.consolePublicUrl,
    }),
  );
  app.use(helmet());
  app.use(metricsRoutes(ctx.metrics));

  const auth = requireApiKey(ctx.services.accounts);
  app.use(healthRoutes({ readiness: ctx.services.readiness }));
  app.use('/admin', adminRoutes({ adminToken: ctx.config.adminToken, accounts: ctx.services.accounts, transactions: ctx.services.transactions }));
  app.use(
    '/api',
    syncResendRoutes({
      auth,
      rateLimit: resendRateLimit({ redis: ctx.redis, keyPrefix: ctx.config.queuePrefix, perMinute: ctx.config.resendRateLimitPerMinute }),
      service: ctx.services.syncResend,
    }),
  );
  app.use('/invoices', invoiceResendRoutes({ auth, service: ctx.services.invoices, logger: ctx.logger }));
  app.use('/v3/webhooks', simpayRoutes({ auth, service: ctx.services.simpay, logger: ctx.logger }));
  app.use('/v2', payinBulkRoutes({ auth, service: ctx.services.payinBulk }));
  app.use('/v1', resendJobRoutes({ auth, replays: ctx.services.replays }));
  app.use('/v1', replayRoutes({ auth, requests: ctx.services.replayRequests, schedules: ctx.services.schedules }));
  app.use('/v1', webhookLogRoutes({ auth, service: ctx.services.webhookLogs }));
  app.use('/v1', webhookSecretRoutes({ auth, service: ctx.services.webhookSecrets }));
  app.use('/v1', endpointHealthRoutes({ auth, service: ctx.services.endpoints }));
  app.use('/v1', portalSessionRoutes({ auth, service: ctx.services.portalSessions, publicUrl: ctx.config.consolePublicUrl }));

  app.use((_req, res) => {
    res.status(404).json({ statusCode: 404, message: 'Not Found', error: 'Not Found' });
  });
  app.use(defaultErrorHandler(ctx.logger));
  return app;
}
