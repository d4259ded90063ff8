import { Router, type RequestHandler } from 'express';
import Joi from 'joi';
import { cursorParam } from '../http/cursors.js';
import { pageBody, pageOf } from '../http/pages.js';
import { DELIVERY_OUTCOMES, DELIVERY_TRIGGERS, MAX_TRANSACTION_ID, type DeliveryOutcome, type DeliveryTrigger } from '@wr/domain';
import { accountIdOf } from '../auth/auth.middleware.js';
import { timestamp } from '../http/joi-types.js';
import { pathId } from '../http/path-params.js';
import { answer, JOB_ID_PATTERN } from '../http/response-schemas.js';
import { validate } from '../http/validate.js';
import { presentWebhookLog, webhookLogSchema } from '../presenters.js';
import type { WebhookLogsService } from './webhook-logs.service.js';

interface WebhookLogQuery {
  transaction_id?: number;
  merchant_id?: number;
  trigger?: DeliveryTrigger;
  outcome?: DeliveryOutcome;
  resend_job_id?: string;
  from?: Date;
  to?: Date;
  cursor?: number;
  limit: number;
}

export const webhookLogQuerySchema = Joi.object<WebhookLogQuery>({
  transaction_id: Joi.number().integer().min(1).max(MAX_TRANSACTION_ID).description('Only this transaction.'),
  merchant_id: Joi.number().integer().min(1).max(2_147_483_647).description('Only this merchant.'),
  trigger: Joi.string().valid(...DELIVERY_TRIGGERS).description('Only this trigger.'),
  outcome: Joi.string().valid(...DELIVERY_OUTCOMES).description('Only this outcome.'),
  resend_job_id: Joi.string().pattern(JOB_ID_PATTERN).description('Only attempts of this bulk job.'),
  from: timestamp().description('Sent at or after (ISO 8601).'),
  to: timestamp().when('from', { is: Joi.exist(), then: Joi.date().greater(Joi.ref('from')) }).description('Sent before (ISO 8601; after `from`).'),
  cursor: cursorParam('log'),
  limit: Joi.number().integer().min(1).max(200).default(50).description('Page size.'),
});

export const webhookLogPageSchema = answer({
  data: Joi.array().items(webhookLogSchema),
  next_cursor: Joi.string().allow(null).description('Pass as `cursor` for the next (older) page; null on the last page.'),
}).id('WebhookLogPage');

/** The audit trail (SPEC 6): every attempt of the caller's account, newest first. */
export function webhookLogRoutes(deps: { auth: RequestHandler; service: WebhookLogsService }): Router {
  const router = Router();
  router.use(deps.auth);

  router.get('/webhook-logs', async (req, res) => {
    const q = validate(webhookLogQuerySchema, req.query);
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
      { beforeId: q.cursor, limit: q.limit + 1 },
    );
    res.json(pageBody('log', pageOf(rows, q.limit), presentWebhookLog));
  });

  router.get('/webhook-logs/:id', async (req, res) => {
    const id = pathId(req.params.id, 'Webhook log not found');
    res.json(presentWebhookLog(await deps.service.find(accountIdOf(req), id)));
  });

  return router;
}
