import { Router } from 'express';

/**
 * Mounted at `/docs`: Swagger UI at `/docs` and the OpenAPI document at `/docs/openapi.json`.
 * (To be filled in with the OpenAPI document.)
 */
export function docsRoutes(): Router {
  return Router();
}
