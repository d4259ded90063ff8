import { webhookBodyJsonSchema } from '@wr/domain';
import { adminPaths } from './admin-paths.js';
import { contractPaths } from './contract-paths.js';
import type { JsonSchema } from './json-schema.js';
import { componentSchemas, headers, jsonBody, parameters, responses, type JsonObject } from './openapi-kit.js';
import { servicePaths } from './service-paths.js';
import { v1Paths } from './v1-paths.js';

export { SERVES_SUBPATHS } from './service-paths.js';

/**
 * The OpenAPI 3.1 description of every route `createApp` serves (GET /docs, /docs/openapi.json).
 *
 * Shapes are not written here. Request bodies and query parameters are the joi schemas the routes
 * validate with; answers are the joi schemas beside their presenters; both are converted by
 * joi-to-json (./json-schema.ts). The path files (admin, contracts, v1, service) add what only a
 * reader needs: summaries, descriptions, which statuses each operation answers, error examples.
 *
 * The four provider contracts are described in their own shapes (SPEC 5): the Avista synchronous
 * resend and the WePayout payin bulk resend answer errors in the default
 * `{statusCode, message, error}` shape, SimPay in `{worked, detail}`, gates2b in
 * `{message, status: "error"}`. Everything else (admin, v1, health) uses the default shape.
 *
 * `apps/api/test/openapi.e2e.test.ts` checks that the document is valid OpenAPI, that every route
 * of the running app is in it with the same method (and nothing more), and that real answers of
 * the running app match (ajv) the schemas documented for their status codes.
 */

export interface OpenApiDocument {
  openapi: string;
  info: JsonObject;
  servers: JsonObject[];
  tags: JsonObject[];
  paths: Record<string, JsonObject>;
  webhooks: Record<string, JsonObject>;
  components: {
    securitySchemes: Record<string, JsonObject>;
    schemas: Record<string, JsonSchema>;
    responses: Record<string, JsonObject>;
    parameters: Record<string, JsonObject>;
    headers: Record<string, JsonObject>;
  };
}

const paths = { ...contractPaths, ...v1Paths, ...adminPaths, ...servicePaths };

/** What a merchant receives (SPEC 3); the body's schema is the one beside `buildWebhookBody`. */
const webhooks: Record<string, JsonObject> = {
  'transaction.status_changed': {
    post: {
      tags: ['Webhooks sent'],
      operationId: 'transactionStatusChanged',
      summary: 'A transaction changed status (sent to the merchant URL)',
      description:
        'Signed per Standard Webhooks with the merchant secret: verify with any Standard Webhooks library. Up to 4 attempts ' +
        '(1 + 3 retries with exponential backoff); redirects are not followed; a 2xx within the timeout is a success.',
      parameters: [
        { name: 'webhook-id', in: 'header', required: true, description: 'Same for every delivery of one status (deduplicate on it).', schema: { type: 'string' }, example: 'msg_123_3_1795867200000' },
        { name: 'webhook-timestamp', in: 'header', required: true, description: 'Unix seconds.', schema: { type: 'string', pattern: '^[0-9]+$' } },
        { name: 'webhook-signature', in: 'header', required: true, description: '`v1,<base64 HMAC-SHA256>`; during a secret rotation two, space-separated, the new secret first.', schema: { type: 'string' } },
      ],
      requestBody: jsonBody({ $ref: '#/components/schemas/WebhookPayload' }),
      responses: { '200': { description: 'Any 2xx acknowledges it.' } },
    },
  },
};

export const openApiDocument: OpenApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Webhook Resend Service',
    version: '0.1.0',
    description:
      "Delivers payment platforms' transaction webhooks with automatic retries, resends them on request (one at a time, " +
      'synchronously, or in bulk over a time window), and keeps an audit row for every attempt.\n\n' +
      'Four provider contracts run on the same core, each in its own request and error shapes: **Avista** ' +
      '(`/api/resend-webhook`), **gates2b** (`/invoices/resend-webhook`), **SimPay** (`/v3/webhooks`) and **WePayout** ' +
      '(`/v2/payin/notifications`). Client endpoints take `Authorization: Bearer <api key>` and only ever see the ' +
      "key's own account: anything else answers as if it did not exist. Admin endpoints take the `ADMIN_TOKEN`.\n\n" +
      'Every answer carries an `x-request-id` header (yours, when it is a sane token).',
  },
  servers: [{ url: '/', description: 'This server' }],
  tags: [
    { name: 'Synchronous resend (Avista)', description: 'SPEC 5.2. Errors: `{statusCode, message, error}`.' },
    { name: 'Invoice resend (gates2b)', description: 'SPEC 5.1. Errors: `{message, status: "error"}`.' },
    { name: 'Webhook resend (SimPay)', description: 'SPEC 5.3. Errors: `{worked: false, detail}`.' },
    { name: 'Payin bulk resend (WePayout)', description: 'SPEC 5.4. Errors: `{statusCode, message, error}`.' },
    { name: 'Jobs and replays', description: 'Bulk jobs of any contract, operator replays and recurring replays.' },
    { name: 'Audit trail', description: 'One row per delivery attempt, whatever its outcome.' },
    { name: 'Merchants', description: "Your merchants' endpoints, webhook secrets and delivery console links." },
    { name: 'Admin', description: "The platform core's feed: accounts and their API keys, merchants, transactions, status changes. Bearer ADMIN_TOKEN." },
    { name: 'Operator', description: 'Bull Board and the delivery console.' },
    { name: 'Service', description: 'Health, readiness, metrics and this document.' },
    { name: 'Webhooks sent', description: 'What a merchant receives (SPEC 3).' },
  ],
  paths,
  webhooks,
  components: {
    securitySchemes: {
      apiKey: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'wrk_<16 hex>_<43 base64url>',
        description: "An account's API key (POST /admin/accounts shows it once).",
      },
      adminToken: { type: 'http', scheme: 'bearer', description: 'The `ADMIN_TOKEN` of the environment.' },
      bullBoardBasic: { type: 'http', scheme: 'basic', description: 'Bull Board in a browser: any user name, the `ADMIN_TOKEN` as password.' },
    },
    schemas: { ...componentSchemas, WebhookPayload: webhookBodyJsonSchema },
    responses,
    parameters,
    headers,
  },
};
