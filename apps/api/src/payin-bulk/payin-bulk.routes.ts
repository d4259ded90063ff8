import { Router, type RequestHandler } from 'express';
import Joi from 'joi';
import { MAX_JOB_WINDOW_MS } from '@wr/replays';
import { accountIdOf } from '../auth/auth.middleware.js';
import { jsonBody } from '../http/json-body.js';
import { answer, EXAMPLE_JOB_ID, JOB_ID_PATTERN } from '../http/response-schemas.js';
import { validate } from '../http/validate.js';
import { assertWindow } from '../http/window-rules.js';
import { presentPayinJob } from '../presenters.js';
import type { PayinBulkService } from './payin-bulk.service.js';
import { payinBulkResendSchema } from './payin-bulk.schemas.js';

export const payinBulkResultSchema = answer({
  job_id: Joi.string().pattern(JOB_ID_PATTERN).allow(null).description('null for a dry run.'),
  total: Joi.number().integer().min(0).description('Payins matched at request time.'),
})
  .id('PayinBulkResendResult')
  .example({ job_id: EXAMPLE_JOB_ID, total: 142 });

/** SPEC 5.4: bulk resend of a merchant's payin notifications over at most 3 hours (WePayout seed). */
export function payinBulkRoutes(deps: { auth: RequestHandler; service: PayinBulkService }): Router {
  const router = Router();
  router.use(deps.auth);

  router.post('/payin/notifications/resend', jsonBody('8kb'), async (req, res) => {
    const body = validate(payinBulkResendSchema, req.body ?? {}, 'unprocessable');
    assertWindow({ start: body.start_time, end: body.end_time }, { start: 'start_time', end: 'end_time' }, { ms: MAX_JOB_WINDOW_MS, label: '3 hours' });
    const { jobId, total } = await deps.service.resend(accountIdOf(req), body);
    res.json({ job_id: jobId, total });
  });

  router.get('/payin/notifications/resend/:job_id', async (req, res) => {
    res.json(presentPayinJob(await deps.service.find(accountIdOf(req), String(req.params.job_id))));
  });

  return router;
}
