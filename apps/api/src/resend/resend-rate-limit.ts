import type { RedisClient } from '@wr/queues';
import type { RequestHandler } from 'express';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError, ServiceUnavailableError } from '@wr/domain';
import { accountIdOf } from '../auth/auth.middleware.js';

/**
 * N requests a minute per account, counted in Redis so every API replica shares one count
 * (Avista seed: 60/min). Every authenticated call counts, found or not.
 */
export function resendRateLimit(deps: { redis: RedisClient; keyPrefix: string; perMinute: number }): RequestHandler {
  const limiter = new RateLimiterRedis({
    storeClient: deps.redis,
    keyPrefix: `${deps.keyPrefix}:rate:resend`,
    points: deps.perMinute,
    duration: 60,
  });
  return async (req, _res, next) => {
    try {
      await limiter.consume(String(accountIdOf(req)));
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        throw new RateLimitedError(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
      }
      throw new ServiceUnavailableError();
    }
    next();
  };
}
