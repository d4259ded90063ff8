import { defaultErrorSchema } from '../http/error-handler.js';
import { EXAMPLE_JOB_ID } from '../http/response-schemas.js';
import { invoiceResendResultSchema } from '../invoices/invoice-resend.routes.js';
import { payinBulkResultSchema } from '../payin-bulk/payin-bulk.routes.js';
import { payinBulkResendSchema } from '../payin-bulk/payin-bulk.schemas.js';
import { payinJobSchema } from '../presenters.js';
import { syncResendBodySchema, syncResendFailureSchema, syncResendSuccessSchema } from '../resend/sync-resend.routes.js';
import { simpayCreatedSchema, simpayLogListSchema, simpayLogSchema } from '../simpay/simpay.routes.js';
import { resendLogsQuerySchema, simpayResendSchema } from '../simpay/simpay.schemas.js';
import {
  API_KEY,
  defaultCommon,
  defaultError,
  invoiceError,
  jsonBody,
  jsonExamples,
  jsonResponse,
  operations,
  pathParameter,
  queryParameters,
  ref,
  schemaOf,
  simpayError,
  type JsonObject,
} from './openapi-kit.js';

const avista = operations('Synchronous resend (Avista)', API_KEY);
const gates2b = operations('Invoice resend (gates2b)', API_KEY);
const simpay = operations('Webhook resend (SimPay)', API_KEY);
const wepayout = operations('Payin bulk resend (WePayout)', API_KEY);

const SENT_AT = '2024-01-15T10:30:00.000Z';
const simpayCommon = (): JsonObject => ({
  '401': ref.response('SimpayUnauthorized'),
  '500': ref.response('SimpayInternalError'),
  '503': ref.response('SimpayServiceUnavailable'),
});

