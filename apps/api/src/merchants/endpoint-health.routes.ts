import { Router, type RequestHandler } from 'express';
import Joi from 'joi';
import { ValidationError } from '@wr/domain';
import type { IncidentSummary } from '@wr/db';
import { accountIdOf } from '../auth/auth.middleware.js';
import { timestamp } from '../http/joi-types.js';
import { jsonBody } from '../http/json-body.js';
import { pathId } from '../http/path-params.js';
import { validate } from '../http/validate.js';
import type { EndpointHealthService, EndpointView } from './endpoint-health.service.js';

const MAX_MERCHANT_ID = 2_147_483_647;

const incidentsQuery = Joi.object({
  cursor: Joi.string().max(64),
  limit: Joi.number().integer().min(1).max(100).default(20),
});

const enableBody = Joi.object({
  // Only what changed since then is delivered; older live deliveries it was owed are cancelled.
  since: timestamp(),
});

function encodeCursor(id: number): string {
  return Buffer.from(`incident:${id}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const match = /^incident:([1-9][0-9]{0,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new ValidationError('"cursor" is not a cursor this API returned', 'cursor');
  return Number(match[1]);
}

const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;

export function presentIncident(i: IncidentSummary) {
  return {
    id: i.id,
    merchant_id: i.merchantId,
    state: i.endedAt ? 'closed' : 'open',
    started_at: i.startedAt.toISOString(),
    disabled_at: iso(i.disabledAt),
    disabled_reason: i.disabledReason,
    recovered_at: iso(i.endedAt),
    ended_by: i.endedBy,
    first_error: i.firstError,
    probes: i.probes,
    deliveries_failed: i.deliveriesFailed ?? 0,
    held: i.held,
    replayed: i.replayed,
    still_to_send: i.stillToSend,
  };
}

function presentEndpoint(view: EndpointView) {
  const h = view.health;
  return {
    merchant_id: view.merchantId,
    webhook_url: view.webhookUrl,
    state: h?.state ?? 'healthy',
    consecutive_failures: h?.consecutiveFailures ?? 0,
    failing_since: iso(h?.failingSince),
    next_probe_at: h?.state === 'failing' ? iso(h.nextProbeAt) : null,
    last_success: view.stats.lastSuccess && {
      at: view.stats.lastSuccess.at.toISOString(),
      http_status: view.stats.lastSuccess.httpStatus,
      duration_ms: view.stats.lastSuccess.durationMs,
    },
    last_failure: view.stats.lastFailure && {
      at: view.stats.lastFailure.at.toISOString(),
      outcome: view.stats.lastFailure.outcome,
      http_status: view.stats.lastFailure.httpStatus,
      error: view.stats.lastFailure.error,
    },
    last_hour: {
      attempts: view.stats.lastHour.attempts,
      success_rate: view.stats.lastHour.successRate,
      p95_latency_ms: view.stats.lastHour.p95LatencyMs,
    },
    open_incident: view.openIncident && presentIncident(view.openIncident),
  };
}

/** SPEC 6: a merchant endpoint's health, its incidents, and re-enabling it (own merchants only). */
export function endpointHealthRoutes(deps: { auth: RequestHandler; service: EndpointHealthService }): Router {
  const router = Router();

  router.get('/merchants/:id/endpoint', deps.auth, async (req, res) => {
    const merchantId = pathId(String(req.params.id), 'Merchant not found', MAX_MERCHANT_ID);
    res.json(presentEndpoint(await deps.service.status(accountIdOf(req), merchantId)));
  });

  router.get('/merchants/:id/incidents', deps.auth, async (req, res) => {
    const merchantId = pathId(String(req.params.id), 'Merchant not found', MAX_MERCHANT_ID);
    const q = validate(incidentsQuery, req.query) as { cursor?: string; limit: number };
    const rows = await deps.service.incidents(accountIdOf(req), merchantId, {
      limit: q.limit + 1,
      beforeId: q.cursor ? decodeCursor(q.cursor) : undefined,
    });
    const page = rows.slice(0, q.limit);
    res.json({ data: page.map(presentIncident), next_cursor: rows.length > q.limit ? encodeCursor(page[page.length - 1]!.id) : null });
  });

  router.post('/merchants/:id/endpoint/enable', deps.auth, jsonBody('8kb'), async (req, res) => {
    const merchantId = pathId(String(req.params.id), 'Merchant not found', MAX_MERCHANT_ID);
    const body = validate(enableBody, req.body ?? {}) as { since?: Date };
    const recovery = await deps.service.enable(accountIdOf(req), merchantId, body.since ?? null);
    res.json({
      merchant_id: merchantId,
      state: 'healthy',
      incident: recovery.incident && { id: recovery.incident.id, started_at: recovery.incident.startedAt.toISOString(), ended_by: recovery.incident.endedBy },
      // Deliveries released from hold and recovery deliveries, now on their way.
      to_send: recovery.released.length,
    });
  });

  return router;
}
