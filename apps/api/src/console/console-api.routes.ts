import { Router, type ErrorRequestHandler, type Request } from 'express';
import { NotFoundError } from '@wr/domain';
import { MAX_REPLAY_RANGE_MS } from '@wr/replays';
import { pageBody, pageOf } from '../http/pages.js';
import { jsonBody } from '../http/json-body.js';
import { pathId } from '../http/path-params.js';
import { validate } from '../http/validate.js';
import { assertWindow } from '../http/window-rules.js';
import { presentEndpoint, presentIncident } from '../merchants/endpoint-health.routes.js';
import type { EndpointHealthService } from '../merchants/endpoint-health.service.js';
import type { WebhookSecretService } from '../merchants/webhook-secret.service.js';
import { presentWebhookLog } from '../presenters.js';
import type { ReplayRequestsService } from '../replays/replay-requests.service.js';
import { presentRequest } from '../replays/request-summary.js';
import type { SyncResendService } from '../resend/sync-resend.service.js';
import { attemptQuerySchema, consoleReplaySchema, consoleRotateSchema, incidentPageSchema, signInSchema } from './console-api.schemas.js';
import type { ConsoleAttemptsService } from './console-attempts.service.js';
import { presentSession, presentVerdict } from './console-presenters.js';
import { requireConsoleSession, sessionOf } from './console-session.middleware.js';
import { PortalSessionError, type PortalSessionsService } from './portal-sessions.service.js';
import { clearSessionCookie, readSessionCookie, setSessionCookie } from './session-cookie.js';

export interface ConsoleApiDeps {
  sessions: PortalSessionsService;
  attempts: ConsoleAttemptsService;
  endpoints: EndpointHealthService;
  syncResend: SyncResendService;
  replayRequests: ReplayRequestsService;
  webhookSecrets: WebhookSecretService;
  /** True when cookies must be Secure (the console's public URL is https). */
  secureCookies: boolean;
}

const secure = (req: Request, deps: ConsoleApiDeps) => deps.secureCookies || req.secure;

/**
 * The merchant view's JSON (`/console/api`), behind the session cookie. Each call is the public
 * API's service for the same thing, with the session's account and merchant in place of an API
 * key and a merchant id: a session can name nothing of another merchant.
 */
export function consoleApiRoutes(deps: ConsoleApiDeps): Router {
  const router = Router();
  const session = requireConsoleSession(deps.sessions);

  router.post('/session', jsonBody('2kb'), async (req, res) => {
    const { token } = validate(signInSchema, req.body ?? {});
    const signedIn = await deps.sessions.exchange(token);
    setSessionCookie(res, signedIn.sessionToken, signedIn.session.expiresAt, secure(req, deps));
    res.set('cache-control', 'no-store').json(presentSession(signedIn.session));
  });

  router.get('/session', session, (req, res) => {
    res.set('cache-control', 'no-store').json(presentSession(sessionOf(req)));
  });

  router.post('/session/end', async (req, res) => {
    await deps.sessions.end(readSessionCookie(req));
    clearSessionCookie(res, secure(req, deps));
    res.status(204).end();
  });

  router.get('/endpoint', session, async (req, res) => {
    const s = sessionOf(req);
    res.json(presentEndpoint(await deps.endpoints.status(s.accountId, s.merchantId)));
  });

  router.get('/incidents', session, async (req, res) => {
    const s = sessionOf(req);
    const q = validate(incidentPageSchema, req.query);
    const rows = await deps.endpoints.incidents(s.accountId, s.merchantId, { limit: q.limit + 1, beforeId: q.cursor });
    res.json(pageBody('incident', pageOf(rows, q.limit), presentIncident));
  });

  router.get('/attempts', session, async (req, res) => {
    const q = validate(attemptQuerySchema, req.query);
    const rows = await deps.attempts.list(sessionOf(req), q, { beforeId: q.cursor, limit: q.limit + 1 });
    res.json(pageBody('log', pageOf(rows, q.limit), presentWebhookLog));
  });

  router.get('/attempts/:id', session, async (req, res) => {
    const { log, request } = await deps.attempts.find(sessionOf(req), pathId(String(req.params.id), 'Webhook log not found'));
    res.json({ ...presentWebhookLog(log), request });
  });

  router.post('/transactions/:id/resend', session, async (req, res) => {
    const s = sessionOf(req);
    const transactionId = pathId(String(req.params.id), 'Transaction not found');
    const log = await deps.syncResend.resend(s.accountId, String(transactionId), undefined, s.merchantId);
    res.json(presentVerdict(log));
  });

  router.post('/replays', session, jsonBody('4kb'), async (req, res) => {
    const s = sessionOf(req);
    const body = validate(consoleReplaySchema, req.body ?? {});
    assertWindow({ start: new Date(body.from), end: new Date(body.to) }, { start: 'from', end: 'to' }, { ms: MAX_REPLAY_RANGE_MS, label: '31 days' });
    const created = await deps.replayRequests.create(s.accountId, { ...body, merchant_id: s.merchantId });
    if ('dryRunTotal' in created) res.json({ id: null, total: created.dryRunTotal });
    else res.status(201).json(presentRequest(created.request));
  });

  router.get('/replays/:id', session, async (req, res) => {
    const s = sessionOf(req);
    const summary = await deps.replayRequests.find(s.accountId, String(req.params.id));
    // Another merchant's replay of the same account answers as if it did not exist.
    if (summary.jobs[0]!.merchantId !== s.merchantId) throw new NotFoundError('Replay not found');
    res.json(presentRequest(summary));
  });

  router.post('/webhook-secret/rotate', session, jsonBody('2kb'), async (req, res) => {
    const s = sessionOf(req);
    const body = validate(consoleRotateSchema, req.body ?? {});
    const rotated = await deps.webhookSecrets.rotate(s.accountId, s.merchantId, body.overlap_seconds);
    res.set('cache-control', 'no-store').json({
      webhook_secret: rotated.webhookSecret,
      previous_secret_expires_at: rotated.previousSecretExpiresAt?.toISOString() ?? null,
    });
  });

  router.use(sessionErrors);
  return router;
}

/** A session's 401 says why (`reason`), so the page can say "expired" rather than "not signed in". */
const sessionErrors: ErrorRequestHandler = (err, _req, res, next) => {
  if (!(err instanceof PortalSessionError)) return next(err);
  res.status(401).json({ statusCode: 401, message: err.message, error: 'Unauthorized', reason: err.reason });
};
