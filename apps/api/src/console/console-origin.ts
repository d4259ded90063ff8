import type { Request, RequestHandler } from 'express';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const FORBIDDEN = { statusCode: 403, message: 'Cross-origin request refused', error: 'Forbidden' };

/**
 * The console's own origin: CONSOLE_PUBLIC_URL when set (the service sits behind a proxy),
 * else the origin this request came to.
 */
export function consoleOrigin(req: Request, publicUrl: string | null): string {
  return publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

/**
 * Every state-changing console call must come from a console page: its `Origin` must be the
 * console's own (browsers send it on every POST, and a page cannot forge it). SameSite=Strict
 * already keeps the cookie off cross-site requests; this is the second lock, and it also refuses
 * requests from a sibling origin on the same site. Without CONSOLE_PUBLIC_URL only the host is
 * compared, so a TLS-terminating proxy in front (the request arrives as http) is no obstacle.
 */
export function requireSameOrigin(publicUrl: string | null): RequestHandler {
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const origin = req.get('origin');
    if (origin && sameOrigin(origin, req, publicUrl)) return next();
    res.status(403).json(FORBIDDEN);
  };
}

function sameOrigin(origin: string, req: Request, publicUrl: string | null): boolean {
  let given: URL;
  try {
    given = new URL(origin);
  } catch {
    return false;
  }
  if (publicUrl) return given.origin === publicUrl;
  return given.host === req.get('host');
}
