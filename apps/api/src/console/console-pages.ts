import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Where `npm run build` puts the console (apps/console/dist): the same path from this file's
 * source (apps/api/src/console, under jest) and from its build (apps/api/dist/console).
 */
export const CONSOLE_DIST = fileURLToPath(new URL('../../../console/dist/', import.meta.url));

const NOT_BUILT = { statusCode: 503, message: 'The console is not built: run `npm run build`', error: 'Service Unavailable' };

/**
 * The console's pages get the strictest policy the app can live with: every script, style, image
 * and call from this origin only, no inline script or style (Vite emits files; Preact sets styles
 * through the CSSOM, which CSP allows), no framing, no plugins, forms only to itself.
 */
export function consoleSecurityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        manifestSrc: ["'self'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
  });
}

/** The single page (every console path renders it; the script picks the view) and its assets. */
export function consolePage(dist = CONSOLE_DIST): RequestHandler {
  const index = join(dist, 'index.html');
  return (_req, res) => {
    if (!existsSync(index)) {
      res.status(503).json(NOT_BUILT);
      return;
    }
    // Always revalidated: a new build's asset names must reach the browser at once.
    res.set('cache-control', 'no-cache').sendFile(index);
  };
}

/** Vite's hashed assets: a name changes whenever the content does, so they are cached for a year. */
export function consoleAssets(dist = CONSOLE_DIST) {
  return express.static(join(dist, 'assets'), { immutable: true, maxAge: '365d', index: false, fallthrough: false });
}
