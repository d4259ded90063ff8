import { Router, type RequestHandler } from 'express';
import Joi from 'joi';
import { NotFoundError } from '@wr/domain';
import type { Logger } from '@wr/logger';
import { accountIdOf } from '../auth/auth.middleware.js';
import { jsonBody } from '../http/json-body.js';
import { answer, EXAMPLE_JOB_ID } from '../http/response-schemas.js';
import { validate } from '../http/validate.js';
import { presentRequest, requestSchema } from '../replays/request-summary.js';
import type { SimpayResendService } from './simpay-resend.service.js';
import { simpayErrorHandler } from './simpay-errors.js';
import { resendLogsQuerySchema, simpayResendSchema } from './simpay.schemas.js';

export const simpayCreatedSchema = answer({
  worked: Joi.valid(true),
  detail: Joi.string().pattern(/^Webhook resend request created\. ID: [0-9a-f]{32}$/),
})
  .id('SimpayResendCreated')
  .example({ worked: true, detail: `Webhook resend request created. ID: ${EXAMPLE_JOB_ID}` });
export const simpayLogListSchema = answer({ worked: Joi.valid(true), data: Joi.array().items(requestSchema) }).id('SimpayResendLogList');
export const simpayLogSchema = answer({ worked: Joi.valid(true), data: requestSchema }).id('SimpayResendLog');

/** SPEC 5.3: `POST /v3/webhooks/resend` and its resend logs, in SimPay's `{worked, detail}` dialect. */
export function simpayRoutes(deps: { auth: RequestHandler; service: SimpayResendService; logger: Logger }): Router {
  const router = Router();
  router.use(deps.auth);

  router.post('/resend', jsonBody('8kb'), async (req, res) => {
    const body = validate(simpayResendSchema, req.body ?? {}, 'unprocessable');
    const requestId = await deps.service.create(accountIdOf(req), body);
    res.status(200).json({ worked: true, detail: `Webhook resend request created. ID: ${requestId}` });
  });

  router.get('/resend-logs', async (req, res) => {
    const page = validate(resendLogsQuerySchema, req.query, 'unprocessable');
    const requests = await deps.service.list(accountIdOf(req), page);
    res.json({ worked: true, data: requests.map(presentRequest) });
  });

  router.get('/resend-logs/:id', async (req, res) => {
    const request = await deps.service.find(accountIdOf(req), String(req.params.id));
    if (!request) throw new NotFoundError('Resend request not found');
    res.json({ worked: true, data: presentRequest(request) });
  });

  router.use(simpayErrorHandler(deps.logger));
  return router;
}
