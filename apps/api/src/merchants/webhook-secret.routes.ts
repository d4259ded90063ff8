import { Router, type RequestHandler } from 'express';
import Joi from 'joi';
import { accountIdOf } from '../auth/auth.middleware.js';
import { jsonBody } from '../http/json-body.js';
import { pathId } from '../http/path-params.js';
import { validate } from '../http/validate.js';
import type { WebhookSecretService } from './webhook-secret.service.js';

/** Up to 30 days: long enough for a merchant to deploy the new secret, short enough to retire the old. */
const MAX_OVERLAP_SECONDS = 30 * 24 * 3600;

const rotateSchema = Joi.object({
  overlap_seconds: Joi.number().strict().integer().min(0).max(MAX_OVERLAP_SECONDS).default(86_400),
});

/** SPEC 6 `POST /v1/merchants/:id/webhook-secret/rotate`: a new secret, shown once. */
export function webhookSecretRoutes(deps: { auth: RequestHandler; service: WebhookSecretService }): Router {
  const router = Router();

  router.post('/merchants/:id/webhook-secret/rotate', deps.auth, jsonBody('8kb'), async (req, res) => {
    const merchantId = pathId(String(req.params.id), 'Merchant not found', 2_147_483_647);
    const body = validate(rotateSchema, req.body ?? {}) as { overlap_seconds: number };
    const rotated = await deps.service.rotate(accountIdOf(req), merchantId, body.overlap_seconds);
    // The answer holds a secret: no cache along the way may keep it.
    res.set('cache-control', 'no-store').json({
      merchant_id: rotated.merchantId,
      webhook_secret: rotated.webhookSecret,
      previous_secret_expires_at: rotated.previousSecretExpiresAt?.toISOString() ?? null,
    });
  });

  return router;
}
