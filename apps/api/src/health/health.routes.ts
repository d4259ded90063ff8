import { Router } from 'express';
import Joi from 'joi';
import { answer } from '../http/response-schemas.js';
import type { ReadinessService } from './readiness.service.js';

const checkResult = Joi.string().valid('ok', 'unavailable');

export const healthSchema = answer({ status: Joi.valid('ok') }).id('Health').example({ status: 'ok' });
export const readinessSchema = answer({ status: checkResult, checks: Joi.object({ postgres: checkResult, redis: checkResult }) }).id('Readiness');

/** `/healthz`: the process is up. `/readyz`: PostgreSQL and Redis answer, else 503. */
export function healthRoutes(deps: { readiness: ReadinessService }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const checks = await deps.readiness.check();
    const ready = checks.postgres === 'ok' && checks.redis === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', checks });
  });
  return router;
}
