import { Router, type RequestHandler } from 'express';
import Joi from 'joi';
import { accountIdOf } from '../auth/auth.middleware.js';
import { jsonBody } from '../http/json-body.js';
import { validate } from '../http/validate.js';
import type { SyncResendService } from './sync-resend.service.js';

const bodySchema = Joi.object({
  url: Joi.string().trim().max(2048).uri({ scheme: ['http', 'https'] }),
});

/** `POST /api/resend-webhook/:identifier`, answered exactly as the Avista seed documents. */
export function syncResendRoutes(deps: { auth: RequestHandler; rateLimit: RequestHandler; service: SyncResendService }): Router {
  const router = Router();
  router.post('/resend-webhook/:identifier', deps.auth, deps.rateLimit, jsonBody('8kb'), async (req, res) => {
    const body = validate(bodySchema, req.body ?? {});
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
