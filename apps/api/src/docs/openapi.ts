import { STATUS_CODES } from 'node:http';

/**
 * The OpenAPI 3.1 description of every route `createApp` serves (GET /docs, /docs/openapi.json).
 *
 * The four provider contracts are described in their own shapes (SPEC 5): the Avista synchronous
 * resend and the WePayout payin bulk resend answer errors in the default
 * `{statusCode, message, error}` shape, SimPay in `{worked, detail}`, gates2b in
 * `{message, status: "error"}`. Everything else (admin, v1, health) uses the default shape.
 *
 * `apps/api/test/openapi.e2e.test.ts` checks that the document is valid OpenAPI, that every route
 * of the running app is in it with the same method (and nothing more), and that real answers of
 * the running app match the schemas documented for their status codes.
 *
 * Layout: small helpers, then `schemas` (components), then shared `responses`, then `paths` by
 * area, then the document itself.
 */

// ---------------------------------------------------------------------------------------------
// Types and helpers
// ---------------------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };
type JsonObject = { [key: string]: Json | undefined };

export interface OpenApiDocument {
  openapi: string;
  info: JsonObject;
  servers: JsonObject[];
  tags: JsonObject[];
  paths: Record<string, JsonObject>;
  webhooks: Record<string, JsonObject>;
  components: {
    securitySchemes: Record<string, JsonObject>;
    schemas: Record<string, Json>;
    responses: Record<string, JsonObject>;
    parameters: Record<string, JsonObject>;
    headers: Record<string, JsonObject>;
  };
  [extension: `x-${string}`]: Json | undefined;
}

/**
 * A path item whose `x-serves-subpaths` is true is a mounted browser application (Bull Board):
 * its own pages, assets and JSON API live beneath the path and are not described one by one.
 */
export const SERVES_SUBPATHS = 'x-serves-subpaths';

const ref = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });
const responseRef = (name: string): JsonObject => ({ $ref: `#/components/responses/${name}` });
const parameterRef = (name: string): JsonObject => ({ $ref: `#/components/parameters/${name}` });
/** A nullable reference (OpenAPI 3.1: JSON Schema's `null` type). */
const orNull = (schema: JsonObject): JsonObject => ({ anyOf: [schema, { type: 'null' }] });

const API_KEY: JsonObject[] = [{ apiKey: [] }];
const ADMIN: JsonObject[] = [{ adminToken: [] }];
const PUBLIC: JsonObject[] = [];

/** Turns a message into an example key: "QR Code not found" -> "qr-code-not-found". */
function exampleKey(text: string, index: number): string {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 48);
  return slug || `example-${index + 1}`;
}

function examplesOf(values: Array<{ summary: string; value: Json }>): JsonObject {
  const out: JsonObject = {};
  values.forEach((v, i) => {
    let key = exampleKey(v.summary, i);
    while (out[key] !== undefined) key = `${key}-${i + 1}`;
    out[key] = { summary: v.summary, value: v.value };
  });
  return out;
}

function jsonResponse(description: string, schema: JsonObject, example?: Json, headers?: JsonObject): JsonObject {
  return {
    description,
    ...(headers ? { headers } : {}),
    content: { 'application/json': { schema, ...(example !== undefined ? { example } : {}) } },
  };
}

/** The default dialect (SPEC 4, Avista seed, admin, v1, WePayout): `{statusCode, message, error}`. */
function defaultError(status: number, description: string, messages: string[]): JsonObject {
  return {
    description,
    content: {
      'application/json': {
        schema: ref('DefaultError'),
        examples: examplesOf(messages.map((message) => ({ summary: message, value: { statusCode: status, message, error: STATUS_CODES[status]! } }))),
      },
    },
  };
}

/** The SimPay dialect: `{worked: false, detail}`. */
function simpayError(description: string, details: string[]): JsonObject {
  return {
    description,
    content: {
      'application/json': {
        schema: ref('SimpayError'),
        examples: examplesOf(details.map((detail) => ({ summary: detail, value: { worked: false, detail } }))),
      },
    },
  };
}

/** The gates2b dialect: `{message, status: "error"}`. */
function invoiceError(description: string, messages: string[]): JsonObject {
  return {
    description,
    content: {
      'application/json': {
        schema: ref('InvoiceError'),
        examples: examplesOf(messages.map((message) => ({ summary: message, value: { message, status: 'error' } }))),
      },
    },
  };
}

function pathParameter(name: string, description: string, schema: JsonObject, example: Json): JsonObject {
  return { name, in: 'path', required: true, description, schema, example };
}

function queryParameter(name: string, description: string, schema: JsonObject): JsonObject {
  return { name, in: 'query', required: false, description, schema };
}

