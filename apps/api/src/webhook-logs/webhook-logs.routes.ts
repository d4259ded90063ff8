import { Router, type RequestHandler } from 'express';
import Joi from 'joi';
import { DELIVERY_OUTCOMES, DELIVERY_TRIGGERS, ValidationError, MAX_TRANSACTION_ID } from '@wr/domain';
import { accountIdOf } from '../auth/auth.middleware.js';
import { timestamp } from '../http/joi-types.js';
import { pathId } from '../http/path-params.js';
import { validate } from '../http/validate.js';
import { presentWebhookLog } from '../presenters.js';
import type { WebhookLogsService } from './webhook-logs.service.js';

const listQuerySchema = Joi.object({
  transaction_id: Joi.number().integer().min(1).max(MAX_TRANSACTION_ID),
  merchant_id: Joi.number().integer().min(1).max(2_147_483_647),
  trigger: Joi.string().valid(...DELIVERY_TRIGGERS),
  outcome: Joi.string().valid(...DELIVERY_OUTCOMES),
  resend_job_id: Joi.string().pattern(/^[0-9a-f]{32}$/),
  from: timestamp(),
  to: timestamp().when('from', { is: Joi.exist(), then: Joi.date().greater(Joi.ref('from')) }),
  cursor: Joi.string().max(64),
  limit: Joi.number().integer().min(1).max(200).default(50),
});

/** Cursors are opaque to clients: the id of the last row served, base64url-encoded. */
function encodeCursor(id: number): string {
  return Buffer.from(`log:${id}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const match = /^log:([1-9][0-9]{0,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new ValidationError('"cursor" is not a cursor this API returned', 'cursor');
  return Number(match[1]);
}

/** The audit trail (SPEC 6): every attempt of the caller's account, newest first. */
export function webhookLogRoutes(deps: { auth: RequestHandler; service: WebhookLogsService }): Router {
  const router = Router();
  router.use(deps.auth);

  router.get('/webhook-logs', async (req, res) => {
    const q = validate(listQuerySchema, req.query);
    const rows = await deps.service.list(
      accountIdOf(req),
      {
        transactionId: q.transaction_id,
        merchantId: q.merchant_id,
        trigger: q.trigger,
        outcome: q.outcome,
        resendJobId: q.resend_job_id,
        sentFrom: q.from,
        sentTo: q.to,
      },
      { beforeId: q.cursor ? decodeCursor(q.cursor) : undefined, limit: q.limit + 1 },
    );
    const page = rows.slice(0, q.limit);
    const hasMore = rows.length > q.limit;
    res.json({ data: page.map(presentWebhookLog), next_cursor: hasMore ? encodeCursor(page[page.length - 1]!.id) : null });
  });

  router.get('/webhook-logs/:id', async (req, res) => {
    const id = pathId(req.params.id, 'Webhook log not found');
    res.json(presentWebhookLog(await deps.service.find(accountIdOf(req), id)));
  });

  return router;
}
