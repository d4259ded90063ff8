import { Router, type Request, type RequestHandler } from 'express';
import Joi from 'joi';
import { ValidationError } from '@wr/domain';
import { accountIdOf } from '../auth/auth.middleware.js';
import { jsonBody } from '../http/json-body.js';
import { answer, int32Id, isoTime } from '../http/response-schemas.js';
import { validate } from '../http/validate.js';
import type { PortalSessionsService } from './portal-sessions.service.js';

export const createPortalSessionSchema = Joi.object<{ merchant_id: number }>({
  merchant_id: int32Id().strict().required().description('The merchant (one of your account) whose console the link opens.'),
})
  .id('CreatePortalSessionRequest')
  .example({ merchant_id: 303 });

export const portalSessionSchema = answer({
  url: Joi.string()
    .uri({ scheme: ['http', 'https'] })
    .description('The one-time sign-in link: hand it to the merchant (a link or a redirect; the console refuses to be framed). Its token works once.'),
  expires_at: isoTime().description('Until when the link can be opened; the session it opens then lasts as long again.'),
})
  .id('PortalSession')
  .example({ url: 'https://webhooks.example.com/console/sign-in#token=wrl_Zk3v9QnT0pWc7Rx2LmA8sYb4HdE6uJf1GiK5oNq3VtX', expires_at: '2026-11-22T12:15:00.000Z' });

// A host header as a browser or proxy sends it: a name or address, an optional port.
const HOST = /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](:\d{1,5})?$/;

/** Where the link points: CONSOLE_PUBLIC_URL, else the origin the platform reached the API at. */
function linkOrigin(req: Request, publicUrl: string | null): string {
  if (publicUrl) return publicUrl;
  const host = req.get('host');
  if (!host || !HOST.test(host)) throw new ValidationError('The Host header is not a host name (set CONSOLE_PUBLIC_URL)', 'host');
  return `${req.protocol}://${host}`;
}

/** SPEC 6 `POST /v1/portal-sessions`: a one-time link into one merchant's console. */
export function portalSessionRoutes(deps: { auth: RequestHandler; service: PortalSessionsService; publicUrl: string | null }): Router {
  const router = Router();
  router.post('/portal-sessions', deps.auth, jsonBody('8kb'), async (req, res) => {
    const body = validate(createPortalSessionSchema, req.body ?? {});
    const origin = linkOrigin(req, deps.publicUrl);
    const link = await deps.service.mint(accountIdOf(req), body.merchant_id);
    // In the fragment, never the query: browsers do not send it to the server, so the token stays
    // out of access logs, proxies and Referer headers, and link scanners that fetch URLs cannot
    // spend it (the page's script exchanges it).
    res
      .status(201)
      .set('cache-control', 'no-store')
      .json({ url: `${origin}/console/sign-in#token=${link.token}`, expires_at: link.expiresAt.toISOString() });
  });
  return router;
}