function jsonBody(schema: JsonObject, options: { required?: boolean; description?: string; examples?: Array<{ summary: string; value: Json }> } = {}): JsonObject {
  return {
    required: options.required ?? true,
    ...(options.description ? { description: options.description } : {}),
    content: {
      'application/json': {
        schema,
        ...(options.examples ? { examples: examplesOf(options.examples) } : {}),
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Constants shared with the joi schemas (kept in step by hand; the e2e test checks real answers)
// ---------------------------------------------------------------------------------------------

const INT32_ID = { type: 'integer', minimum: 1, maximum: 2_147_483_647 } as const;
const TRANSACTION_ID = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } as const;
const JOB_ID_PATTERN = '^[0-9a-f]{32}$';
const ISO_WITH_ZONE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:?\\d{2})$';
const UTC_DATETIME_PATTERN = '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$';
const WEBHOOK_URL = { type: 'string', format: 'uri', maxLength: 2048, description: 'http or https URL of a public host' } as const;
const EXAMPLE_JOB_ID = 'a3f1bc2e4d8f0a1b2c3d4e5f6a7b8c9d';
const EXAMPLE_TIME = '2026-11-22T12:00:00.000Z';

const STATUS_TABLE =
  '1 Pending (never notified), 2 Canceled, 3 Paid, 4 Credited, 5 Drop Requested, 6 Awaiting Approval, ' +
  '7 Rejected, 8 Confirmed, 9 Partial Credited, 10 Pending Challenge.';

// ---------------------------------------------------------------------------------------------
// Component schemas
// ---------------------------------------------------------------------------------------------

const transactionInputProperties: JsonObject = {
  merchant_id: { ...INT32_ID, description: 'Merchant the transaction belongs to (must exist).' },
  kind: ref('TransactionKind'),
  status_id: ref('StatusId'),
  amount: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Amount in integer cents.' },
  id: { ...TRANSACTION_ID, description: "Explicit id (imported from the platform's core); generated when omitted." },
  external_id: {
    type: ['string', 'null'],
    pattern: '^[\\x21-\\x7e]{1,128}$',
    description: "The merchant's own key: 1 to 128 printable characters without spaces, unique per merchant.",
  },
  end_to_end_id: {
    type: ['string', 'null'],
    pattern: '^[ED][A-Za-z0-9]{32}$',
    description: 'BACEN PIX end-to-end id: E or D followed by 32 letters or digits, unique.',
  },
  status_changed_at: { type: 'string', format: 'date-time', description: 'When the status last changed (defaults to now); bulk windows filter on it.' },
  data: { type: 'object', additionalProperties: true, default: {}, description: 'Free JSON, sent as is in the webhook.' },
};
const transactionInputRequired = ['merchant_id', 'kind', 'status_id', 'amount'];

const merchantProperties: JsonObject = {
  id: INT32_ID,
  account_id: INT32_ID,
  name: { type: 'string' },
  branch_identifier: { type: ['string', 'null'] },
  account_number: { type: ['string', 'null'] },
  webhook_url: { type: ['string', 'null'] },
  max_concurrency: { type: ['integer', 'null'], description: 'Deliveries in flight at once, across all workers (null: the deployment default, MERCHANT_MAX_CONCURRENCY).' },
  max_per_second: { type: ['integer', 'null'], description: 'Deliveries per second, across all workers (null: no rate cap).' },
  created_at: { type: 'string', format: 'date-time' },
  updated_at: { type: 'string', format: 'date-time' },
};
const merchantRequired = ['id', 'account_id', 'name', 'branch_identifier', 'account_number', 'webhook_url', 'max_concurrency', 'max_per_second', 'created_at', 'updated_at'];
const flowControlFields: JsonObject = {
  max_concurrency: { type: ['integer', 'null'], minimum: 1, maximum: 10_000, description: 'Deliveries in flight to this merchant at once (null: MERCHANT_MAX_CONCURRENCY). Live webhooks go first: a replay leaves them a fifth.' },
  max_per_second: { type: ['integer', 'null'], minimum: 1, maximum: 100_000, description: 'Deliveries per second to this merchant (null: no rate cap).' },
};

/** A keyset page of an admin list: newest first by id, `next_cursor` null on the last page. */
const adminPage = (item: string): JsonObject => ({
  type: 'object',
  required: ['data', 'next_cursor'],
  properties: {
    data: { type: 'array', items: ref(item) },
    next_cursor: { type: ['string', 'null'], description: 'Pass as `cursor` for the next (older) page; null on the last page.' },
  },
});
const API_KEY_ID = { type: 'string', pattern: '^[0-9a-f]{16}$', description: 'The key id: 16 hex characters, the middle of `wrk_<id>_<secret>`.' } as const;
const API_KEY_PREFIX = { type: 'string', pattern: '^wrk_[0-9a-f]{16}$', description: 'The non-secret start of the key (`wrk_<id>`), to tell keys apart.' } as const;

const jobCounters: JsonObject = {
  total: { type: 'integer', minimum: 0, description: 'Notifications matched by the window.' },
  processed: { type: 'integer', minimum: 0, description: 'Notifications whose delivery is final (delivered or attempts spent).' },
  succeeded: { type: 'integer', minimum: 0 },
  failed: { type: 'integer', minimum: 0 },
};

const schemas: Record<string, Json> = {
  // --- vocabulary -----------------------------------------------------------------------------
  TransactionKind: { type: 'string', enum: ['CASHIN', 'CASHOUT'], description: 'CASHIN: payin (PIX QR code, invoice). CASHOUT: payout.' },
  StatusId: { type: 'integer', minimum: 1, maximum: 10, description: `Transaction status id: ${STATUS_TABLE}` },
  NotifiableStatusId: { type: 'integer', minimum: 2, maximum: 10, description: 'A status that is notified (2 to 10).' },
  StatusName: {
    type: 'string',
    enum: ['Pending', 'Canceled', 'Paid', 'Credited', 'Drop Requested', 'Awaiting Approval', 'Rejected', 'Confirmed', 'Partial Credited', 'Pending Challenge'],
  },
  ResendJobState: { type: 'string', enum: ['queued', 'running', 'completed', 'failed', 'cancelled'] },
  DeliveryTrigger: { type: 'string', enum: ['automatic', 'manual', 'bulk', 'scheduled', 'recovery'] },
  DeliveryOutcome: { type: 'string', enum: ['success', 'http_error', 'timeout', 'network_error', 'blocked'] },
  UrlSource: { type: 'string', enum: ['configured', 'override'] },
  JobId: { type: 'string', pattern: JOB_ID_PATTERN, description: '32 lowercase hex characters.', example: EXAMPLE_JOB_ID },

  // --- error bodies, one per dialect ------------------------------------------------------------
  DefaultError: {
    type: 'object',
    description: 'The default error body (SPEC 4).',
    required: ['statusCode', 'message', 'error'],
    properties: {
      statusCode: { type: 'integer', minimum: 400, maximum: 599 },
      message: { type: 'string', description: 'What went wrong; validation messages name the field.' },
      error: { type: 'string', description: 'The HTTP reason phrase.' },
    },
    example: { statusCode: 401, message: 'Unauthorized', error: 'Unauthorized' },
  },
  RateLimitError: {
    type: 'object',
    description: 'Too many requests (the Avista seed documents it without `error`).',
    required: ['statusCode', 'message'],
    properties: { statusCode: { const: 429 }, message: { const: 'Too Many Requests' } },
    additionalProperties: false,
  },
  SimpayError: {
    type: 'object',
    description: "SimPay's error body.",
    required: ['worked', 'detail'],
    properties: { worked: { const: false }, detail: { type: 'string' } },
    additionalProperties: false,
    example: { worked: false, detail: 'QR Code not found' },
  },
  InvoiceError: {
    type: 'object',
    description: "gates2b's error body.",
    required: ['message', 'status'],
    properties: { message: { type: 'string' }, status: { const: 'error' } },
    additionalProperties: false,
    example: { message: 'Invoice not found', status: 'error' },
  },

  // --- health -----------------------------------------------------------------------------------
  Health: { type: 'object', required: ['status'], properties: { status: { const: 'ok' } }, example: { status: 'ok' } },
  Readiness: {
    type: 'object',
    required: ['status', 'checks'],
    properties: {
      status: { type: 'string', enum: ['ok', 'unavailable'] },
      checks: {
        type: 'object',
        required: ['postgres', 'redis'],
        properties: {
          postgres: { type: 'string', enum: ['ok', 'unavailable'] },
          redis: { type: 'string', enum: ['ok', 'unavailable'] },
        },
      },
    },
  },

  // --- admin ------------------------------------------------------------------------------------
  CreateAccountRequest: {
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string', minLength: 1, maxLength: 200 } },
    additionalProperties: false,
    example: { name: 'Acme' },
  },
  CreatedAccount: {
    type: 'object',
    required: ['id', 'name', 'created_at', 'api_key'],
    properties: {
      id: INT32_ID,
      name: { type: 'string' },
      created_at: { type: 'string', format: 'date-time' },
      api_key: {
        type: 'string',
        pattern: '^wrk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$',
        description: 'The API key in clear. Shown only in this answer; stored hashed.',
      },
    },
  },
  Account: {
    type: 'object',
    required: ['id', 'name', 'created_at'],
    properties: { id: INT32_ID, name: { type: 'string' }, created_at: { type: 'string', format: 'date-time' } },
    example: { id: 1, name: 'Acme', created_at: EXAMPLE_TIME },
  },
  AccountPage: adminPage('Account'),
  CreatedApiKey: {
    type: 'object',
    required: ['id', 'account_id', 'api_key', 'prefix', 'created_at'],
    properties: {
      id: API_KEY_ID,
      account_id: INT32_ID,
      api_key: { type: 'string', pattern: '^wrk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$', description: 'The API key in clear. Shown only in this answer; stored hashed.' },
      prefix: API_KEY_PREFIX,
      created_at: { type: 'string', format: 'date-time' },
    },
  },
  ApiKey: {
    type: 'object',
    description: 'An API key as listed: never the key or its hash.',
    required: ['id', 'prefix', 'created_at', 'revoked_at'],
    properties: {
      id: API_KEY_ID,
      prefix: API_KEY_PREFIX,
      created_at: { type: 'string', format: 'date-time' },
      revoked_at: { type: ['string', 'null'], format: 'date-time', description: 'When it was revoked (it then answers 401); null while it works.' },
    },
    example: { id: '9f86d081884c7d65', prefix: 'wrk_9f86d081884c7d65', created_at: EXAMPLE_TIME, revoked_at: null },
  },
  ApiKeyList: { type: 'object', required: ['data'], properties: { data: { type: 'array', items: ref('ApiKey') } } },
  CreateMerchantRequest: {
    type: 'object',
    required: ['account_id', 'name'],
    description: '`branch_identifier` and `account_number` come together (the bank account SimPay ranges name).',
    properties: {
      account_id: INT32_ID,
      name: { type: 'string', minLength: 1, maxLength: 200 },
      id: { ...INT32_ID, description: "Explicit id (imported from the platform's core); generated when omitted." },
      branch_identifier: { type: 'string', pattern: '^[0-9]{1,10}$' },
      account_number: { type: 'string', pattern: '^[0-9A-Za-z-]{1,32}$' },
      webhook_url: { ...WEBHOOK_URL, type: ['string', 'null'] },
      ...flowControlFields,
    },
    dependentRequired: { branch_identifier: ['account_number'], account_number: ['branch_identifier'] },
    additionalProperties: false,
    example: { account_id: 1, id: 303, name: 'Shop', branch_identifier: '0001', account_number: '123456', webhook_url: 'https://shop.example/webhooks' },
  },
  UpdateMerchantRequest: {
    type: 'object',
    minProperties: 1,
    description:
      '`branch_identifier` and `account_number` come together: both strings (a new bank account, unique across merchants) ' +
      'or both null (no bank account).',
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 200 },
      webhook_url: { ...WEBHOOK_URL, type: ['string', 'null'], description: 'null clears it.' },
      ...flowControlFields,
      branch_identifier: { type: ['string', 'null'], pattern: '^[0-9]{1,10}$' },
      account_number: { type: ['string', 'null'], pattern: '^[0-9A-Za-z-]{1,32}$' },
    },
    dependentRequired: { branch_identifier: ['account_number'], account_number: ['branch_identifier'] },
    additionalProperties: false,
    example: { webhook_url: 'https://shop.example/webhooks/v2' },
  },
  Merchant: { type: 'object', required: merchantRequired, properties: merchantProperties },
  MerchantPage: adminPage('Merchant'),
  MerchantWithSecret: {
    type: 'object',
    description: 'A merchant as created: with its Standard Webhooks secret (shown only here).',
    required: [...merchantRequired, 'webhook_secret'],
    properties: { ...merchantProperties, webhook_secret: { type: 'string', pattern: '^whsec_[A-Za-z0-9+/=]+$' } },
  },
  CreateTransactionRequest: {
    type: 'object',
    required: transactionInputRequired,
    properties: {
      ...transactionInputProperties,
      notify: { type: 'boolean', default: true, description: 'Send the automatic webhook (notifiable statuses only).' },
    },
    additionalProperties: false,
    example: { merchant_id: 303, kind: 'CASHIN', status_id: 3, amount: 1500, external_id: 'order-1' },
  },
  TransactionInput: { type: 'object', required: transactionInputRequired, properties: transactionInputProperties, additionalProperties: false },
  CreateTransactionBatchRequest: {
    type: 'object',
    required: ['transactions'],
    properties: {
      transactions: { type: 'array', minItems: 1, maxItems: 10_000, items: ref('TransactionInput') },
      notify: { type: 'boolean', default: true },
    },
    additionalProperties: false,
  },
  ChangeStatusRequest: {
    type: 'object',
    required: ['status_id'],
    properties: { status_id: ref('StatusId'), status_changed_at: { type: 'string', format: 'date-time' } },
    additionalProperties: false,
    example: { status_id: 4 },
  },
  Transaction: {
    type: 'object',
    required: ['id', 'merchant_id', 'kind', 'external_id', 'end_to_end_id', 'status_id', 'status', 'amount', 'data', 'status_changed_at', 'sequence', 'created_at'],
    properties: {
      id: TRANSACTION_ID,
      merchant_id: INT32_ID,
      kind: ref('TransactionKind'),
      external_id: { type: ['string', 'null'] },
      end_to_end_id: { type: ['string', 'null'] },
      status_id: ref('StatusId'),
      status: ref('StatusName'),
      amount: { type: 'integer', minimum: 0 },
      data: { type: 'object', additionalProperties: true },
      status_changed_at: { type: 'string', format: 'date-time', description: 'Taken by the database; never goes backwards.' },
      sequence: { type: 'integer', minimum: 1, description: '1 for the first status, +1 for each change (carried in the webhook body).' },
      created_at: { type: 'string', format: 'date-time' },
    },
  },
  TransactionPage: adminPage('Transaction'),
  TransactionBatchCreated: {
    type: 'object',
    required: ['count', 'ids'],
    properties: { count: { type: 'integer', minimum: 1 }, ids: { type: 'array', items: TRANSACTION_ID } },
  },

  // --- SPEC 5.2, Avista: synchronous resend -------------------------------------------------------
  SyncResendRequest: {
    type: 'object',
    properties: { url: { ...WEBHOOK_URL, description: 'One-off destination; used once and never stored.' } },
    additionalProperties: false,
    example: { url: 'https://my-backup-server.com/webhooks/avista' },
  },
  SyncResendSuccess: {
    type: 'object',
    required: ['message', 'webhookLogId', 'sentAt', 'statusCode'],
    properties: {
      message: { const: 'Webhook resent successfully' },
      webhookLogId: { type: 'integer', minimum: 1, description: 'The audit row of this attempt (GET /v1/webhook-logs/{id}).' },
      sentAt: { type: 'string', format: 'date-time' },
      statusCode: { type: 'integer', minimum: 200, maximum: 299, description: "The destination's HTTP status." },
    },
    example: { message: 'Webhook resent successfully', webhookLogId: 12345, sentAt: '2024-01-15T10:30:00.000Z', statusCode: 200 },
  },
  SyncResendFailure: {
    type: 'object',
    description: 'A failed attempt: it has its audit row all the same, named by `webhookLogId`.',
    required: ['statusCode', 'message', 'webhookLogId', 'sentAt'],
    properties: {
      statusCode: { type: 'integer', enum: [400, 502, 504] },
      message: { type: 'string' },
      webhookLogId: { type: 'integer', minimum: 1 },
      sentAt: { type: 'string', format: 'date-time' },
    },
    additionalProperties: false,
  },

  // --- SPEC 5.1, gates2b: invoice resend ----------------------------------------------------------
  InvoiceResendResult: {
    type: 'object',
    required: ['message', 'invoice_id', 'status'],
    properties: {
      message: { type: 'string', enum: ['Webhook reenviado com sucesso', 'Reenvio do webhook em andamento'] },
      invoice_id: { type: 'number' },
      status: {
        type: 'string',
        enum: ['success', 'pending'],
        description: 'success: the first attempt delivered it. pending: it did not (yet); the 3 automatic retries go on.',
      },
    },
    example: { message: 'Webhook reenviado com sucesso', invoice_id: 123, status: 'success' },
  },

  // --- SPEC 5.3, SimPay -------------------------------------------------------------------------
  SimpayResendRequest: {
    type: 'object',
    description:
      'Either `object_reference_id` (for CASHIN a QR Code id, for CASHOUT a Transaction id), or all four of ' +
      '`source_account_branch_identifier`, `source_account_number`, `start_datetime` and `end_datetime`. ' +
      'Ranges are half-open [start, end), at most 31 days, split into consecutive 3-hour jobs under one request id.',
    required: ['resend_type'],
    properties: {
      resend_type: ref('TransactionKind'),
      object_reference_id: TRANSACTION_ID,
      source_account_branch_identifier: { type: 'string', minLength: 1, maxLength: 10 },
      source_account_number: { type: 'string', minLength: 1, maxLength: 32 },
      start_datetime: { type: 'string', format: 'date-time', pattern: ISO_WITH_ZONE_PATTERN, description: 'ISO 8601 with a time zone.' },
      end_datetime: { type: 'string', format: 'date-time', pattern: ISO_WITH_ZONE_PATTERN, description: 'ISO 8601 with a time zone; after start_datetime.' },
    },
    oneOf: [
      {
        title: 'One object',
        required: ['object_reference_id'],
        properties: { source_account_branch_identifier: false, source_account_number: false, start_datetime: false, end_datetime: false },
      },
      {
        title: 'Account and date range',
        required: ['source_account_branch_identifier', 'source_account_number', 'start_datetime', 'end_datetime'],
        properties: { object_reference_id: false },
      },
    ],
    additionalProperties: false,
  },
  SimpayResendCreated: {
    type: 'object',
    required: ['worked', 'detail'],
    properties: {
      worked: { const: true },
      detail: { type: 'string', pattern: '^Webhook resend request created\\. ID: [0-9a-f]{32}$' },
    },
    example: { worked: true, detail: `Webhook resend request created. ID: ${EXAMPLE_JOB_ID}` },
  },
  ResendRequestJob: {
    type: 'object',
    description: 'One 3-hour job of a request.',
    required: ['job_id', 'state', 'start_datetime', 'end_datetime', 'total', 'processed', 'succeeded', 'failed'],
    properties: {
      job_id: ref('JobId'),
      state: ref('ResendJobState'),
      start_datetime: { type: 'string', format: 'date-time' },
      end_datetime: { type: 'string', format: 'date-time' },
      ...jobCounters,
    },
  },
  ResendRequest: {
    type: 'object',
    description:
      'A resend request (SimPay) or a replay (v1) with its jobs. `state` is running while any job is alive and one has ' +
      'started, completed when all completed, otherwise the worst final state. Counters are sums over the jobs.',
    required: [
      'id', 'resend_type', 'object_reference_id', 'merchant_id', 'start_datetime', 'end_datetime', 'only_failed', 'run_at',
      'state', 'jobs', 'total', 'processed', 'succeeded', 'failed', 'created_at', 'finished_at', 'jobs_detail',
    ],
    properties: {
      id: ref('JobId'),
      resend_type: orNull(ref('TransactionKind')),
      object_reference_id: { type: ['integer', 'null'], description: 'Set for a one-object request.' },
      merchant_id: INT32_ID,
      start_datetime: { type: ['string', 'null'], format: 'date-time' },
      end_datetime: { type: ['string', 'null'], format: 'date-time' },
      only_failed: { type: 'boolean' },
      run_at: { type: ['string', 'null'], format: 'date-time', description: 'When a delayed replay starts.' },
      state: ref('ResendJobState'),
      jobs: { type: 'integer', minimum: 1, description: 'How many jobs the request was split into.' },
      ...jobCounters,
      created_at: { type: 'string', format: 'date-time' },
      finished_at: { type: ['string', 'null'], format: 'date-time' },
      jobs_detail: { type: 'array', items: ref('ResendRequestJob') },
    },
  },
  SimpayResendLogList: {
    type: 'object',
    required: ['worked', 'data'],
    properties: { worked: { const: true }, data: { type: 'array', items: ref('ResendRequest') } },
  },
  SimpayResendLog: {
    type: 'object',
    required: ['worked', 'data'],
    properties: { worked: { const: true }, data: ref('ResendRequest') },
  },

  // --- SPEC 5.4, WePayout: payin bulk resend -------------------------------------------------------
  PayinBulkResendRequest: {
    type: 'object',
    required: ['merchant_id', 'start_time', 'end_time'],
    properties: {
      merchant_id: { ...INT32_ID, description: "One of the account's merchant ids (a JSON number)." },
      start_time: { type: 'string', pattern: UTC_DATETIME_PATTERN, description: 'UTC, `YYYY-MM-DD HH:MM:SS`.', example: '2026-03-24 08:00:00' },
      end_time: {
        type: 'string',
        pattern: UTC_DATETIME_PATTERN,
        description: 'UTC, `YYYY-MM-DD HH:MM:SS`; after start_time and at most 3 hours after it (the window is [start, end)).',
        example: '2026-03-24 11:00:00',
      },
      status_ids: { type: 'array', minItems: 1, maxItems: 9, uniqueItems: true, items: ref('NotifiableStatusId'), description: 'Default: every notifiable status.' },
      dry_run: { type: 'boolean', default: false, description: 'Only count; nothing is dispatched and job_id is null.' },
    },
    additionalProperties: false,
    example: { merchant_id: 303, start_time: '2026-03-24 08:00:00', end_time: '2026-03-24 11:00:00', status_ids: [3, 4], dry_run: false },
  },
  PayinBulkResendResult: {
    type: 'object',
    required: ['job_id', 'total'],
    properties: {
      job_id: { type: ['string', 'null'], pattern: JOB_ID_PATTERN, description: 'null for a dry run.' },
      total: { type: 'integer', minimum: 0, description: 'Payins matched at request time.' },
    },
    example: { job_id: EXAMPLE_JOB_ID, total: 142 },
  },
  ResendJob: {
    type: 'object',
    description: 'The Job Status answer: one bulk job (any contract).',
    required: [
      'job_id', 'merchant_id', 'state', 'start_time', 'end_time', 'status_ids', 'total', 'processed', 'succeeded', 'failed',
      'created_at', 'started_at', 'finished_at',
    ],
    properties: {
      job_id: ref('JobId'),
      merchant_id: INT32_ID,
      state: ref('ResendJobState'),
      start_time: { type: 'string', pattern: UTC_DATETIME_PATTERN },
      end_time: { type: 'string', pattern: UTC_DATETIME_PATTERN },
      status_ids: { type: ['array', 'null'], items: ref('NotifiableStatusId') },
      ...jobCounters,
      created_at: { type: 'string', format: 'date-time' },
      started_at: { type: ['string', 'null'], format: 'date-time' },
      finished_at: { type: ['string', 'null'], format: 'date-time' },
    },
    example: {
      job_id: EXAMPLE_JOB_ID, merchant_id: 303, state: 'running', start_time: '2026-03-24 08:00:00', end_time: '2026-03-24 11:00:00',
      status_ids: [3, 4], total: 142, processed: 100, succeeded: 98, failed: 2, created_at: '2026-03-24T12:00:00.000Z',
      started_at: '2026-03-24T12:00:01.000Z', finished_at: null,
    },
  },

  // --- replays and schedules --------------------------------------------------------------------
  CreateReplayRequest: {
    type: 'object',
    required: ['merchant_id', 'from', 'to'],
    properties: {
      merchant_id: INT32_ID,
      from: { type: 'string', format: 'date-time', pattern: ISO_WITH_ZONE_PATTERN },
      to: { type: 'string', format: 'date-time', pattern: ISO_WITH_ZONE_PATTERN, description: 'After `from`, at most 31 days later (split into 3-hour jobs).' },
      kind: { ...ref('TransactionKind'), description: 'Default: both kinds.' },
      status_ids: { type: 'array', minItems: 1, uniqueItems: true, items: ref('NotifiableStatusId') },
      only_failed: { type: 'boolean', default: false, description: 'Only transactions whose last delivery did not succeed.' },
      run_at: { type: 'string', format: 'date-time', pattern: ISO_WITH_ZONE_PATTERN, description: 'Start later (at most 7 days ahead).' },
      dry_run: { type: 'boolean', default: false, description: 'Only count.' },
    },
    additionalProperties: false,
    example: { merchant_id: 303, from: '2026-11-22T09:00:00Z', to: '2026-11-22T15:00:00Z', only_failed: true },
  },
  ReplayDryRunResult: {
    type: 'object',
    required: ['id', 'total'],
    properties: { id: { type: 'null' }, total: { type: 'integer', minimum: 0 } },
    example: { id: null, total: 42 },
  },
  CreateReplayScheduleRequest: {
    type: 'object',
    required: ['merchant_id', 'every_seconds'],
    properties: {
      merchant_id: INT32_ID,
      every_seconds: { type: 'integer', minimum: 1, maximum: 604_800, description: 'How often it runs.' },
      lookback_seconds: { type: 'integer', minimum: 1, maximum: 2_678_400, description: 'How far back the first run looks (default every_seconds); each later run starts where the previous one ended.' },
      only_failed: { type: 'boolean', default: true },
      kind: ref('TransactionKind'),
    },
    additionalProperties: false,
    example: { merchant_id: 303, every_seconds: 3600 },
  },
  ReplaySchedule: {
    type: 'object',
    required: ['id', 'merchant_id', 'every_seconds', 'lookback_seconds', 'only_failed', 'kind', 'covered_until', 'next_run_at'],
    properties: {
      id: { type: 'string', pattern: '^sched-[0-9a-f]{24}$' },
      merchant_id: INT32_ID,
      every_seconds: { type: 'number', exclusiveMinimum: 0 },
      lookback_seconds: { type: 'number', exclusiveMinimum: 0 },
      only_failed: { type: 'boolean' },
      kind: orNull(ref('TransactionKind')),
      covered_until: {
        type: ['string', 'null'],
        format: 'date-time',
        description: 'High-water mark: the next firing replays from here to its own time, so a skipped firing leaves no gap.',
      },
      next_run_at: { type: ['string', 'null'], format: 'date-time' },
    },
  },
  ReplayScheduleList: { type: 'object', required: ['data'], properties: { data: { type: 'array', items: ref('ReplaySchedule') } } },

  // --- merchants: webhook secret rotation -------------------------------------------------------
  RotateWebhookSecretRequest: {
    type: 'object',
    properties: {
      overlap_seconds: {
        type: 'integer',
        minimum: 0,
        maximum: 2_592_000,
        default: 86_400,
        description: 'How long the replaced secret keeps signing (a second signature), so receivers can switch without losing a webhook. 0 stops it at once.',
      },
    },
    additionalProperties: false,
    example: { overlap_seconds: 3600 },
  },
  EndpointState: {
    type: 'string',
    enum: ['healthy', 'failing', 'disabled'],
    description:
      'healthy: webhooks go out. failing: 5 failed attempts in a row over 3+ deliveries opened the circuit; deliveries wait ' +
      '(no attempt spent) and one probe at a time tests the endpoint (2 s apart, growing to 5 min). disabled: 410 Gone, or ' +
      'failing for ENDPOINT_DISABLE_AFTER_HOURS; nothing is sent until re-enabled. What is owed is kept in every state.',
  },
  EndpointIncident: {
    type: 'object',
    required: ['id', 'merchant_id', 'state', 'started_at', 'recovered_at', 'deliveries_failed', 'held', 'replayed', 'still_to_send'],
    properties: {
      id: { type: 'integer', minimum: 1 },
      merchant_id: INT32_ID,
      state: { type: 'string', enum: ['open', 'closed'] },
      started_at: { type: 'string', format: 'date-time', description: 'The first failure of the run that opened the circuit.' },
      disabled_at: { type: ['string', 'null'], format: 'date-time' },
      disabled_reason: { type: ['string', 'null'], enum: ['gone', 'failing_too_long', null] },
      recovered_at: { type: ['string', 'null'], format: 'date-time', description: 'When the incident ended (see ended_by).' },
      ended_by: { type: ['string', 'null'], enum: ['recovered', 'enabled', 'url_changed', null] },
      first_error: { type: ['string', 'null'] },
      probes: { type: 'integer', minimum: 0 },
      deliveries_failed: { type: 'integer', minimum: 0, description: 'Deliveries that spent their 4 attempts during the incident (delivered again as `recovery`).' },
      held: { type: 'integer', minimum: 0, description: 'Deliveries that waited for the endpoint.' },
      replayed: { type: 'integer', minimum: 0, description: 'Of the held and recovery deliveries: delivered.' },
      still_to_send: { type: 'integer', minimum: 0 },
    },
  },
  EndpointIncidentList: {
    type: 'object',
    required: ['data', 'next_cursor'],
    properties: { data: { type: 'array', items: ref('EndpointIncident') }, next_cursor: { type: ['string', 'null'] } },
  },
  EndpointHealth: {
    type: 'object',
    required: ['merchant_id', 'state', 'consecutive_failures', 'last_success', 'last_failure', 'last_hour', 'open_incident'],
    properties: {
      merchant_id: INT32_ID,
      webhook_url: { type: ['string', 'null'] },
      state: ref('EndpointState'),
      consecutive_failures: { type: 'integer', minimum: 0 },
      failing_since: { type: ['string', 'null'], format: 'date-time' },
      next_probe_at: { type: ['string', 'null'], format: 'date-time' },
      last_success: {
        type: ['object', 'null'],
        properties: { at: { type: 'string', format: 'date-time' }, http_status: { type: ['integer', 'null'] }, duration_ms: { type: 'integer' } },
      },
      last_failure: {
        type: ['object', 'null'],
        properties: {
          at: { type: 'string', format: 'date-time' },
          outcome: ref('DeliveryOutcome'),
          http_status: { type: ['integer', 'null'] },
          error: { type: ['string', 'null'] },
        },
      },
      last_hour: {
        type: 'object',
        properties: {
          attempts: { type: 'integer', minimum: 0 },
          success_rate: { type: ['number', 'null'], minimum: 0, maximum: 1 },
          p95_latency_ms: { type: ['integer', 'null'] },
        },
      },
      open_incident: { oneOf: [ref('EndpointIncident'), { type: 'null' }] },
    },
  },
  EnableEndpointRequest: {
    type: 'object',
    properties: { since: { type: 'string', format: 'date-time', description: 'Deliver only what changed since then; older live deliveries owed are cancelled.' } },
    additionalProperties: false,
  },
  EndpointEnabled: {
    type: 'object',
    required: ['merchant_id', 'state', 'incident', 'to_send'],
    properties: {
      merchant_id: INT32_ID,
      state: { const: 'healthy' },
      incident: { type: ['object', 'null'], properties: { id: { type: 'integer' }, started_at: { type: 'string', format: 'date-time' }, ended_by: { type: 'string' } } },
      to_send: { type: 'integer', minimum: 0, description: 'Deliveries released or owed again, now on their way.' },
    },
  },
  RotatedWebhookSecret: {
    type: 'object',
    required: ['merchant_id', 'webhook_secret', 'previous_secret_expires_at'],
    properties: {
      merchant_id: INT32_ID,
      webhook_secret: { type: 'string', pattern: '^whsec_[A-Za-z0-9+/=]+$', description: 'The new secret. Shown only in this answer; stored encrypted.' },
      previous_secret_expires_at: {
        type: ['string', 'null'],
        format: 'date-time',
        description: 'Until when webhooks also carry a signature made with the replaced secret; null when `overlap_seconds` was 0.',
      },
    },
    example: { merchant_id: 303, webhook_secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', previous_secret_expires_at: '2026-11-23T12:00:00.000Z' },
  },

  // --- audit trail ------------------------------------------------------------------------------
  WebhookLog: {
    type: 'object',
    description: 'One delivery attempt, whatever its outcome.',
    required: [
      'id', 'transaction_id', 'merchant_id', 'webhook_id', 'status_id', 'trigger', 'resend_job_id', 'url', 'url_source', 'attempt',
      'http_status', 'duration_ms', 'outcome', 'error', 'response_body', 'sent_at',
    ],
    properties: {
      id: { type: 'integer', minimum: 1 },
      transaction_id: TRANSACTION_ID,
      merchant_id: INT32_ID,
      webhook_id: { type: 'string', description: 'The Standard Webhooks `webhook-id` sent (same for every delivery of one status).' },
      status_id: ref('StatusId'),
      trigger: ref('DeliveryTrigger'),
      resend_job_id: { type: ['string', 'null'], pattern: JOB_ID_PATTERN },
      url: { type: 'string' },
      url_source: ref('UrlSource'),
      attempt: { type: 'integer', minimum: 1, maximum: 4 },
      http_status: { type: ['integer', 'null'] },
      duration_ms: { type: 'integer', minimum: 0 },
      outcome: { ...orNull(ref('DeliveryOutcome')), description: 'null while the attempt is in flight (the row is written before the request).' },
      error: { type: ['string', 'null'] },
      response_body: { type: ['string', 'null'], description: 'First bytes of the response body.' },
      sent_at: { type: 'string', format: 'date-time' },
    },
  },
  WebhookLogPage: {
    type: 'object',
    required: ['data', 'next_cursor'],
    properties: {
      data: { type: 'array', items: ref('WebhookLog') },
      next_cursor: { type: ['string', 'null'], description: 'Pass as `cursor` for the next (older) page; null on the last page.' },
    },
  },

  // --- SPEC 3: the webhook a merchant receives ---------------------------------------------------
  WebhookPayload: {
    type: 'object',
    required: ['type', 'transactionId', 'externalId', 'endToEndId', 'merchantId', 'kind', 'statusId', 'status', 'amount', 'statusChangedAt', 'data'],
    properties: {
      type: { const: 'transaction.status_changed' },
      transactionId: TRANSACTION_ID,
      externalId: { type: ['string', 'null'] },
      endToEndId: { type: ['string', 'null'] },
      merchantId: INT32_ID,
      kind: ref('TransactionKind'),
      statusId: ref('NotifiableStatusId'),
      status: ref('StatusName'),
      amount: { type: 'integer', minimum: 0 },
      statusChangedAt: { type: 'string', format: 'date-time' },
      data: { type: 'object', additionalProperties: true },
    },
    example: {
      type: 'transaction.status_changed', transactionId: 123, externalId: 'order-1', endToEndId: 'E12345678202611221200abcdefghijkl',
      merchantId: 303, kind: 'CASHIN', statusId: 3, status: 'Paid', amount: 1500, statusChangedAt: EXAMPLE_TIME, data: {},
    },
  },
};

// ---------------------------------------------------------------------------------------------
// Shared responses, parameters and headers
// ---------------------------------------------------------------------------------------------

const headers: Record<string, JsonObject> = {
  RetryAfter: { description: 'Seconds until the limit resets.', required: true, schema: { type: 'integer', minimum: 1 } },
};

const responses: Record<string, JsonObject> = {
  // default dialect
  Unauthorized: defaultError(401, 'Missing or invalid credentials.', ['Unauthorized']),
  MalformedJson: defaultError(400, 'The body is not JSON.', ['Malformed JSON body']),
  BodyTooLarge: defaultError(413, 'The body is over the route limit.', ['Request body too large']),
  ServiceUnavailable: defaultError(503, 'PostgreSQL or Redis is unreachable; nothing was accepted, retry later.', ['Service temporarily unavailable']),
  InternalError: defaultError(500, 'Unexpected error (no internals in the answer).', ['Internal server error']),
  TooManyRequests: {
    description: 'More than `RESEND_RATE_LIMIT_PER_MINUTE` (default 60) calls a minute for this account.',
    headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } },
    content: { 'application/json': { schema: ref('RateLimitError'), example: { statusCode: 429, message: 'Too Many Requests' } } },
  },
  // SimPay dialect
  SimpayUnauthorized: simpayError('Missing or invalid credentials.', ['Unauthorized']),
  SimpayBodyTooLarge: simpayError('The body is over 8 KB.', ['Request body too large']),
  SimpayServiceUnavailable: simpayError('PostgreSQL or Redis is unreachable; nothing was accepted.', ['Service temporarily unavailable']),
  SimpayInternalError: simpayError('Unexpected error.', ['Internal server error']),
  // gates2b dialect
  InvoiceUnauthorized: invoiceError('Missing or invalid authentication token.', ['Unauthorized']),
  InvoiceNotFound: invoiceError("Unknown invoice, another account's, or a payout.", ['Invoice not found']),
  InvoiceServiceUnavailable: invoiceError('PostgreSQL or Redis is unreachable.', ['Service temporarily unavailable']),
  InvoiceInternalError: invoiceError('Internal error while resending webhook.', ['Internal error while resending webhook']),
};

