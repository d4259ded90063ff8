import { int32Id, transactionId } from '../http/response-schemas.js';
import {
  enableBodySchema,
  endpointEnabledSchema,
  endpointHealthSchema,
  incidentListSchema,
  incidentsQuerySchema,
} from '../merchants/endpoint-health.routes.js';
import { rotatedSecretSchema, rotateSchema } from '../merchants/webhook-secret.routes.js';
import { createPortalSessionSchema, portalSessionSchema } from '../console/portal-sessions.routes.js';
import { payinJobSchema, webhookLogSchema } from '../presenters.js';
import { replayDryRunSchema, replayScheduleListSchema, replayScheduleSchema } from '../replays/replays.routes.js';
import { createReplaySchema, createScheduleSchema } from '../replays/replays.schemas.js';
import { requestSchema } from '../replays/request-summary.js';
import { webhookLogPageSchema, webhookLogQuerySchema } from '../webhook-logs/webhook-logs.routes.js';
import {
  API_KEY,
  defaultCommon,
  defaultError,
  jsonBody,
  jsonResponse,
  operations,
  pathParameter,
  queryParameters,
  ref,
  type JsonObject,
} from './openapi-kit.js';

const jobs = operations('Jobs and replays', API_KEY);
const audit = operations('Audit trail', API_KEY);
const merchants = operations('Merchants', API_KEY);

const ownMerchant = pathParameter('id', 'Merchant id (one of your account).', int32Id(), 303);
const merchantNotFound = () => defaultError(404, 'The merchant is not one of your account.', ['Merchant not found']);
const invalidInput = (messages: string[]) => defaultError(400, 'Invalid input; the message names the field.', messages);

