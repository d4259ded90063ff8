import { Router, type RequestHandler } from 'express';
import type { ServiceMetrics } from '@wr/metrics';

/** `GET /metrics` in Prometheus' text format. */
export function metricsRoutes(metrics: ServiceMetrics): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    res.setHeader('content-type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  return router;
}

/** Counts every answered request by its matched route (not its raw path, which holds ids). */
export function countRequests(metrics: ServiceMetrics): RequestHandler {
  return (req, res, next) => {
    res.on('finish', () => {
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}
