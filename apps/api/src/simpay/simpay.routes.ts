import { Router, type RequestHandler } from 'express';
import { NotFoundError } from '@wr/domain';
import type { Logger } from '@wr/logger';
import { accountIdOf } from '../auth/auth.middleware.js';
import { jsonBody } from '../http/json-body.js';
import { validate } from '../http/validate.js';
import { presentRequest } from '../replays/request-summary.js';
import type { SimpayResendService } from './simpay-resend.service.js';
import { simpayErrorHandler } from './simpay-errors.js';
import { resendLogsQuerySchema, simpayResendSchema, type SimpayResendBody } from './simpay.schemas.js';

/** SPEC 5.3: `POST /v3/webhooks/resend` and its resend logs, in SimPay's `{worked, detail}` dialect. */
export function simpayRoutes(deps: { auth: RequestHandler; service: SimpayResendService; logger: Logger }): Router {
  const router = Router();
  router.use(deps.auth);

  router.post('/resend', jsonBody('8kb'), async (req, res) => {
    const body = validate(simpayResendSchema, req.body ?? {}, 422) as SimpayResendBody;
    const requestId = await deps.service.create(accountIdOf(req), body);
    res.status(200).json({ worked: true, detail: `Webhook resend request created. ID: ${requestId}` });
  });

  router.get('/resend-logs', async (req, res) => {
    const page = validate(resendLogsQuerySchema, req.query, 422);
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
