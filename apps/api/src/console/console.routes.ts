import { Router } from 'express';
import { consoleAdminRoutes } from './console-admin.routes.js';
import type { ConsoleAdminService } from './console-admin.service.js';
import { consoleApiRoutes, type ConsoleApiDeps } from './console-api.routes.js';
import { requireSameOrigin } from './console-origin.js';
import { consoleAssets, consolePage, consoleSecurityHeaders } from './console-pages.js';

export interface ConsoleDeps extends Omit<ConsoleApiDeps, 'secureCookies'> {
  admin: ConsoleAdminService;
  adminToken: string;
  /** CONSOLE_PUBLIC_URL's origin, or null (the origin each request came to). */
  publicUrl: string | null;
}

/**
 * The delivery console under /console: the merchant view (session cookie from a portal link),
 * the operator view at /console/admin (admin token), their JSON, and the built page and assets.
 */
export function consoleRoutes(deps: ConsoleDeps): Router {
  const router = Router();
  const page = consolePage();
  router.use(consoleSecurityHeaders());
  router.use('/api', requireSameOrigin(deps.publicUrl), consoleApiRoutes({ ...deps, secureCookies: deps.publicUrl?.startsWith('https:') ?? false }));
  router.use('/admin', requireSameOrigin(deps.publicUrl), consoleAdminRoutes({ adminToken: deps.adminToken, service: deps.admin, page }));
  router.use('/assets', consoleAssets());
  router.get(['/', '/sign-in', '/expired'], page);
  return router;
}
