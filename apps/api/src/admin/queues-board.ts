import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Router, type RequestHandler } from 'express';
import type { Queue } from 'bullmq';
import { constantTimeEqual } from '../auth/api-key.js';

const REALM = 'Bull Board';
const UNAUTHORIZED = { statusCode: 401, message: 'Unauthorized', error: 'Unauthorized' };

/** Bull Board at /admin/queues behind HTTP Basic auth with the admin token. */
export function queuesBoard(deps: { adminToken: string; queues: Queue[]; basePath: string }): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(deps.basePath);
  createBullBoard({
    queues: deps.queues.map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Webhook resend' } },
  });

  const router = Router();
  router.use(basicAuth(deps.adminToken));
  router.use(withoutWebFonts());
  router.use(serverAdapter.getRouter() as Router);
  return router;
}

const WEB_FONT_LINK = /<link[^>]+fonts\.(?:googleapis|gstatic)\.com[^>]*>\s*/g;

/**
 * Bull Board's page links Google Fonts: the link is taken out, so an operator's browser loads
 * nothing from the internet here (an admin page should not tell a third party when it is opened,
 * nor depend on it); the board's CSS falls back to the system's fonts.
 */
function withoutWebFonts(): RequestHandler {
  return (_req, res, next) => {
    const send = res.send.bind(res);
    res.send = ((body?: unknown) => send(typeof body === 'string' ? body.replace(WEB_FONT_LINK, '') : body)) as typeof res.send;
    next();
  };
}

/**
 * HTTP Basic with any user name and the admin token as password (SPEC 4), so the board (and the
 * console's operator view) opens in a browser's own login prompt. The password is compared in
 * constant time.
 */
export function basicAuth(adminToken: string, realm = REALM): RequestHandler {
  return (req, res, next) => {
    const password = basicPassword(req.headers.authorization);
    if (adminToken && password !== undefined && constantTimeEqual(password, adminToken)) {
      next();
      return;
    }
    res.setHeader('WWW-Authenticate', `Basic realm="${realm}"`);
    res.status(401).json(UNAUTHORIZED);
  };
}

/** The password of an `Authorization: Basic base64(user:password)` header; user names are ignored. */
function basicPassword(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Basic[ \t]+([A-Za-z0-9+/]+=*)[ \t]*$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : decoded.slice(colon + 1);
}
