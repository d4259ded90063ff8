import { Router, type RequestHandler } from 'express';
import { NotFoundError } from '@wr/domain';
import type { MerchantRepository } from '@wr/db';
import { accountIdOf } from '../auth/auth.middleware.js';
import { jsonBody } from '../http/json-body.js';
import { validate } from '../http/validate.js';
import { assertWindow } from '../http/window-rules.js';
import { MAX_JOB_WINDOW_MS, type ReplayService } from '@wr/replays';
import { presentPayinJob } from '../presenters.js';
import { payinBulkResendSchema, type PayinBulkResendBody } from './payin-bulk.schemas.js';

/** SPEC 5.4: bulk resend of a merchant's payin notifications over at most 3 hours (WePayout seed). */
export function payinBulkRoutes(deps: { auth: RequestHandler; merchants: MerchantRepository; replays: ReplayService }): Router {
  const router = Router();
  router.use(deps.auth);

  router.post('/payin/notifications/resend', jsonBody('8kb'), async (req, res) => {
    const body = validate(payinBulkResendSchema, req.body ?? {}, 422) as unknown as PayinBulkResendBody;
    assertWindow({ start: body.start_time, end: body.end_time }, { start: 'start_time', end: 'end_time' }, { ms: MAX_JOB_WINDOW_MS, label: '3 hours' });
    const accountId = accountIdOf(req);
    const merchant = await deps.merchants.findInAccount(body.merchant_id, accountId);
    if (!merchant) throw new NotFoundError('Merchant not found');

    const replay = {
      accountId,
      merchant,
      source: 'payin_bulk' as const,
      kind: 'CASHIN' as const,
      start: body.start_time,
      end: body.end_time,
      statusIds: body.status_ids ?? null,
      onlyFailed: false,
      trigger: 'bulk' as const,
      runAt: null,
      requestedBy: `account:${accountId}`,
    };
    if (body.dry_run) {
      res.json({ job_id: null, total: await deps.replays.count(replay) });
      return;
    }
    const { jobs } = await deps.replays.createWindowJobs(replay);
    res.json({ job_id: jobs[0]!.id, total: jobs[0]!.total });
  });

  router.get('/payin/notifications/resend/:job_id', async (req, res) => {
    const job = await deps.replays.findJob(accountIdOf(req), String(req.params.job_id));
    res.json(presentPayinJob(job));
  });

  return router;
}
