import { Router, type RequestHandler } from 'express';
import Joi from 'joi';
import { accountIdOf } from '../auth/auth.middleware.js';
import { jsonBody } from '../http/json-body.js';
import { pathId } from '../http/path-params.js';
import { answer, int32Id } from '../http/response-schemas.js';
import { validate } from '../http/validate.js';
import type { WebhookSecretService } from './webhook-secret.service.js';

/** Up to 30 days: long enough for a merchant to deploy the new secret, short enough to retire the old. */
const MAX_OVERLAP_SECONDS = 30 * 24 * 3600;

export const rotateSchema = Joi.object<{ overlap_seconds: number }>({
  overlap_seconds: Joi.number()
    .strict()
    .integer()
    .min(0)
    .max(MAX_OVERLAP_SECONDS)
    .default(86_400)
    .description(
      'How long the replaced secret keeps signing (a second signature), so receivers can switch without losing a webhook. 0 stops it at once.',
    ),
})
  .id('RotateWebhookSecretRequest')
  .example({ overlap_seconds: 3600 });

export const rotatedSecretSchema = answer({
  merchant_id: int32Id(),
  webhook_secret: Joi.string().pattern(/^whsec_[A-Za-z0-9+/=]+$/).description('The new secret. Shown only in this answer; stored encrypted.'),
  previous_secret_expires_at: Joi.string()
    .isoDate()
    .allow(null)
    .description('Until when webhooks also carry a signature made with the replaced secret; null when `overlap_seconds` was 0.'),
})
  .id('RotatedWebhookSecret')
  .example({ merchant_id: 303, webhook_secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', previous_secret_expires_at: '2026-11-23T12:00:00.000Z' });

/** SPEC 6 `POST /v1/merchants/:id/webhook-secret/rotate`: a new secret, shown once. */
export function webhookSecretRoutes(deps: { auth: RequestHandler; service: WebhookSecretService }): Router {
  const router = Router();

  router.post('/merchants/:id/webhook-secret/rotate', deps.auth, jsonBody('8kb'), async (req, res) => {
    const merchantId = pathId(String(req.params.id), 'Merchant not found', 2_147_483_647);
    const body = validate(rotateSchema, req.body ?? {});
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
