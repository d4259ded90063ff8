import { Router, type RequestHandler } from 'express';
import { basicAuth } from '../admin/queues-board.js';
import type { ConsoleAdminService } from './console-admin.service.js';
import { presentJob, presentQueue, presentStanding } from './console-presenters.js';

/** The browser's login prompt names this; same credentials as Bull Board (any user, ADMIN_TOKEN). */
export const CONSOLE_ADMIN_REALM = 'Delivery console';

/**
 * The operator view (`/console/admin`): HTTP Basic with the admin token, as Bull Board, for the
 * page and its JSON alike. Read-only, so there is nothing for another site to make it change.
 */
export function consoleAdminRoutes(deps: { adminToken: string; service: ConsoleAdminService; page: RequestHandler }): Router {
  const router = Router();
  router.use(basicAuth(deps.adminToken, CONSOLE_ADMIN_REALM));
  router.get('/', deps.page);
  router.get('/api/overview', async (_req, res) => {
    const overview = await deps.service.overview();
    res.set('cache-control', 'no-store').json({
      endpoints: overview.endpoints.map(presentStanding),
      jobs: overview.jobs.map(presentJob),
      queues: overview.queues.map(presentQueue),
      bull_board: '/admin/queues',
    });
  });
  return router;
}
