import type { Request, RequestHandler } from 'express';
import { UnauthorizedError } from '@wr/domain';
import { constantTimeEqual } from './api-key.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** The account whose API key authenticated this request. */
    accountId?: number;
  }
}

function bearerToken(req: Request): string | undefined {
  const header = req.get('authorization');
  if (!header) return undefined;
  const match = /^Bearer\s+(\S{1,512})\s*$/i.exec(header);
  return match?.[1];
}

/** Client endpoints: a valid API key, which fixes the account everything is scoped to. */
export function requireApiKey(keys: { authenticate(plaintext: string): Promise<number | null> }): RequestHandler {
  return async (req, _res, next) => {
    const accountId = await keys.authenticate(bearerToken(req) ?? '');
    if (accountId === null) throw new UnauthorizedError();
    req.accountId = accountId;
    next();
  };
}

/** Admin endpoints: the operator's ADMIN_TOKEN. */
export function requireAdminToken(adminToken: string): RequestHandler {
  return (req, _res, next) => {
    const token = bearerToken(req);
    if (!token || !constantTimeEqual(token, adminToken)) throw new UnauthorizedError();
    next();
  };
}

export function accountIdOf(req: Request): number {
  if (req.accountId === undefined) throw new UnauthorizedError();
  return req.accountId;
}
