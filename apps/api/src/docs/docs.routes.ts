import { Router, type RequestHandler } from 'express';
import swaggerUi, { type SwaggerUiOptions } from 'swagger-ui-express';
import { openApiDocument } from './openapi.js';

const UI_OPTIONS: SwaggerUiOptions = {
  customSiteTitle: 'Webhook Resend Service API',
  swaggerOptions: { docExpansion: 'list', defaultModelsExpandDepth: 0, tryItOutEnabled: false },
};

/**
 * The only files the Swagger UI page loads. swagger-ui-dist also ships a demo `index.html` (the
 * Petstore) and its initializer; those are not served.
 */
const UI_ASSET = /^\/(swagger-ui\.css|swagger-ui-bundle\.js|swagger-ui-standalone-preset\.js|swagger-ui-init\.js|favicon-(16x16|32x32)\.png)$/;

/** The page refers to its assets as `./…`; a base makes that work at `/docs` as well as `/docs/`. */
function withBase(html: string, baseUrl: string): string {
  const base = /^[A-Za-z0-9/_-]*$/.test(baseUrl) ? baseUrl : '/docs';
  return html.replace('<head>', `<head>\n  <base href="${base}/">`);
}

/**
 * Mounted at `/docs`: Swagger UI at `/docs` (and `/docs/`) and the OpenAPI document at
 * `/docs/openapi.json`.
 */
export function docsRoutes(): Router {
  const router = Router();
  // serveFiles, not the shared `serve`: the init script is bound to this document.
  const [initScript, assets] = swaggerUi.serveFiles(openApiDocument, UI_OPTIONS) as [RequestHandler, RequestHandler];
  const page = swaggerUi.generateHTML(openApiDocument, UI_OPTIONS);

  router.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });

  router.get('/', (req, res) => {
    res.type('html').send(withBase(page, req.baseUrl));
  });

  // Static assets (middleware, not routes): anything else under /docs falls through to the 404.
  router.use((req, res, next) => {
    if (!UI_ASSET.test(req.path)) {
      next();
      return;
    }
    void initScript(req, res, (err?: unknown) => {
      if (err) next(err);
      else void assets(req, res, next);
    });
  });

  return router;
}