const parameters: Record<string, JsonObject> = {
  JobIdPath: pathParameter('job_id', 'The bulk job id (32 hex characters; anything else is 404).', ref('JobId'), EXAMPLE_JOB_ID),
  RequestIdPath: pathParameter('id', 'The request id (32 hex characters; anything else is 404).', ref('JobId'), EXAMPLE_JOB_ID),
};

/** What every default-dialect client call may also answer. */
const defaultCommon = (): JsonObject => ({
  '401': responseRef('Unauthorized'),
  '500': responseRef('InternalError'),
  '503': responseRef('ServiceUnavailable'),
});

// ---------------------------------------------------------------------------------------------
// Paths: health, metrics, docs, Bull Board
// ---------------------------------------------------------------------------------------------

const servicePaths: Record<string, JsonObject> = {
  '/healthz': {
    get: {
      tags: ['Service'],
      operationId: 'getHealth',
      summary: 'Liveness: the process is up',
      security: PUBLIC,
      responses: { '200': jsonResponse('The process answers.', ref('Health')) },
    },
  },
  '/readyz': {
    get: {
      tags: ['Service'],
      operationId: 'getReadiness',
      summary: 'Readiness: PostgreSQL and Redis answer within 1.5 s',
      security: PUBLIC,
      responses: {
        '200': jsonResponse('Both dependencies answer.', ref('Readiness'), { status: 'ok', checks: { postgres: 'ok', redis: 'ok' } }),
        '503': jsonResponse('A dependency does not answer.', ref('Readiness'), { status: 'unavailable', checks: { postgres: 'ok', redis: 'unavailable' } }),
      },
    },
  },
  '/metrics': {
    get: {
      tags: ['Service'],
      operationId: 'getMetrics',
      summary: 'Prometheus metrics',
      description:
        'Process metrics, `http_requests_total` by method, matched route and status, delivery attempts and durations, ' +
        'and queue depths and bulk jobs by state (read at scrape time; a gauge whose source is down is left empty). ' +
        'Every series carries `service="api"`.',
      security: PUBLIC,
      responses: {
        '200': {
          description: 'Prometheus text exposition format.',
          content: { 'text/plain': { schema: { type: 'string' }, example: 'http_requests_total{method="GET",route="/healthz",status="200",service="api"} 1\n' } },
        },
        '500': responseRef('InternalError'),
      },
    },
  },
  '/docs': {
    get: {
      tags: ['Service'],
      operationId: 'getDocsUi',
      summary: 'This document, in Swagger UI',
      description: "Swagger UI's assets are served beneath /docs/ as static files.",
      security: PUBLIC,
      responses: { '200': { description: 'The Swagger UI page.', content: { 'text/html': { schema: { type: 'string' } } } } },
    },
  },
  '/docs/openapi.json': {
    get: {
      tags: ['Service'],
      operationId: 'getOpenApiDocument',
      summary: 'This document (OpenAPI 3.1, JSON)',
      security: PUBLIC,
      responses: { '200': { description: 'The OpenAPI document.', content: { 'application/json': { schema: { type: 'object' } } } } },
    },
  },
  '/admin/queues': {
    [SERVES_SUBPATHS]: true,
    description:
      "Bull Board: the BullMQ queues (delivery, bulk fan-out, bulk delivery, replay schedules) in a browser. The board's own " +
      'pages, assets and JSON API are served beneath this path and are not described here.',
    get: {
      tags: ['Operator'],
      operationId: 'getQueuesBoard',
      summary: 'Bull Board (HTTP Basic: any user, ADMIN_TOKEN as password)',
      security: [{ bullBoardBasic: [] }],
      responses: {
        '200': { description: 'The Bull Board page.', content: { 'text/html': { schema: { type: 'string' } } } },
        '401': {
          description: 'Missing or wrong credentials; the browser is asked for them.',
          headers: { 'WWW-Authenticate': { description: 'A Basic challenge.', required: true, schema: { type: 'string' }, example: 'Basic realm="Bull Board"' } },
          content: { 'application/json': { schema: ref('DefaultError'), example: { statusCode: 401, message: 'Unauthorized', error: 'Unauthorized' } } },
        },
      },
    },
  },
};

