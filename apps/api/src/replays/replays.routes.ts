import { Router, type RequestHandler } from 'express';
import Joi from 'joi';
import { MAX_REPLAY_RANGE_MS } from '@wr/replays';
import { accountIdOf } from '../auth/auth.middleware.js';
import { jsonBody } from '../http/json-body.js';
import { transactionKind } from '../http/joi-types.js';
import { answer, int32Id, isoTime } from '../http/response-schemas.js';
import { validate } from '../http/validate.js';
import { assertWindow } from '../http/window-rules.js';
import { presentRequest } from './request-summary.js';
import type { ReplayRequestsService } from './replay-requests.service.js';
import type { ReplaySchedule, ReplaySchedulesService } from './replay-schedules.service.js';
import { createReplaySchema, createScheduleSchema } from './replays.schemas.js';

/**
 * SPEC 6 `POST /v1/replays`, the "replay after the outage" operation: any window of a merchant
 * (split into 3-hour jobs), optionally only what failed, optionally later; and recurring replays.
 */
export function replayRoutes(deps: { auth: RequestHandler; requests: ReplayRequestsService; schedules: ReplaySchedulesService }): Router {
  const router = Router();

  router.post('/replays', deps.auth, jsonBody('8kb'), async (req, res) => {
    const body = validate(createReplaySchema, req.body ?? {}, 'unprocessable');
    assertWindow({ start: new Date(body.from), end: new Date(body.to) }, { start: 'from', end: 'to' }, { ms: MAX_REPLAY_RANGE_MS, label: '31 days' });
    const created = await deps.requests.create(accountIdOf(req), body);
    if ('dryRunTotal' in created) res.json({ id: null, total: created.dryRunTotal });
    else res.status(201).json(presentRequest(created.request));
  });

  router.get('/replays/:id', deps.auth, async (req, res) => {
    res.json(presentRequest(await deps.requests.find(accountIdOf(req), String(req.params.id))));
  });

  router.post('/replay-schedules', deps.auth, jsonBody('8kb'), async (req, res) => {
    const body = validate(createScheduleSchema, req.body ?? {}, 'unprocessable');
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

export const replayDryRunSchema = answer({ id: Joi.valid(null), total: Joi.number().integer().min(0) })
  .id('ReplayDryRunResult')
  .example({ id: null, total: 42 });

export const replayScheduleSchema = answer({
  id: Joi.string().pattern(/^sched-[0-9a-f]{24}$/),
  merchant_id: int32Id(),
  every_seconds: Joi.number().greater(0),
  lookback_seconds: Joi.number().greater(0),
  only_failed: Joi.boolean(),
  kind: transactionKind.allow(null),
  covered_until: isoTime()
    .allow(null)
    .description('High-water mark: the next firing replays from here to its own time, so a skipped firing leaves no gap.'),
  next_run_at: isoTime().allow(null),
}).id('ReplaySchedule');

export const replayScheduleListSchema = answer({ data: Joi.array().items(replayScheduleSchema) }).id('ReplayScheduleList');

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
