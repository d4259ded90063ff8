import { Router, type RequestHandler } from 'express';
import { accountIdOf } from '../auth/auth.middleware.js';
import { presentPayinJob } from '../presenters.js';
import type { ReplayService } from '@wr/replays';

/** `/v1/resend-jobs/:job_id` and its cancel: any bulk job of the caller's account. */
export function resendJobRoutes(deps: { auth: RequestHandler; replays: ReplayService }): Router {
  const router = Router();
  router.get('/resend-jobs/:job_id', deps.auth, async (req, res) => {
    res.json(presentPayinJob(await deps.replays.findJob(accountIdOf(req), String(req.params.job_id))));
  });
  router.post('/resend-jobs/:job_id/cancel', deps.auth, async (req, res) => {
    res.json(presentPayinJob(await deps.replays.cancel(accountIdOf(req), String(req.params.job_id))));
  });
  return router;
}