// ---------------------------------------------------------------------------------------------
// Paths: admin (SPEC 6), Bearer ADMIN_TOKEN, default dialect
// ---------------------------------------------------------------------------------------------

const adminCommon = (): JsonObject => ({
  '401': responseRef('Unauthorized'),
  '413': responseRef('BodyTooLarge'),
  '500': responseRef('InternalError'),
  '503': responseRef('ServiceUnavailable'),
});

/** `cursor` and `limit` of every admin list (newest first, by id). */
const adminListParameters = (cursorOf: string): JsonObject[] => [
  queryParameter('cursor', `\`next_cursor\` of the previous page of ${cursorOf} (opaque; another list's cursor is refused).`, { type: 'string', maxLength: 64 }),
  queryParameter('limit', 'Page size.', { type: 'integer', minimum: 1, maximum: 200, default: 50 }),
];
const BAD_CURSOR = '"cursor" is not a cursor this API returned';

const adminPaths: Record<string, JsonObject> = {
  '/admin/accounts': {
    get: {
      tags: ['Admin'],
      operationId: 'adminListAccounts',
      summary: 'List accounts, newest first',
      security: ADMIN,
      parameters: adminListParameters('accounts'),
      responses: {
        '200': jsonResponse('A page of accounts.', ref('AccountPage')),
        '400': defaultError(400, 'Invalid query (the message names the parameter; unknown parameters are refused).', ['"limit" must be less than or equal to 200', BAD_CURSOR]),
        ...defaultCommon(),
      },
    },
    post: {
      tags: ['Admin'],
      operationId: 'adminCreateAccount',
      summary: 'Create an account and its API key',
      description: 'The API key is in this answer only; it is stored as a SHA-256 of its secret part.',
      security: ADMIN,
      requestBody: jsonBody(ref('CreateAccountRequest')),
      responses: {
        '201': jsonResponse('The account and its API key.', ref('CreatedAccount')),
        '400': defaultError(400, 'Invalid body (the message names the field) or malformed JSON.', ['"name" is required', 'Malformed JSON body']),
        ...adminCommon(),
      },
    },
  },
  '/admin/accounts/{id}': {
    parameters: [pathParameter('id', 'Account id.', INT32_ID, 1)],
    get: {
      tags: ['Admin'],
      operationId: 'adminGetAccount',
      summary: 'One account',
      security: ADMIN,
      responses: {
        '200': jsonResponse('The account.', ref('Account')),
        '404': defaultError(404, 'No such account (or an id that cannot be one).', ['Account not found']),
        ...defaultCommon(),
      },
    },
  },
  '/admin/accounts/{id}/api-keys': {
    parameters: [pathParameter('id', 'Account id.', INT32_ID, 1)],
    get: {
      tags: ['Admin'],
      operationId: 'adminListApiKeys',
      summary: "An account's API keys, revoked ones included, newest first",
      description: 'Only prefixes: neither the keys nor their hashes are ever shown again.',
      security: ADMIN,
      responses: {
        '200': jsonResponse('The keys.', ref('ApiKeyList')),
        '404': defaultError(404, 'No such account.', ['Account not found']),
        ...defaultCommon(),
      },
    },
    post: {
      tags: ['Admin'],
      operationId: 'adminCreateApiKey',
      summary: 'Issue another API key for the account',
      description: 'For rotating keys without downtime: issue a new key, move clients to it, revoke the old one. No body.',
      security: ADMIN,
      responses: {
        '201': jsonResponse('The key, in clear in this answer only.', ref('CreatedApiKey')),
        '404': defaultError(404, 'No such account.', ['Account not found']),
        ...defaultCommon(),
      },
    },
  },
  '/admin/api-keys/{id}': {
    parameters: [pathParameter('id', 'The key id (the `id` of the key, 16 hex characters; anything else is 404).', API_KEY_ID, '9f86d081884c7d65')],
    delete: {
      tags: ['Admin'],
      operationId: 'adminRevokeApiKey',
      summary: 'Revoke an API key',
      description:
        'The key answers 401 from the next request on; the account\'s other keys keep working. Idempotent: revoking a revoked key ' +
        'answers 204 again and keeps the first revocation time.',
      security: ADMIN,
      responses: {
        '204': { description: 'Revoked (now or before).' },
        '404': defaultError(404, 'No such key.', ['API key not found']),
        ...defaultCommon(),
      },
    },
  },
  '/admin/merchants': {
    get: {
      tags: ['Admin'],
      operationId: 'adminListMerchants',
      summary: 'List merchants, newest first (optionally one account\'s)',
      description: 'Webhook secrets are never in this answer.',
      security: ADMIN,
      parameters: [queryParameter('account_id', 'Only this account\'s merchants.', INT32_ID), ...adminListParameters('merchants')],
      responses: {
        '200': jsonResponse('A page of merchants.', ref('MerchantPage')),
        '400': defaultError(400, 'Invalid query (the message names the parameter).', ['"account_id" must be a number', BAD_CURSOR]),
        ...defaultCommon(),
      },
    },
    post: {
      tags: ['Admin'],
      operationId: 'adminCreateMerchant',
      summary: 'Create a merchant (with its webhook secret)',
      security: ADMIN,
      requestBody: jsonBody(ref('CreateMerchantRequest')),
      responses: {
        '201': jsonResponse('The merchant, with its `whsec_` secret (shown here and nowhere else).', ref('MerchantWithSecret')),
        '400': defaultError(400, 'Invalid body or webhook URL (the message names the field).', ['"account_id" is required', '"webhook_url" must be a valid uri with a scheme matching the http|https pattern', 'Malformed JSON body']),
        '409': defaultError(409, 'The id, or the branch and account number, is taken.', ['A merchant with this "id" already exists', 'A merchant with this "branch_identifier" and "account_number" already exists']),
        '422': defaultError(422, 'The account does not exist.', ['"account_id" does not name an existing account']),
        ...adminCommon(),
      },
    },
  },
  '/admin/merchants/{id}': {
    parameters: [pathParameter('id', 'Merchant id.', INT32_ID, 303)],
    get: {
      tags: ['Admin'],
      operationId: 'adminGetMerchant',
      summary: 'One merchant (never its webhook secret)',
      security: ADMIN,
      responses: {
        '200': jsonResponse('The merchant (without its secret).', ref('Merchant')),
        '404': defaultError(404, 'No such merchant.', ['Merchant not found']),
        ...defaultCommon(),
      },
    },
    patch: {
      tags: ['Admin'],
      operationId: 'adminUpdateMerchant',
      summary: "Change a merchant's name, webhook URL, flow control or bank account",
      description: 'A new webhook URL is a new endpoint: its health starts over and what the old one was owed goes to it.',
      security: ADMIN,
      requestBody: jsonBody(ref('UpdateMerchantRequest')),
      responses: {
        '200': jsonResponse('The merchant (without its secret).', ref('Merchant')),
        '400': defaultError(400, 'Invalid body or webhook URL (the message names the field).', [
          '"value" must have at least 1 key',
          '"account_number" must be null when "branch_identifier" is null',
          'Malformed JSON body',
        ]),
        '404': defaultError(404, 'No such merchant.', ['Merchant not found']),
        '409': defaultError(409, 'Another merchant has this branch and account number.', ['A merchant with this "branch_identifier" and "account_number" already exists']),
        ...adminCommon(),
      },
    },
  },
  '/admin/transactions': {
    get: {
      tags: ['Admin'],
      operationId: 'adminListTransactions',
      summary: "List one merchant's transactions, newest first",
      description: '`merchant_id` is required (the table runs to millions of rows). An unknown merchant has no transactions.',
      security: ADMIN,
      parameters: [{ ...queryParameter('merchant_id', 'The merchant.', INT32_ID), required: true }, ...adminListParameters('transactions')],
      responses: {
        '200': jsonResponse('A page of transactions.', ref('TransactionPage')),
        '400': defaultError(400, 'Invalid query (the message names the parameter).', ['"merchant_id" is required', '"limit" must be greater than or equal to 1', BAD_CURSOR]),
        ...defaultCommon(),
      },
    },
    post: {
      tags: ['Admin'],
      operationId: 'adminCreateTransaction',
      summary: 'Create a transaction (notified unless `notify` is false)',
      description: 'A notifiable status (2 to 10) sends the automatic webhook after commit, with 3 automatic retries.',
      security: ADMIN,
      requestBody: jsonBody(ref('CreateTransactionRequest')),
      responses: {
        '201': jsonResponse('The transaction.', ref('Transaction')),
        '400': defaultError(400, 'Invalid body (the message names the field).', ['"kind" must be one of [CASHIN, CASHOUT]', 'Malformed JSON body']),
        '409': defaultError(409, 'The id, external id (for this merchant) or end-to-end id is taken.', ['"external_id" is already used by another transaction']),
        '422': defaultError(422, 'The merchant does not exist, or text holds characters that cannot be stored.', ['"merchant_id" does not name an existing merchant']),
        ...adminCommon(),
      },
    },
  },
  '/admin/transactions/batch': {
    post: {
      tags: ['Admin'],
      operationId: 'adminCreateTransactionBatch',
      summary: 'Create 1 to 10,000 transactions at once (all or nothing)',
      description: 'Body limit 16 MB. Field names in messages carry the item index, e.g. `"transactions[3].amount"`.',
      security: ADMIN,
      requestBody: jsonBody(ref('CreateTransactionBatchRequest')),
      responses: {
        '201': jsonResponse('How many were created and their ids, in order.', ref('TransactionBatchCreated'), { count: 2, ids: [1001, 1002] }),
        '400': defaultError(400, 'Invalid body.', ['"transactions[3].amount" must be greater than or equal to 0', 'Malformed JSON body']),
        '409': defaultError(409, 'A key is taken or repeated within the batch.', ['"transactions[1].external_id" repeats another transaction of this request']),
        '422': defaultError(422, 'A merchant does not exist.', ['"transactions[0].merchant_id" does not name an existing merchant']),
        ...adminCommon(),
      },
    },
  },
  '/admin/transactions/{id}': {
    parameters: [pathParameter('id', 'Transaction id.', TRANSACTION_ID, 123)],
    get: {
      tags: ['Admin'],
      operationId: 'adminGetTransaction',
      summary: 'One transaction',
      security: ADMIN,
      responses: {
        '200': jsonResponse('The transaction.', ref('Transaction')),
        '404': defaultError(404, 'No such transaction.', ['Transaction not found']),
        ...defaultCommon(),
      },
    },
    patch: {
      tags: ['Admin'],
      operationId: 'adminChangeTransactionStatus',
      summary: 'Change the status of a transaction (the automatic webhook goes out)',
      description:
        'Setting the status it already has, without a new `status_changed_at`, changes nothing and sends nothing. ' +
        'The time of the change is the database clock under the row lock (or the given time, which must be later than the stored one); `sequence` goes up by one.',
      security: ADMIN,
      requestBody: jsonBody(ref('ChangeStatusRequest')),
      responses: {
        '200': jsonResponse('The transaction.', ref('Transaction')),
        '400': defaultError(400, 'Invalid body.', ['"status_id" is required', 'Malformed JSON body']),
        '404': defaultError(404, 'No such transaction.', ['Transaction not found']),
        '409': defaultError(409, 'The given time is not later than the stored one.', ['"status_changed_at" must be later than the transaction\'s current one (2026-11-22T15:30:00.000Z)']),
        ...adminCommon(),
      },
    },
  },
};

