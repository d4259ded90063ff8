import { Router, type RequestHandler } from 'express';
import Joi from 'joi';
import { cursorParam } from '../http/cursors.js';
import { pageBody, pageOf } from '../http/pages.js';
import { DELIVERY_OUTCOMES, ENDPOINT_STATES } from '@wr/domain';
import type { IncidentSummary } from '@wr/db';
import { accountIdOf } from '../auth/auth.middleware.js';
import { timestamp } from '../http/joi-types.js';
import { jsonBody } from '../http/json-body.js';
import { pathId } from '../http/path-params.js';
import { answer, int32Id, isoTime, orNull } from '../http/response-schemas.js';
import { validate } from '../http/validate.js';
import type { EndpointHealthService, EndpointView } from './endpoint-health.service.js';

const MAX_MERCHANT_ID = 2_147_483_647;

export const incidentsQuerySchema = Joi.object<{ cursor?: number; limit: number }>({
  cursor: cursorParam('incident'),
  limit: Joi.number().integer().min(1).max(100).default(20).description('Page size.'),
});

export const enableBodySchema = Joi.object<{ since?: Date }>({
  since: timestamp().description('Deliver only what changed since then; older live deliveries owed are cancelled.'),
}).id('EnableEndpointRequest');


const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;

export const incidentSchema = answer({
  id: Joi.number().integer().min(1),
  merchant_id: int32Id(),
  state: Joi.string().valid('open', 'closed'),
  started_at: isoTime().description('The first failure of the run that opened the circuit.'),
  disabled_at: isoTime().allow(null),
  disabled_reason: Joi.string().valid('gone', 'failing_too_long').allow(null),
  recovered_at: isoTime().allow(null).description('When the incident ended (see ended_by).'),
  ended_by: Joi.string().valid('recovered', 'enabled', 'url_changed').allow(null),
  first_error: Joi.string().allow(null),
  probes: Joi.number().integer().min(0),
  deliveries_failed: Joi.number().integer().min(0).description('Deliveries that spent their 4 attempts during the incident (delivered again as `recovery`).'),
  held: Joi.number().integer().min(0).description('Deliveries that waited for the endpoint.'),
  replayed: Joi.number().integer().min(0).description('Of the held and recovery deliveries: delivered.'),
  still_to_send: Joi.number().integer().min(0),
}).id('EndpointIncident');

export const incidentListSchema = answer({ data: Joi.array().items(incidentSchema), next_cursor: Joi.string().allow(null) }).id('EndpointIncidentList');

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

export const endpointHealthSchema = answer({
  merchant_id: int32Id(),
  webhook_url: Joi.string().allow(null),
  state: Joi.string()
    .valid(...ENDPOINT_STATES)
    .description(
      'healthy: webhooks go out. failing: 5 failed attempts in a row over 3+ deliveries opened the circuit; deliveries wait ' +
        '(no attempt spent) and one probe at a time tests the endpoint (2 s apart, growing to 5 min). disabled: 410 Gone, or ' +
        'failing for ENDPOINT_DISABLE_AFTER_HOURS; nothing is sent until re-enabled. What is owed is kept in every state.',
    ),
  consecutive_failures: Joi.number().integer().min(0),
  failing_since: isoTime().allow(null),
  next_probe_at: isoTime().allow(null),
  last_success: Joi.object({ at: isoTime(), http_status: Joi.number().integer().allow(null), duration_ms: Joi.number().integer() }).allow(null),
  last_failure: Joi.object({
    at: isoTime(),
    outcome: Joi.string().valid(...DELIVERY_OUTCOMES),
    http_status: Joi.number().integer().allow(null),
    error: Joi.string().allow(null),
  }).allow(null),
  last_hour: Joi.object({
    attempts: Joi.number().integer().min(0),
    success_rate: Joi.number().min(0).max(1).allow(null),
    p95_latency_ms: Joi.number().integer().allow(null),
  }),
  open_incident: orNull(incidentSchema),
}).id('EndpointHealth');

export function presentEndpoint(view: EndpointView) {
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

export const endpointEnabledSchema = answer({
  merchant_id: int32Id(),
  state: Joi.valid('healthy'),
  incident: Joi.object({ id: Joi.number().integer(), started_at: isoTime(), ended_by: Joi.string() }).allow(null),
  to_send: Joi.number().integer().min(0).description('Deliveries released or owed again, now on their way.'),
}).id('EndpointEnabled');

/** SPEC 6: a merchant endpoint's health, its incidents, and re-enabling it (own merchants only). */
export function endpointHealthRoutes(deps: { auth: RequestHandler; service: EndpointHealthService }): Router {
  const router = Router();

  router.get('/merchants/:id/endpoint', deps.auth, async (req, res) => {
    const merchantId = pathId(String(req.params.id), 'Merchant not found', MAX_MERCHANT_ID);
    res.json(presentEndpoint(await deps.service.status(accountIdOf(req), merchantId)));
  });

  router.get('/merchants/:id/incidents', deps.auth, async (req, res) => {
    const merchantId = pathId(String(req.params.id), 'Merchant not found', MAX_MERCHANT_ID);
    const q = validate(incidentsQuerySchema, req.query);
    const rows = await deps.service.incidents(accountIdOf(req), merchantId, {
      limit: q.limit + 1,
      beforeId: q.cursor,
    });
    res.json(pageBody('incident', pageOf(rows, q.limit), presentIncident));
  });

  router.post('/merchants/:id/endpoint/enable', deps.auth, jsonBody('8kb'), async (req, res) => {
    const merchantId = pathId(String(req.params.id), 'Merchant not found', MAX_MERCHANT_ID);
    const body = validate(enableBodySchema, req.body ?? {});
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
