import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, Response } from 'express';
import Joi from 'joi';
import { AppError, isDependencyDown, RateLimitedError, type AppErrorKind } from '@wr/domain';
import type { Logger } from '@wr/logger';
import { answer } from './response-schemas.js';

/** The one place a domain error becomes a status code; every dialect answers with these. */
const STATUS_OF: Record<AppErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
};

/** The answer an error gets, before a dialect shapes its body. */
export interface ErrorAnswer {
  status: number;
  message: string;
}

/**
 * Turns anything thrown into a status and a message a client may see. Body-parser errors keep
 * their 4xx; dependency failures are 503; anything unknown is a 500 with no internals.
 */
export function errorAnswer(err: unknown, logger: Logger): ErrorAnswer {
  if (err instanceof AppError) return { status: STATUS_OF[err.kind], message: err.message };
  const e = err as { status?: number; statusCode?: number; type?: string; expose?: boolean };
  const status = e.status ?? e.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, message: bodyParserMessage(e.type) ?? STATUS_CODES[status] ?? 'Bad Request' };
  }
  if (isDependencyDown(err)) {
    logger.warn('dependency unavailable', { err: (err as Error).message });
    return { status: 503, message: 'Service temporarily unavailable' };
  }
  const code = pgCode(err) ?? '';
  if (UNSTORABLE_TEXT.has(code)) {
    return { status: 422, message: 'Request contains characters that cannot be stored (such as NUL or a lone surrogate)' };
  }
  if (code === SEQUENCE_EXHAUSTED) {
    return { status: 409, message: 'No id is left after the largest explicit id: give an explicit "id"' };
  }
  logger.error('unhandled error', { err: describeError(err) });
  return { status: 500, message: 'Internal server error' };
}

// PostgreSQL refuses NUL in text (22021) and jsonb strings (22P05), and lone surrogates in jsonb (22P02).
const UNSTORABLE_TEXT = new Set(['22021', '22P05', '22P02']);
// An explicit id at the top of its range leaves the identity sequence nothing to hand out.
const SEQUENCE_EXHAUSTED = '2200H';

function pgCode(err: unknown): string | undefined {
  const e = err as { code?: string; driverError?: { code?: string } } | undefined;
  return e?.driverError?.code ?? e?.code;
}

/**
 * What an unexpected error may put on a log line: never the whole object, whose SQL parameters
 * (TypeORM's QueryFailedError) can hold webhook secrets or a client's payload.
 */
function describeError(err: unknown) {
  const e = err as { name?: string; message?: string; stack?: string } | undefined;
  return { name: e?.name, code: pgCode(err), message: e?.message?.slice(0, 500), stack: e?.stack?.split('\n').slice(0, 8).join('\n') };
}

function bodyParserMessage(type: string | undefined): string | undefined {
  switch (type) {
    case 'entity.parse.failed':
      return 'Malformed JSON body';
    case 'entity.too.large':
      return 'Request body too large';
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return 'Unsupported body encoding';
    default:
      return undefined;
  }
}

export function setRetryAfter(res: Response, err: unknown): void {
  if (err instanceof RateLimitedError) res.setHeader('Retry-After', String(err.retryAfterSeconds));
}

export const defaultErrorSchema = answer({
  statusCode: Joi.number().integer().min(400).max(599),
  message: Joi.string().description('What went wrong; validation messages name the field.'),
  error: Joi.string().description('The HTTP reason phrase.'),
})
  .id('DefaultError')
  .description('The default error body (SPEC 4).')
  .example({ statusCode: 401, message: 'Unauthorized', error: 'Unauthorized' });

export const rateLimitErrorSchema = answer({ statusCode: Joi.valid(429), message: Joi.valid('Too Many Requests') })
  .id('RateLimitError')
  .description('Too many requests (the Avista seed documents it without `error`).');

/** The default dialect: `{statusCode, message, error}` (SPEC 4, the Avista seed, admin and v1). */
export function defaultErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const { status, message } = errorAnswer(err, logger);
    setRetryAfter(res, err);
    // The seed documents 429 without the `error` field.
    const body = status === 429 ? { statusCode: status, message } : { statusCode: status, message, error: STATUS_CODES[status] };
    res.status(status).json(body);
  };
}
