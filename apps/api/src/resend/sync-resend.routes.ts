import { Router, type RequestHandler } from 'express';
import Joi from 'joi';
import { accountIdOf } from '../auth/auth.middleware.js';
import { jsonBody } from '../http/json-body.js';
import { answer, isoTime } from '../http/response-schemas.js';
import { validate } from '../http/validate.js';
import type { SyncResendService } from './sync-resend.service.js';

export const syncResendBodySchema = Joi.object<{ url?: string }>({
  url: Joi.string().trim().max(2048).uri({ scheme: ['http', 'https'] }).description('One-off destination (a public http or https URL); used once and never stored.'),
})
  .id('SyncResendRequest')
  .example({ url: 'https://my-backup-server.com/webhooks/avista' });

const webhookLogId = Joi.number().integer().min(1).description('The audit row of this attempt (GET /v1/webhook-logs/{id}).');

export const syncResendSuccessSchema = answer({
  message: Joi.valid('Webhook resent successfully'),
  webhookLogId,
  sentAt: isoTime(),
  statusCode: Joi.number().integer().min(200).max(299).description("The destination's HTTP status."),
})
  .id('SyncResendSuccess')
  .example({ message: 'Webhook resent successfully', webhookLogId: 12345, sentAt: '2024-01-15T10:30:00.000Z', statusCode: 200 });

export const syncResendFailureSchema = answer({
  statusCode: Joi.number().integer().valid(400, 502, 504),
  message: Joi.string(),
  webhookLogId,
  sentAt: isoTime(),
})
  .id('SyncResendFailure')
  .description('A failed attempt: it has its audit row all the same, named by `webhookLogId`.');

/** `POST /api/resend-webhook/:identifier`, answered exactly as the Avista seed documents. */
export function syncResendRoutes(deps: { auth: RequestHandler; rateLimit: RequestHandler; service: SyncResendService }): Router {
  const router = Router();
  router.post('/resend-webhook/:identifier', deps.auth, deps.rateLimit, jsonBody('8kb'), async (req, res) => {
    const body = validate(syncResendBodySchema, req.body ?? {});
    const log = await deps.service.resend(accountIdOf(req), String(req.params.identifier), body.url);
    const sentAt = log.sentAt.toISOString();
    switch (log.outcome) {
      case 'success':
        res.status(200).json({ message: 'Webhook resent successfully', webhookLogId: log.id, sentAt, statusCode: log.httpStatus });
        return;
      case 'timeout':
        res.status(504).json({ statusCode: 504, message: log.error, webhookLogId: log.id, sentAt });
        return;
      case 'blocked':
        // The destination resolved to a non-public address: the URL is the client's to fix.
        res.status(400).json({ statusCode: 400, message: 'Webhook URL points to a non-public address', webhookLogId: log.id, sentAt });
        return;
      case 'http_error':
        res.status(502).json({ statusCode: 502, message: `Webhook failed with status ${log.httpStatus}`, webhookLogId: log.id, sentAt });
        return;
      default:
        res.status(502).json({ statusCode: 502, message: `Webhook failed: ${log.error}`, webhookLogId: log.id, sentAt });
    }
  });
  return router;
}