/** SPEC 6: the service's own endpoints, Bearer API key, default dialect. */
export const v1Paths: Record<string, JsonObject> = {
  '/v1/resend-jobs/{job_id}': {
    parameters: [ref.parameter('JobIdPath')],
    get: jobs({
      operationId: 'getResendJob',
      summary: 'Any bulk job of your account (payin bulk, SimPay, replay)',
      responses: {
        '200': jsonResponse('The job.', payinJobSchema),
        '404': defaultError(404, 'No such job in your account.', ['Job not found']),
        ...defaultCommon(),
      },
    }),
  },
  '/v1/resend-jobs/{job_id}/cancel': {
    parameters: [ref.parameter('JobIdPath')],
    post: jobs({
      operationId: 'cancelResendJob',
      summary: 'Stop a queued or running bulk job',
      description: 'The fan-out and its batches stop at their next step; the window lock is released. No request body.',
      responses: {
        '200': jsonResponse('The job, now `cancelled`.', payinJobSchema),
        '404': defaultError(404, 'No such job in your account.', ['Job not found']),
        '409': defaultError(409, 'The job has already finished.', ['Job is already completed', 'Job is already cancelled']),
        ...defaultCommon(),
      },
    }),
  },
  '/v1/replays': {
    post: jobs({
      operationId: 'createReplay',
      summary: 'Replay a merchant over any window (after an outage)',
      description: 'The window is split into consecutive 3-hour jobs under one id; `only_failed` and `run_at` narrow and delay it.',
      requestBody: jsonBody(createReplaySchema),
      responses: {
        '200': jsonResponse('Dry run: only the count.', replayDryRunSchema),
        '201': jsonResponse('The replay and its jobs.', requestSchema),
        '400': ref.response('MalformedJson'),
        '404': merchantNotFound(),
        '409': defaultError(409, 'A job for one of the windows is queued or running.', [
          'A resend job for this merchant and start time (2026-11-22T09:00:00.000Z) is already queued or running',
        ]),
        '413': ref.response('BodyTooLarge'),
        '422': defaultError(422, 'Invalid input; the message names the field.', [
          '"to" must be after "from"',
          '"run_at" must be at most 7 days ahead',
          'Merchant has no webhook URL configured',
        ]),
        ...defaultCommon(),
      },
    }),
  },
  '/v1/replays/{id}': {
    parameters: [ref.parameter('RequestIdPath')],
    get: jobs({
      operationId: 'getReplay',
      summary: 'One replay with its jobs',
      responses: {
        '200': jsonResponse('The replay.', requestSchema),
        '404': defaultError(404, 'No such replay in your account.', ['Replay not found']),
        ...defaultCommon(),
      },
    }),
  },
  '/v1/replay-schedules': {
    get: jobs({
      operationId: 'listReplaySchedules',
      summary: "Your account's recurring replays",
      responses: { '200': jsonResponse('The schedules.', replayScheduleListSchema), ...defaultCommon() },
    }),
    post: jobs({
      operationId: 'createReplaySchedule',
      summary: 'Replay a merchant every N seconds (e.g. what failed in the last hour)',
      requestBody: jsonBody(createScheduleSchema),
      responses: {
        '201': jsonResponse('The schedule.', replayScheduleSchema),
        '400': ref.response('MalformedJson'),
        '404': merchantNotFound(),
        '413': ref.response('BodyTooLarge'),
        '422': defaultError(422, 'Invalid input; the message names the field.', ['"every_seconds" is required', 'Merchant has no webhook URL configured']),
        ...defaultCommon(),
      },
    }),
  },
  '/v1/replay-schedules/{id}': {
    parameters: [pathParameter('id', 'Schedule id.', { type: 'string' }, 'sched-0123456789abcdef01234567')],
    delete: jobs({
      operationId: 'deleteReplaySchedule',
      summary: 'Stop a recurring replay',
      responses: {
        '204': { description: 'Removed.' },
        '404': defaultError(404, 'No such schedule in your account.', ['Schedule not found']),
        ...defaultCommon(),
      },
    }),
  },
  '/v1/webhook-logs': {
    get: audit({
      operationId: 'listWebhookLogs',
      summary: 'Every delivery attempt of your account, newest first',
      parameters: queryParameters(webhookLogQuerySchema),
      responses: {
        '200': jsonResponse('A page of attempts.', webhookLogPageSchema),
        '400': defaultError(400, 'Invalid query (unknown parameters are refused).', [
          '"outcome" must be one of [success, http_error, timeout, network_error, blocked]',
          '"cursor" is not a cursor this API returned',
        ]),
        ...defaultCommon(),
      },
    }),
  },
  '/v1/webhook-logs/{id}': {
    parameters: [pathParameter('id', 'Audit row id (the `webhookLogId` of a synchronous resend).', transactionId(), 12345)],
    get: audit({
      operationId: 'getWebhookLog',
      summary: 'One delivery attempt',
      responses: {
        '200': jsonResponse('The attempt.', webhookLogSchema),
        '404': defaultError(404, 'No such attempt in your account.', ['Webhook log not found']),
        ...defaultCommon(),
      },
    }),
  },
  '/v1/merchants/{id}/endpoint': {
    parameters: [ownMerchant],
    get: merchants({
      operationId: 'getEndpointHealth',
      summary: "A merchant endpoint's health: state, last success and failure, the last hour, the open incident",
      responses: { '200': jsonResponse('The endpoint.', endpointHealthSchema), '404': merchantNotFound(), ...defaultCommon() },
    }),
  },
  '/v1/merchants/{id}/incidents': {
    parameters: [ownMerchant],
    get: merchants({
      operationId: 'listEndpointIncidents',
      summary: "A merchant endpoint's incidents, newest first, with what each cost and what is left to send",
      parameters: queryParameters(incidentsQuerySchema),
      responses: {
        '200': jsonResponse('The incidents.', incidentListSchema),
        '400': invalidInput(['"cursor" is not a cursor this API returned']),
        '404': merchantNotFound(),
        ...defaultCommon(),
      },
    }),
  },
  '/v1/merchants/{id}/endpoint/enable': {
    parameters: [ownMerchant],
    post: merchants({
      operationId: 'enableEndpoint',
      summary: 'Re-enable a disabled (or failing) endpoint and deliver what it is owed',
      description:
        'Ends the open incident: every delivery that waited is released and every one that spent its attempts during the ' +
        "incident is delivered again (trigger `recovery`), in status order, at the merchant's flow-control pace.",
      requestBody: jsonBody(enableBodySchema, { required: false }),
      responses: {
        '200': jsonResponse('Enabled.', endpointEnabledSchema),
        '400': invalidInput(['"since" must be in ISO 8601 date format', 'Malformed JSON body']),
        '404': merchantNotFound(),
        '413': ref.response('BodyTooLarge'),
        ...defaultCommon(),
      },
    }),
  },
  '/v1/merchants/{id}/webhook-secret/rotate': {
    parameters: [ownMerchant],
    post: merchants({
      operationId: 'rotateWebhookSecret',
      summary: "Replace a merchant's webhook secret, keeping the old one signing for an overlap",
      description:
        'During the overlap every webhook carries two signatures in `webhook-signature` (new secret first), so a receiver ' +
        'verifies with either secret. Rotating again during an overlap retires the older secret at once. The body is optional.',
      requestBody: jsonBody(rotateSchema, { required: false }),
      responses: {
        '200': jsonResponse('The new secret (shown only here).', rotatedSecretSchema),
        '400': invalidInput(['"overlap_seconds" must be less than or equal to 2592000', '"overlap_seconds" must be an integer', 'Malformed JSON body']),
        '404': merchantNotFound(),
        '413': ref.response('BodyTooLarge'),
        ...defaultCommon(),
      },
    }),
  },
  '/v1/portal-sessions': {
    post: merchants({
      operationId: 'createPortalSession',
      summary: "A one-time link into one merchant's delivery console",
      description:
        'Hand the link to the merchant (or open it for them): it signs them into `/console`, where they see their ' +
        "endpoint's health and incidents, the delivery log with each attempt's request and response, and can resend, replay " +
        'a window and rotate their secret. The token (in the URL fragment, so it never reaches a log) works once, within ' +
        '`PORTAL_SESSION_TTL_SECONDS` (15 minutes); it becomes an httpOnly, SameSite=Strict cookie for that merchant only, ' +
        'lasting as long again. The link points at `CONSOLE_PUBLIC_URL` when set, else at the host this request came to.',
      requestBody: jsonBody(createPortalSessionSchema),
      responses: {
        '201': jsonResponse('The link and until when it can be opened.', portalSessionSchema),
        '400': invalidInput(['"merchant_id" is required', '"merchant_id" must be a number', 'Malformed JSON body']),
        '404': merchantNotFound(),
        '413': ref.response('BodyTooLarge'),
        ...defaultCommon(),
      },
    }),
  },
};
