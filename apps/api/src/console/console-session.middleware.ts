import type { Request, RequestHandler } from 'express';
import type { PortalSession, PortalSessionsService } from './portal-sessions.service.js';
import { PortalSessionError } from './portal-sessions.service.js';
import { readSessionCookie } from './session-cookie.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** The console session whose cookie authenticated this request. */
    portalSession?: PortalSession;
  }
}

/** Console API calls: a live session cookie, which fixes the merchant everything is scoped to. */
export function requireConsoleSession(sessions: Pick<PortalSessionsService, 'authenticate'>): RequestHandler {
  return async (req, _res, next) => {
    req.portalSession = await sessions.authenticate(readSessionCookie(req));
    next();
  };
}

export function sessionOf(req: Request): PortalSession {
  if (!req.portalSession) throw new PortalSessionError('not_signed_in');
  return req.portalSession;
}