// ---------------------------------------------------------------------------------------------
// Paths: the four provider contracts (SPEC 5)
// ---------------------------------------------------------------------------------------------

const contractPaths: Record<string, JsonObject> = {
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
    post: {
      tags: ['Synchronous resend (Avista)'],
      operationId: 'resendWebhookSync',
      summary: 'Resend one webhook now and wait for the result',
      description:
        'Delivers the current status once, in the request (timeout `WEBHOOK_TIMEOUT_MS`, 10 s by default), to the configured ' +
        'URL or to the one-off `url`. Every attempt has its audit row, named by `webhookLogId`. Rate limit: 60 calls a minute ' +
        'per account (configurable), shared by every replica.',
      security: API_KEY,
      requestBody: jsonBody(ref('SyncResendRequest'), {
        required: false,
        description: 'Optional; without it the configured URL is used.',
        examples: [
          { summary: 'Resend to the configured URL', value: {} },
          { summary: 'Resend to a temporary URL', value: { url: 'https://my-backup-server.com/webhooks/avista' } },
        ],
      }),
      responses: {
        '200': jsonResponse('The destination answered 2xx.', ref('SyncResendSuccess')),
        '400': {
          description: 'No URL to send to, an invalid `url`, a malformed body, or a destination that resolves to a non-public address (that attempt is audited as `blocked`).',
          content: {
            'application/json': {
              schema: { oneOf: [ref('DefaultError'), ref('SyncResendFailure')] },
              examples: examplesOf([
                { summary: 'No webhook configured and no override URL provided', value: { statusCode: 400, message: 'No webhook configured and no override URL provided', error: 'Bad Request' } },
                { summary: 'Invalid url', value: { statusCode: 400, message: '"url" must be a valid uri with a scheme matching the http|https pattern', error: 'Bad Request' } },
                { summary: 'Webhook URL points to a non-public address', value: { statusCode: 400, message: 'Webhook URL points to a non-public address', webhookLogId: 12345, sentAt: '2024-01-15T10:30:00.000Z' } },
              ]),
            },
          },
        },
        '401': responseRef('Unauthorized'),
        '404': defaultError(404, 'No transaction of your account has this identifier.', ['Transaction not found']),
        '409': defaultError(409, 'The external id names transactions of several of your merchants.', ['Identifier matches transactions of several merchants; use the numeric transaction id']),
        '413': responseRef('BodyTooLarge'),
        '429': responseRef('TooManyRequests'),
        '500': responseRef('InternalError'),
        '502': {
          description: 'The destination answered 4xx/5xx (`Webhook failed with status N`) or could not be reached (`Webhook failed: <cause>`).',
          content: {
            'application/json': {
              schema: ref('SyncResendFailure'),
              examples: examplesOf([
                { summary: 'Webhook failed with status 500', value: { statusCode: 502, message: 'Webhook failed with status 500', webhookLogId: 12345, sentAt: '2024-01-15T10:30:00.000Z' } },
                { summary: 'Connection failure', value: { statusCode: 502, message: 'Webhook failed: connect ECONNREFUSED 203.0.113.10:443', webhookLogId: 12345, sentAt: '2024-01-15T10:30:00.000Z' } },
              ]),
            },
          },
        },
        '503': responseRef('ServiceUnavailable'),
        '504': jsonResponse('The destination did not answer in time.', ref('SyncResendFailure'), {
          statusCode: 504,
          message: 'Timeout after 10000ms',
          webhookLogId: 12345,
          sentAt: '2024-01-15T10:30:00.000Z',
        }),
      },
    },
  },

  // 5.1 gates2b
  '/invoices/resend-webhook/{id}': {
    parameters: [pathParameter('id', 'Invoice (payin) id, the transaction id.', { type: 'string', pattern: '^[1-9][0-9]{0,15}$' }, '123')],
    post: {
      tags: ['Invoice resend (gates2b)'],
      operationId: 'resendInvoiceWebhook',
      summary: "Resend an invoice's webhook (waits for the first attempt)",
      description:
        'Queues a manual delivery with the 3 automatic retries and waits for its first attempt (at most the delivery timeout ' +
        'plus 2 s). Calling again while one is pending joins it rather than adding a second delivery. No request body.',
      security: API_KEY,
      responses: {
        '200': {
          description: 'Delivered (`success`), or not yet (`pending`: the retries go on).',
          content: {
            'application/json': {
              schema: ref('InvoiceResendResult'),
              examples: examplesOf([
                { summary: 'Delivered', value: { message: 'Webhook reenviado com sucesso', invoice_id: 123, status: 'success' } },
                { summary: 'Pending', value: { message: 'Reenvio do webhook em andamento', invoice_id: 123, status: 'pending' } },
              ]),
            },
          },
        },
        '400': invoiceError('The merchant has no webhook URL.', ['No webhook URL is configured for this invoice']),
        '401': responseRef('InvoiceUnauthorized'),
        '404': responseRef('InvoiceNotFound'),
        '500': responseRef('InvoiceInternalError'),
        '503': responseRef('InvoiceServiceUnavailable'),
      },
    },
  },

  // 5.3 SimPay
  '/v3/webhooks/resend': {
    post: {
      tags: ['Webhook resend (SimPay)'],
      operationId: 'simpayCreateResend',
      summary: 'Request a resend: one object, or an account over a date range',
      description: 'Answers at once; the jobs run in the background. Follow them with GET /v3/webhooks/resend-logs/{id}.',
      security: API_KEY,
      requestBody: jsonBody(ref('SimpayResendRequest'), {
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
        '200': jsonResponse('The request was created.', ref('SimpayResendCreated')),
        '400': simpayError('The object or account is not yours or does not exist (or the body is not JSON).', [
          'QR Code not found',
          'Transaction not found',
          'Account not found',
          'Malformed JSON body',
        ]),
        '401': responseRef('SimpayUnauthorized'),
        '409': simpayError('A job for this merchant, kind and window start is already queued or running.', [
          'A resend job for this merchant and start time (2026-05-01T00:00:00.000Z) is already queued or running',
        ]),
        '413': responseRef('SimpayBodyTooLarge'),
        '422': simpayError('Validation error; the detail names the field and why.', [
          '"resend_type" is required',
          'A date range needs all four of "source_account_branch_identifier", "source_account_number", "start_datetime" and "end_datetime" (missing "end_datetime")',
          '"end_datetime" must be after "start_datetime"',
          'Merchant has no webhook URL configured',
        ]),
        '500': responseRef('SimpayInternalError'),
        '503': responseRef('SimpayServiceUnavailable'),
      },
    },
  },
  '/v3/webhooks/resend-logs': {
    get: {
      tags: ['Webhook resend (SimPay)'],
      operationId: 'simpayListResendLogs',
      summary: 'List your resend requests, newest first, with their state and counts',
      security: API_KEY,
      parameters: [
        queryParameter('limit', 'Page size.', { type: 'integer', minimum: 1, maximum: 100, default: 50 }),
        queryParameter('offset', 'Requests to skip.', { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 }),
      ],
      responses: {
        '200': jsonResponse('A page of requests.', ref('SimpayResendLogList')),
        '401': responseRef('SimpayUnauthorized'),
        '422': simpayError('Invalid query (unknown parameters are refused).', ['"limit" must be less than or equal to 100']),
        '500': responseRef('SimpayInternalError'),
        '503': responseRef('SimpayServiceUnavailable'),
      },
    },
  },
  '/v3/webhooks/resend-logs/{id}': {
    parameters: [parameterRef('RequestIdPath')],
    get: {
      tags: ['Webhook resend (SimPay)'],
      operationId: 'simpayGetResendLog',
      summary: 'One resend request with its jobs',
      security: API_KEY,
      responses: {
        '200': jsonResponse('The request.', ref('SimpayResendLog')),
        '401': responseRef('SimpayUnauthorized'),
        '404': simpayError('No such request in your account.', ['Resend request not found']),
        '500': responseRef('SimpayInternalError'),
        '503': responseRef('SimpayServiceUnavailable'),
      },
    },
  },

  // 5.4 WePayout
  '/v2/payin/notifications/resend': {
    post: {
      tags: ['Payin bulk resend (WePayout)'],
      operationId: 'payinBulkResend',
      summary: "Resend a merchant's payin notifications over at most 3 hours",
      description: 'Dispatches one asynchronous job. Only one job may be queued or running per merchant and start time.',
      security: API_KEY,
      requestBody: jsonBody(ref('PayinBulkResendRequest')),
      responses: {
        '200': {
          description: 'The job (or, for a dry run, only the count).',
          content: {
            'application/json': {
              schema: ref('PayinBulkResendResult'),
              examples: examplesOf([
                { summary: 'Dispatched', value: { job_id: EXAMPLE_JOB_ID, total: 142 } },
                { summary: 'Dry run', value: { job_id: null, total: 142 } },
              ]),
            },
          },
        },
        '400': responseRef('MalformedJson'),
        '401': responseRef('Unauthorized'),
        '404': defaultError(404, 'The merchant is not one of your account.', ['Merchant not found']),
        '409': defaultError(409, 'A job for this merchant and start time is queued or running.', [
          'A resend job for this merchant and start time (2026-03-24T08:00:00.000Z) is already queued or running',
        ]),
        '413': responseRef('BodyTooLarge'),
        '422': defaultError(422, 'Invalid input; the message names the field.', [
          '"start_time" must be a UTC time formatted YYYY-MM-DD HH:MM:SS',
          '"end_time" must be at most 3 hours after "start_time"',
          '"status_ids[0]" must be a notifiable status id (2 to 10)',
          'Merchant has no webhook URL configured',
        ]),
        '500': responseRef('InternalError'),
        '503': responseRef('ServiceUnavailable'),
      },
    },
  },
  '/v2/payin/notifications/resend/{job_id}': {
    parameters: [parameterRef('JobIdPath')],
    get: {
      tags: ['Payin bulk resend (WePayout)'],
      operationId: 'payinBulkResendJobStatus',
      summary: 'Job Status: state, counts and timestamps',
      security: API_KEY,
      responses: {
        '200': jsonResponse('The job.', ref('ResendJob')),
        '404': defaultError(404, 'No such job in your account.', ['Job not found']),
        ...defaultCommon(),
      },
    },
  },
};

