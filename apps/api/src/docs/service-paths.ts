import { defaultErrorSchema } from '../http/error-handler.js';
import { healthSchema, readinessSchema } from '../health/health.routes.js';
import { jsonResponse, operations, PUBLIC, ref, type JsonObject } from './openapi-kit.js';

/**
 * A path item whose `x-serves-subpaths` is true is a mounted browser application (Bull Board):
 * its own pages, assets and JSON API live beneath the path and are not described one by one.
 */
export const SERVES_SUBPATHS = 'x-serves-subpaths';

const service = operations('Service', PUBLIC);
const html = (description: string): JsonObject => ({ description, content: { 'text/html': { schema: { type: 'string' } } } });

/** Health, readiness, metrics, this document, Bull Board and the delivery console. */
export const servicePaths: Record<string, JsonObject> = {
  '/healthz': {
    get: service({
      operationId: 'getHealth',
      summary: 'Liveness: the process is up',
      responses: { '200': jsonResponse('The process answers.', healthSchema) },
    }),
  },
  '/readyz': {
    get: service({
      operationId: 'getReadiness',
      summary: 'Readiness: PostgreSQL and Redis answer within 1.5 s',
      responses: {
        '200': jsonResponse('Both dependencies answer.', readinessSchema, { status: 'ok', checks: { postgres: 'ok', redis: 'ok' } }),
        '503': jsonResponse('A dependency does not answer.', readinessSchema, { status: 'unavailable', checks: { postgres: 'ok', redis: 'unavailable' } }),
      },
    }),
  },
  '/metrics': {
    get: service({
      operationId: 'getMetrics',
      summary: 'Prometheus metrics',
      description:
        'Process metrics, `http_requests_total` by method, matched route and status, delivery attempts and durations, ' +
        'and queue depths and bulk jobs by state (read at scrape time; a gauge whose source is down is left empty). ' +
        'Every series carries `service="api"`.',
      responses: {
        '200': {
          description: 'Prometheus text exposition format.',
          content: { 'text/plain': { schema: { type: 'string' }, example: 'http_requests_total{method="GET",route="/healthz",status="200",service="api"} 1\n' } },
        },
        '500': ref.response('InternalError'),
      },
    }),
  },
  '/docs': {
    get: service({
      operationId: 'getDocsUi',
      summary: 'This document, in Swagger UI',
      description: "Swagger UI's assets are served beneath /docs/ as static files.",
      responses: { '200': html('The Swagger UI page.') },
    }),
  },
  '/docs/openapi.json': {
    get: service({
      operationId: 'getOpenApiDocument',
      summary: 'This document (OpenAPI 3.1, JSON)',
      responses: { '200': jsonResponse('The OpenAPI document.', { type: 'object' }) },
    }),
  },
  '/console': {
    [SERVES_SUBPATHS]: true,
    description:
      'The delivery console, a page of its own with its JSON calls beneath this path (not described here). Merchants sign ' +
      'in through a link from `POST /v1/portal-sessions` (a session cookie, their merchant only); operators open ' +
      '`/console/admin` with HTTP Basic (any user, `ADMIN_TOKEN` as password), as Bull Board.',
    get: operations('Operator', PUBLIC)({
      operationId: 'getConsole',
      summary: 'The delivery console page (the data behind it needs a portal session or the admin token)',
      responses: {
        '200': html('The console page (its script loads the view for the session).'),
        '503': jsonResponse('The console was not built (`npm run build` builds it).', defaultErrorSchema),
      },
    }),
  },
  '/admin/queues': {
    [SERVES_SUBPATHS]: true,
    description:
      "Bull Board: the BullMQ queues (delivery, bulk fan-out, bulk delivery, replay schedules) in a browser. The board's own " +
      'pages, assets and JSON API are served beneath this path and are not described here.',
    get: operations('Operator', [{ bullBoardBasic: [] }])({
      operationId: 'getQueuesBoard',
      summary: 'Bull Board (HTTP Basic: any user, ADMIN_TOKEN as password)',
      responses: {
        '200': html('The Bull Board page.'),
        '401': {
          ...jsonResponse('Missing or wrong credentials; the browser is asked for them.', defaultErrorSchema, {
            statusCode: 401,
            message: 'Unauthorized',
            error: 'Unauthorized',
          }),
          headers: { 'WWW-Authenticate': { description: 'A Basic challenge.', required: true, schema: { type: 'string' }, example: 'Basic realm="Bull Board"' } },
        },
      },
    }),
  },
};
