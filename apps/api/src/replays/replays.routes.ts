import { Router, type RequestHandler } from 'express';
import { NotFoundError, ValidationError } from '@wr/domain';
import type { MerchantRepository, ResendJobRepository } from '@wr/db';
import { isJobId, MAX_REPLAY_RANGE_MS, type ReplayService } from '@wr/replays';
import { accountIdOf } from '../auth/auth.middleware.js';
import { jsonBody } from '../http/json-body.js';
import { validate } from '../http/validate.js';
import { assertWindow } from '../http/window-rules.js';
import { presentRequest } from './request-summary.js';
import type { ReplaySchedule, ReplaySchedulesService } from './replay-schedules.service.js';
import {
  createReplaySchema,
  createScheduleSchema,
  MAX_RUN_AT_AHEAD_MS,
  type CreateReplayBody,
  type CreateScheduleBody,
} from './replays.schemas.js';

/**
 * SPEC 6 `POST /v1/replays`, the "replay after the outage" operation: any window of a merchant
 * (split into 3-hour jobs), optionally only what failed, optionally later; and recurring replays.
 */
export function replayRoutes(deps: {
  auth: RequestHandler;
  merchants: MerchantRepository;
  resendJobs: ResendJobRepository;
  replays: ReplayService;
  schedules: ReplaySchedulesService;
}): Router {
  const router = Router();

  router.post('/replays', deps.auth, jsonBody('8kb'), async (req, res) => {
    const body = validate(createReplaySchema, req.body ?? {}, 422) as CreateReplayBody;
    const from = new Date(body.from);
    const to = new Date(body.to);
    assertWindow({ start: from, end: to }, { start: 'from', end: 'to' }, { ms: MAX_REPLAY_RANGE_MS, label: '31 days' });
    const runAt = body.run_at ? new Date(body.run_at) : null;
    if (runAt && runAt.getTime() - Date.now() > MAX_RUN_AT_AHEAD_MS) {
      throw new ValidationError('"run_at" must be at most 7 days ahead', 'run_at', 422);
    }
    const accountId = accountIdOf(req);
    const merchant = await deps.merchants.findInAccount(body.merchant_id, accountId);
    if (!merchant) throw new NotFoundError('Merchant not found');
    const replay = {
      accountId,
      merchant,
      source: 'replay' as const,
      kind: body.kind ?? null,
      start: from,
      end: to,
      statusIds: body.status_ids ?? null,
      onlyFailed: body.only_failed,
      trigger: 'scheduled' as const,
      runAt: runAt && runAt.getTime() > Date.now() ? runAt : null,
      requestedBy: `account:${accountId}`,
    };
    if (body.dry_run) {
      res.json({ id: null, total: await deps.replays.count(replay) });
      return;
    }
    res.status(201).json(presentRequest(await deps.replays.createWindowJobs(replay)));
  });

  router.get('/replays/:id', deps.auth, async (req, res) => {
    const id = String(req.params.id);
    const summary = isJobId(id) ? await deps.resendJobs.findRequest(id, accountIdOf(req), 'replay') : null;
    if (!summary) throw new NotFoundError('Replay not found');
    res.json(presentRequest(summary));
  });

  router.post('/replay-schedules', deps.auth, jsonBody('8kb'), async (req, res) => {
    const body = validate(createScheduleSchema, req.body ?? {}, 422) as CreateScheduleBody;
    res.status(201).json(presentSchedule(await deps.schedules.create(accountIdOf(req), body)));
  });

  router.get('/replay-schedules', deps.auth, async (req, res) => {
    res.json({ data: (await deps.schedules.list(accountIdOf(req))).map(presentSchedule) });
  });

  router.delete('/replay-schedules/:id', deps.auth, async (req, res) => {
    await deps.schedules.remove(accountIdOf(req), String(req.params.id));
    res.status(204).end();
  });

  return router;
}

function presentSchedule(s: ReplaySchedule) {
  return {
    id: s.id,
    merchant_id: s.merchantId,
    every_seconds: s.everySeconds,
    lookback_seconds: s.lookbackSeconds,
    only_failed: s.onlyFailed,
    kind: s.kind,
    covered_until: s.coveredUntil?.toISOString() ?? null,
    next_run_at: s.nextRunAt?.toISOString() ?? null,
  };
}