// ---------------------------------------------------------------------------------------------
// Paths: service endpoints (SPEC 6), Bearer API key, default dialect
// ---------------------------------------------------------------------------------------------

const v1Paths: Record<string, JsonObject> = {
  '/v1/resend-jobs/{job_id}': {
    parameters: [parameterRef('JobIdPath')],
    get: {
      tags: ['Jobs and replays'],
      operationId: 'getResendJob',
      summary: 'Any bulk job of your account (payin bulk, SimPay, replay)',
      security: API_KEY,
      responses: {
        '200': jsonResponse('The job.', ref('ResendJob')),
        '404': defaultError(404, 'No such job in your account.', ['Job not found']),
        ...defaultCommon(),
      },
    },
  },
  '/v1/resend-jobs/{job_id}/cancel': {
    parameters: [parameterRef('JobIdPath')],
    post: {
      tags: ['Jobs and replays'],
      operationId: 'cancelResendJob',
      summary: 'Stop a queued or running bulk job',
      description: 'The fan-out and its batches stop at their next step; the window lock is released. No request body.',
      security: API_KEY,
      responses: {
        '200': jsonResponse('The job, now `cancelled`.', ref('ResendJob')),
        '404': defaultError(404, 'No such job in your account.', ['Job not found']),
        '409': defaultError(409, 'The job has already finished.', ['Job is already completed', 'Job is already cancelled']),
        ...defaultCommon(),
      },
    },
  },
  '/v1/replays': {
    post: {
      tags: ['Jobs and replays'],
      operationId: 'createReplay',
      summary: 'Replay a merchant over any window (after an outage)',
      description: 'The window is split into consecutive 3-hour jobs under one id; `only_failed` and `run_at` narrow and delay it.',
      security: API_KEY,
      requestBody: jsonBody(ref('CreateReplayRequest')),
      responses: {
        '200': jsonResponse('Dry run: only the count.', ref('ReplayDryRunResult')),
        '201': jsonResponse('The replay and its jobs.', ref('ResendRequest')),
        '400': responseRef('MalformedJson'),
        '404': defaultError(404, 'The merchant is not one of your account.', ['Merchant not found']),
        '409': defaultError(409, 'A job for one of the windows is queued or running.', [
          'A resend job for this merchant and start time (2026-11-22T09:00:00.000Z) is already queued or running',
        ]),
        '413': responseRef('BodyTooLarge'),
        '422': defaultError(422, 'Invalid input; the message names the field.', [
          '"to" must be after "from"',
          '"run_at" must be at most 7 days ahead',
          'Merchant has no webhook URL configured',
        ]),
        ...defaultCommon(),
      },
    },
  },
  '/v1/replays/{id}': {
    parameters: [parameterRef('RequestIdPath')],
    get: {
      tags: ['Jobs and replays'],
      operationId: 'getReplay',
      summary: 'One replay with its jobs',
      security: API_KEY,
      responses: {
        '200': jsonResponse('The replay.', ref('ResendRequest')),
        '404': defaultError(404, 'No such replay in your account.', ['Replay not found']),
        ...defaultCommon(),
      },
    },
  },
  '/v1/replay-schedules': {
    get: {
      tags: ['Jobs and replays'],
      operationId: 'listReplaySchedules',
      summary: "Your account's recurring replays",
      security: API_KEY,
      responses: {
        '200': jsonResponse('The schedules.', ref('ReplayScheduleList')),
        ...defaultCommon(),
      },
    },
    post: {
      tags: ['Jobs and replays'],
      operationId: 'createReplaySchedule',
      summary: 'Replay a merchant every N seconds (e.g. what failed in the last hour)',
      security: API_KEY,
      requestBody: jsonBody(ref('CreateReplayScheduleRequest')),
      responses: {
        '201': jsonResponse('The schedule.', ref('ReplaySchedule')),
        '400': responseRef('MalformedJson'),
        '404': defaultError(404, 'The merchant is not one of your account.', ['Merchant not found']),
        '413': responseRef('BodyTooLarge'),
        '422': defaultError(422, 'Invalid input; the message names the field.', ['"every_seconds" is required', 'Merchant has no webhook URL configured']),
        ...defaultCommon(),
      },
    },
  },
  '/v1/replay-schedules/{id}': {
    parameters: [pathParameter('id', 'Schedule id.', { type: 'string' }, 'sched-0123456789abcdef01234567')],
    delete: {
      tags: ['Jobs and replays'],
      operationId: 'deleteReplaySchedule',
      summary: 'Stop a recurring replay',
      security: API_KEY,
      responses: {
        '204': { description: 'Removed.' },
        '404': defaultError(404, 'No such schedule in your account.', ['Schedule not found']),
        ...defaultCommon(),
      },
    },
  },
  '/v1/webhook-logs': {
    get: {
      tags: ['Audit trail'],
      operationId: 'listWebhookLogs',
      summary: 'Every delivery attempt of your account, newest first',
      security: API_KEY,
      parameters: [
        queryParameter('transaction_id', 'Only this transaction.', TRANSACTION_ID),
        queryParameter('merchant_id', 'Only this merchant.', INT32_ID),
        queryParameter('trigger', 'Only this trigger.', ref('DeliveryTrigger')),
        queryParameter('outcome', 'Only this outcome.', ref('DeliveryOutcome')),
        queryParameter('resend_job_id', 'Only attempts of this bulk job.', ref('JobId')),
        queryParameter('from', 'Sent at or after (ISO 8601).', { type: 'string', format: 'date-time' }),
        queryParameter('to', 'Sent before (ISO 8601; after `from`).', { type: 'string', format: 'date-time' }),
        queryParameter('cursor', "`next_cursor` of the previous page (opaque).", { type: 'string', maxLength: 64 }),
        queryParameter('limit', 'Page size.', { type: 'integer', minimum: 1, maximum: 200, default: 50 }),
      ],
      responses: {
        '200': jsonResponse('A page of attempts.', ref('WebhookLogPage')),
        '400': defaultError(400, 'Invalid query (unknown parameters are refused).', ['"outcome" must be one of [success, http_error, timeout, network_error, blocked]', '"cursor" is not a cursor this API returned']),
        ...defaultCommon(),
      },
    },
  },
  '/v1/webhook-logs/{id}': {
    parameters: [pathParameter('id', 'Audit row id (the `webhookLogId` of a synchronous resend).', { type: 'integer', minimum: 1 }, 12345)],
    get: {
      tags: ['Audit trail'],
      operationId: 'getWebhookLog',
      summary: 'One delivery attempt',
      security: API_KEY,
      responses: {
        '200': jsonResponse('The attempt.', ref('WebhookLog')),
        '404': defaultError(404, 'No such attempt in your account.', ['Webhook log not found']),
        ...defaultCommon(),
      },
    },
  },
  '/v1/merchants/{id}/endpoint': {
    parameters: [pathParameter('id', 'Merchant id (one of your account).', INT32_ID, 303)],
    get: {
      tags: ['Merchants'],
      operationId: 'getEndpointHealth',
      summary: "A merchant endpoint's health: state, last success and failure, the last hour, the open incident",
      security: API_KEY,
      responses: {
        '200': jsonResponse('The endpoint.', ref('EndpointHealth')),
        '404': defaultError(404, 'The merchant is not one of your account.', ['Merchant not found']),
        ...defaultCommon(),
      },
    },
  },
  '/v1/merchants/{id}/incidents': {
    parameters: [pathParameter('id', 'Merchant id (one of your account).', INT32_ID, 303)],
    get: {
      tags: ['Merchants'],
      operationId: 'listEndpointIncidents',
      summary: "A merchant endpoint's incidents, newest first, with what each cost and what is left to send",
      security: API_KEY,
      parameters: [
        queryParameter('cursor', 'The `next_cursor` of the previous page.', { type: 'string', maxLength: 64 }),
        queryParameter('limit', 'Page size.', { type: 'integer', minimum: 1, maximum: 100, default: 20 }),
      ],
      responses: {
        '200': jsonResponse('The incidents.', ref('EndpointIncidentList')),
        '400': defaultError(400, 'Invalid input; the message names the field.', ['"cursor" is not a cursor this API returned']),
        '404': defaultError(404, 'The merchant is not one of your account.', ['Merchant not found']),
        ...defaultCommon(),
      },
    },
  },
  '/v1/merchants/{id}/endpoint/enable': {
    parameters: [pathParameter('id', 'Merchant id (one of your account).', INT32_ID, 303)],
    post: {
      tags: ['Merchants'],
      operationId: 'enableEndpoint',
      summary: 'Re-enable a disabled (or failing) endpoint and deliver what it is owed',
      description:
        'Ends the open incident: every delivery that waited is released and every one that spent its attempts during the ' +
        'incident is delivered again (trigger `recovery`), in status order, at the merchant\'s flow-control pace.',
      security: API_KEY,
      requestBody: jsonBody(ref('EnableEndpointRequest'), { required: false }),
      responses: {
        '200': jsonResponse('Enabled.', ref('EndpointEnabled')),
        '400': defaultError(400, 'Invalid input; the message names the field.', ['"since" must be in ISO 8601 date format', 'Malformed JSON body']),
        '404': defaultError(404, 'The merchant is not one of your account.', ['Merchant not found']),
        '413': responseRef('BodyTooLarge'),
        ...defaultCommon(),
      },
    },
  },
  '/v1/merchants/{id}/webhook-secret/rotate': {
    parameters: [pathParameter('id', 'Merchant id (one of your account).', INT32_ID, 303)],
    post: {
      tags: ['Merchants'],
      operationId: 'rotateWebhookSecret',
      summary: "Replace a merchant's webhook secret, keeping the old one signing for an overlap",
      description:
        'During the overlap every webhook carries two signatures in `webhook-signature` (new secret first), so a receiver ' +
        'verifies with either secret. Rotating again during an overlap retires the older secret at once. The body is optional.',
      security: API_KEY,
      requestBody: jsonBody(ref('RotateWebhookSecretRequest'), { required: false }),
      responses: {
        '200': jsonResponse('The new secret (shown only here).', ref('RotatedWebhookSecret')),
        '400': defaultError(400, 'Invalid input; the message names the field.', [
          '"overlap_seconds" must be less than or equal to 2592000',
          '"overlap_seconds" must be an integer',
          'Malformed JSON body',
        ]),
        '404': defaultError(404, 'The merchant is not one of your account.', ['Merchant not found']),
        '413': responseRef('BodyTooLarge'),
        ...defaultCommon(),
      },
    },
  },
};

// ---------------------------------------------------------------------------------------------
// Webhooks sent to merchants (SPEC 3)
// ---------------------------------------------------------------------------------------------

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
      requestBody: jsonBody(ref('WebhookPayload')),
      responses: { '200': { description: 'Any 2xx acknowledges it.' } },
    },
  },
};

// ---------------------------------------------------------------------------------------------
// The document
// ---------------------------------------------------------------------------------------------

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
    { name: 'Merchants', description: "Your merchants' webhook secrets." },
    { name: 'Admin', description: "The platform core's feed: accounts and their API keys, merchants, transactions, status changes. Bearer ADMIN_TOKEN." },
    { name: 'Operator', description: 'Bull Board.' },
    { name: 'Service', description: 'Health, readiness, metrics and this document.' },
    { name: 'Webhooks sent', description: 'What a merchant receives (SPEC 3).' },
  ],
  paths: { ...contractPaths, ...v1Paths, ...adminPaths, ...servicePaths },
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
    schemas,
    responses,
    parameters,
    headers,
  },
};