/** SPEC 5: the four provider contracts, each in its own error dialect. */
export const contractPaths: Record<string, JsonObject> = {
  // 5.2 Avista
  '/api/resend-webhook/{identifier}': {
    parameters: [
      pathParameter(
        'identifier',
        'The numeric transaction id, the external id or the end-to-end id, searched within your account (over 128 characters is 404).',
        { type: 'string', minLength: 1, maxLength: 128 },
        'external-teste-001',
      ),
    ],
    post: avista({
      operationId: 'resendWebhookSync',
      summary: 'Resend one webhook now and wait for the result',
      description:
        'Delivers the current status once, in the request (timeout `WEBHOOK_TIMEOUT_MS`, 10 s by default), to the configured ' +
        'URL or to the one-off `url`. Every attempt has its audit row, named by `webhookLogId`. Rate limit: 60 calls a minute ' +
        'per account (configurable), shared by every replica.',
      requestBody: jsonBody(syncResendBodySchema, {
        required: false,
        description: 'Optional; without it the configured URL is used.',
        examples: [
          { summary: 'Resend to the configured URL', value: {} },
          { summary: 'Resend to a temporary URL', value: { url: 'https://my-backup-server.com/webhooks/avista' } },
        ],
      }),
      responses: {
        '200': jsonResponse('The destination answered 2xx.', syncResendSuccessSchema),
        '400': jsonExamples(
          'No URL to send to, an invalid `url`, a malformed body, or a destination that resolves to a non-public address (that attempt is audited as `blocked`).',
          { oneOf: [schemaOf(defaultErrorSchema), schemaOf(syncResendFailureSchema)] },
          [
            { summary: 'No webhook configured and no override URL provided', value: { statusCode: 400, message: 'No webhook configured and no override URL provided', error: 'Bad Request' } },
            { summary: 'Invalid url', value: { statusCode: 400, message: '"url" must be a valid uri with a scheme matching the http|https pattern', error: 'Bad Request' } },
            { summary: 'Webhook URL points to a non-public address', value: { statusCode: 400, message: 'Webhook URL points to a non-public address', webhookLogId: 12345, sentAt: SENT_AT } },
          ],
        ),
        '401': ref.response('Unauthorized'),
        '404': defaultError(404, 'No transaction of your account has this identifier.', ['Transaction not found']),
        '409': defaultError(409, 'The external id names transactions of several of your merchants.', ['Identifier matches transactions of several merchants; use the numeric transaction id']),
        '413': ref.response('BodyTooLarge'),
        '429': ref.response('TooManyRequests'),
        '500': ref.response('InternalError'),
        '502': jsonExamples(
          'The destination answered 4xx/5xx (`Webhook failed with status N`) or could not be reached (`Webhook failed: <cause>`).',
          syncResendFailureSchema,
          [
            { summary: 'Webhook failed with status 500', value: { statusCode: 502, message: 'Webhook failed with status 500', webhookLogId: 12345, sentAt: SENT_AT } },
            { summary: 'Connection failure', value: { statusCode: 502, message: 'Webhook failed: connect ECONNREFUSED 203.0.113.10:443', webhookLogId: 12345, sentAt: SENT_AT } },
          ],
        ),
        '503': ref.response('ServiceUnavailable'),
        '504': jsonResponse('The destination did not answer in time.', syncResendFailureSchema, {
          statusCode: 504,
          message: 'Timeout after 10000ms',
          webhookLogId: 12345,
          sentAt: SENT_AT,
        }),
      },
    }),
  },

  // 5.1 gates2b
  '/invoices/resend-webhook/{id}': {
    parameters: [pathParameter('id', 'Invoice (payin) id, the transaction id.', { type: 'string', pattern: '^[1-9][0-9]{0,15}$' }, '123')],
    post: gates2b({
      operationId: 'resendInvoiceWebhook',
      summary: "Resend an invoice's webhook (waits for the first attempt)",
      description:
        'Queues a manual delivery with the 3 automatic retries and waits for its first attempt (at most the delivery timeout ' +
        'plus 2 s). Calling again while one is pending joins it rather than adding a second delivery. No request body.',
      responses: {
        '200': jsonExamples('Delivered (`success`), or not yet (`pending`: the retries go on).', invoiceResendResultSchema, [
          { summary: 'Delivered', value: { message: 'Webhook reenviado com sucesso', invoice_id: 123, status: 'success' } },
          { summary: 'Pending', value: { message: 'Reenvio do webhook em andamento', invoice_id: 123, status: 'pending' } },
        ]),
        '400': invoiceError('The merchant has no webhook URL.', ['No webhook URL is configured for this invoice']),
        '401': ref.response('InvoiceUnauthorized'),
        '404': ref.response('InvoiceNotFound'),
        '500': ref.response('InvoiceInternalError'),
        '503': ref.response('InvoiceServiceUnavailable'),
      },
    }),
  },

  // 5.3 SimPay
  '/v3/webhooks/resend': {
    post: simpay({
      operationId: 'simpayCreateResend',
      summary: 'Request a resend: one object, or an account over a date range',
      description: 'Answers at once; the jobs run in the background. Follow them with GET /v3/webhooks/resend-logs/{id}.',
      requestBody: jsonBody(simpayResendSchema, {
        examples: [
          { summary: 'One QR Code (CASHIN)', value: { resend_type: 'CASHIN', object_reference_id: 12345 } },
          { summary: 'One Transaction (CASHOUT)', value: { resend_type: 'CASHOUT', object_reference_id: 98765 } },
          {
            summary: 'An account over a date range',
            value: {
              resend_type: 'CASHIN',
              source_account_branch_identifier: '0001',
              source_account_number: '123456',
              start_datetime: '2026-05-01T00:00:00Z',
              end_datetime: '2026-05-12T23:59:59Z',
            },
          },
        ],
      }),
      responses: {
        '200': jsonResponse('The request was created.', simpayCreatedSchema),
        '400': simpayError('The object or account is not yours or does not exist (or the body is not JSON).', [
          'QR Code not found',
          'Transaction not found',
          'Account not found',
          'Malformed JSON body',
        ]),
        '409': simpayError('A job for this merchant, kind and window start is already queued or running.', [
          'A resend job for this merchant and start time (2026-05-01T00:00:00.000Z) is already queued or running',
        ]),
        '413': ref.response('SimpayBodyTooLarge'),
        '422': simpayError('Validation error; the detail names the field and why.', [
          '"resend_type" is required',
          'A date range needs all four of "source_account_branch_identifier", "source_account_number", "start_datetime" and "end_datetime" (missing "end_datetime")',
          '"end_datetime" must be after "start_datetime"',
          'Merchant has no webhook URL configured',
        ]),
        ...simpayCommon(),
      },
    }),
  },
  '/v3/webhooks/resend-logs': {
    get: simpay({
      operationId: 'simpayListResendLogs',
      summary: 'List your resend requests, newest first, with their state and counts',
      parameters: queryParameters(resendLogsQuerySchema),
      responses: {
        '200': jsonResponse('A page of requests.', simpayLogListSchema),
        '422': simpayError('Invalid query (unknown parameters are refused).', ['"limit" must be less than or equal to 100']),
        ...simpayCommon(),
      },
    }),
  },
  '/v3/webhooks/resend-logs/{id}': {
    parameters: [ref.parameter('RequestIdPath')],
    get: simpay({
      operationId: 'simpayGetResendLog',
      summary: 'One resend request with its jobs',
      responses: {
        '200': jsonResponse('The request.', simpayLogSchema),
        '404': simpayError('No such request in your account.', ['Resend request not found']),
        ...simpayCommon(),
      },
    }),
  },

  // 5.4 WePayout
  '/v2/payin/notifications/resend': {
    post: wepayout({
      operationId: 'payinBulkResend',
      summary: "Resend a merchant's payin notifications over at most 3 hours",
      description: 'Dispatches one asynchronous job. Only one job may be queued or running per merchant and start time.',
      requestBody: jsonBody(payinBulkResendSchema),
      responses: {
        '200': jsonExamples('The job (or, for a dry run, only the count).', payinBulkResultSchema, [
          { summary: 'Dispatched', value: { job_id: EXAMPLE_JOB_ID, total: 142 } },
          { summary: 'Dry run', value: { job_id: null, total: 142 } },
        ]),
        '400': ref.response('MalformedJson'),
        '404': defaultError(404, 'The merchant is not one of your account.', ['Merchant not found']),
        '409': defaultError(409, 'A job for this merchant and start time is queued or running.', [
          'A resend job for this merchant and start time (2026-03-24T08:00:00.000Z) is already queued or running',
        ]),
        '413': ref.response('BodyTooLarge'),
        '422': defaultError(422, 'Invalid input; the message names the field.', [
          '"start_time" must be a UTC time formatted YYYY-MM-DD HH:MM:SS',
          '"end_time" must be at most 3 hours after "start_time"',
          '"status_ids[0]" must be a notifiable status id (2 to 10)',
          'Merchant has no webhook URL configured',
        ]),
        ...defaultCommon(),
      },
    }),
  },
  '/v2/payin/notifications/resend/{job_id}': {
    parameters: [ref.parameter('JobIdPath')],
    get: wepayout({
      operationId: 'payinBulkResendJobStatus',
      summary: 'Job Status: state, counts and timestamps',
      responses: {
        '200': jsonResponse('The job.', payinJobSchema),
        '404': defaultError(404, 'No such job in your account.', ['Job not found']),
        ...defaultCommon(),
      },
    }),
  },
};
