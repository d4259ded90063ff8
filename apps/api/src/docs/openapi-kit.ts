import { STATUS_CODES } from 'node:http';
import Joi from 'joi';
import { defaultErrorSchema, rateLimitErrorSchema } from '../http/error-handler.js';
import { EXAMPLE_JOB_ID, jobId } from '../http/response-schemas.js';
import { invoiceErrorSchema } from '../invoices/invoice-resend.routes.js';
import { simpayErrorSchema } from '../simpay/simpay-errors.js';
import { createSchemaComponents, type JsonSchema } from './json-schema.js';

/**
 * What the path files build operations with. Request and answer shapes are never written here:
 * `schemaOf` converts the joi schema a route validates with, or the one beside a presenter, and
 * files it under `components.schemas` by its `.id()`.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };
export type JsonObject = { [key: string]: unknown };

const components = createSchemaComponents();
export const componentSchemas = components.schemas;

/** The OpenAPI schema of a joi schema (a `$ref` when it is named), or a JSON Schema as it is. */
export const schemaOf = (schema: Joi.Schema | JsonSchema): JsonSchema => (Joi.isSchema(schema) ? components.toJsonSchema(schema) : schema);

export const API_KEY = [{ apiKey: [] }];
export const ADMIN = [{ adminToken: [] }];
export const PUBLIC = [];

/** An operation of one tag and one security decision. */
export const operations =
  (tag: string, security: JsonObject[]) =>
  (op: JsonObject): JsonObject => ({ tags: [tag], ...op, security });

/** Turns a message into an example key: "QR Code not found" -> "qr-code-not-found". */
function exampleKey(text: string, index: number): string {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 48);
  return slug || `example-${index + 1}`;
}

export function examplesOf(values: Array<{ summary: string; value: Json }>): JsonObject {
  const out: JsonObject = {};
  values.forEach((v, i) => {
    let key = exampleKey(v.summary, i);
    while (out[key] !== undefined) key = `${key}-${i + 1}`;
    out[key] = { summary: v.summary, value: v.value };
  });
  return out;
}

export function jsonResponse(description: string, schema: Joi.Schema | JsonSchema, example?: Json): JsonObject {
  return { description, content: { 'application/json': { schema: schemaOf(schema), ...(example !== undefined ? { example } : {}) } } };
}

/** A JSON answer with named examples. */
export function jsonExamples(description: string, schema: Joi.Schema | JsonSchema, examples: Array<{ summary: string; value: Json }>): JsonObject {
  return { description, content: { 'application/json': { schema: schemaOf(schema), examples: examplesOf(examples) } } };
}

/** The default dialect (SPEC 4, Avista seed, admin, v1, WePayout): `{statusCode, message, error}`. */
export function defaultError(status: number, description: string, messages: string[]): JsonObject {
  return jsonExamples(
    description,
    defaultErrorSchema,
    messages.map((message) => ({ summary: message, value: { statusCode: status, message, error: STATUS_CODES[status]! } })),
  );
}

/** The SimPay dialect: `{worked: false, detail}`. */
export function simpayError(description: string, details: string[]): JsonObject {
  return jsonExamples(description, simpayErrorSchema, details.map((detail) => ({ summary: detail, value: { worked: false, detail } })));
}

/** The gates2b dialect: `{message, status: "error"}`. */
export function invoiceError(description: string, messages: string[]): JsonObject {
  return jsonExamples(description, invoiceErrorSchema, messages.map((message) => ({ summary: message, value: { message, status: 'error' } })));
}

export function pathParameter(name: string, description: string, schema: Joi.Schema | JsonSchema, example: Json): JsonObject {
  return { name, in: 'path', required: true, description, schema: schemaOf(schema), example };
}

/** A joi query schema as query parameters, each with the description its joi key carries. */
export function queryParameters(query: Joi.ObjectSchema): JsonObject[] {
  const { properties, required = [] } = schemaOf(query) as { properties: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(properties).map(([name, { description, ...schema }]) => ({
    name,
    in: 'query',
    required: required.includes(name),
    ...(description ? { description } : {}),
    schema,
  }));
}

export function jsonBody(
  schema: Joi.Schema | JsonSchema,
  options: { required?: boolean; description?: string; examples?: Array<{ summary: string; value: Json }> } = {},
): JsonObject {
  return {
    required: options.required ?? true,
    ...(options.description ? { description: options.description } : {}),
    content: { 'application/json': { schema: schemaOf(schema), ...(options.examples ? { examples: examplesOf(options.examples) } : {}) } },
  };
}

export const ref = {
  response: (name: string): JsonObject => ({ $ref: `#/components/responses/${name}` }),
  parameter: (name: string): JsonObject => ({ $ref: `#/components/parameters/${name}` }),
};

export const headers: Record<string, JsonObject> = {
  RetryAfter: { description: 'Seconds until the limit resets.', required: true, schema: { type: 'integer', minimum: 1 } },
};

/** Answers many operations share, one per dialect. */
export const responses: Record<string, JsonObject> = {
  // default dialect
  Unauthorized: defaultError(401, 'Missing or invalid credentials.', ['Unauthorized']),
  MalformedJson: defaultError(400, 'The body is not JSON.', ['Malformed JSON body']),
  BodyTooLarge: defaultError(413, 'The body is over the route limit.', ['Request body too large']),
  ServiceUnavailable: defaultError(503, 'PostgreSQL or Redis is unreachable; nothing was accepted, retry later.', ['Service temporarily unavailable']),
  InternalError: defaultError(500, 'Unexpected error (no internals in the answer).', ['Internal server error']),
  TooManyRequests: {
    ...jsonResponse('More than `RESEND_RATE_LIMIT_PER_MINUTE` (default 60) calls a minute for this account.', rateLimitErrorSchema, {
      statusCode: 429,
      message: 'Too Many Requests',
    }),
    headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } },
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

export const parameters: Record<string, JsonObject> = {
  JobIdPath: pathParameter('job_id', 'The bulk job id (32 hex characters; anything else is 404).', jobId(), EXAMPLE_JOB_ID),
  RequestIdPath: pathParameter('id', 'The request id (32 hex characters; anything else is 404).', jobId(), EXAMPLE_JOB_ID),
};

/** What every default-dialect client call may also answer. */
export const defaultCommon = (): JsonObject => ({
  '401': ref.response('Unauthorized'),
  '500': ref.response('InternalError'),
  '503': ref.response('ServiceUnavailable'),
});
