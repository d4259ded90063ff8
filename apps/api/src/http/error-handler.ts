import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, Response } from 'express';
import { AppError, isDependencyDown, RateLimitedError } from '@wr/domain';
import type { Logger } from '@wr/logger';


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
  if (err instanceof AppError) return { status: err.httpStatus, message: err.message };
  const e = err as { status?: number; statusCode?: number; type?: string; expose?: boolean };
  const status = e.status ?? e.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, message: bodyParserMessage(e.type) ?? STATUS_CODES[status] ?? 'Bad Request' };
  }
  if (isDependencyDown(err)) {
    logger.warn('dependency unavailable', { err: (err as Error).message });
    return { status: 503, message: 'Service temporarily unavailable' };
  }
  logger.error('unhandled error', { err });
  return { status: 500, message: 'Internal server error' };
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
