import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { runWithLogContext, type Logger } from '@wr/logger';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * Takes the caller's `x-request-id` when it is a sane token (or makes one), echoes it, puts it on
 * every log line written while the request runs, and writes one access line when it ends.
 */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const given = req.get('x-request-id');
    const requestId = given && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', requestId);
    const started = process.hrtime.bigint();
    runWithLogContext({ requestId }, () => {
      res.on('finish', () => {
        // The matched route, not the raw path: identifiers in paths stay out of aggregate logs.
        const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
        const durationMs = Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100;
        logger.info(`${req.method} ${route} ${res.statusCode} ${durationMs}ms`, {
          requestId,
          method: req.method,
          route,
          status: res.statusCode,
          durationMs,
        });
      });
      next();
    });
  };
}
