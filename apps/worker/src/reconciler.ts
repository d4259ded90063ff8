import { automaticDeliveryJob, enqueueDeliveries, enqueueFanouts, type BulkFanoutQueue, type DeliveryQueue } from '@wr/queues';
import type { DeliveryOutboxRepository, ResendJobRepository } from '@wr/db';
import type { Logger } from '@wr/logger';
import type { Redis } from 'ioredis';

// Entries younger than this are still the API's to queue; queuing them twice would be harmless
// (job ids come from the change) but wasteful.
const GRACE_MS = 2000;
const PAGE = 1000;

export interface Reconciler {
  /** One round: what it queued. */
  runOnce(): Promise<{ deliveries: number; fanouts: number }>;
  stop(): void;
}

/**
 * Makes "accepted" mean "will be attempted": every few seconds, queues automatic webhooks still in
 * the outbox (Redis was away when their change was accepted, or an API replica died after commit)
 * and bulk jobs whose fan-out never reached Redis. Any number of workers may run it at once.
 */
export function startReconciler(deps: {
  outbox: DeliveryOutboxRepository;
  resendJobs: ResendJobRepository;
  deliveryQueue: DeliveryQueue;
  fanoutQueue: BulkFanoutQueue;
  redis: Redis;
  logger: Logger;
  intervalMs: number;
}): Reconciler {
  let running = false;
  const runOnce = async () => {
    let deliveries = 0;
    for (;;) {
      const n = await deps.outbox.drain(GRACE_MS, PAGE, (entries) => enqueueDeliveries(deps.deliveryQueue, entries.map(automaticDeliveryJob)));
      deliveries += n;
      if (n < PAGE) break;
    }
    const unstarted = await deps.resendJobs.findUnstarted(GRACE_MS * 5, PAGE);
    if (unstarted.length > 0) await enqueueFanouts(deps.fanoutQueue, unstarted);
    return { deliveries, fanouts: unstarted.length };
  };
  const timer = setInterval(() => {
    // While Redis is away there is nothing to do, and the queue calls would only wait.
    if (running || deps.redis.status !== 'ready') return;
    running = true;
    runOnce()
      .then((done) => {
        if (done.deliveries > 0 || done.fanouts > 0) deps.logger.info('reconciler queued what was left behind', done);
      })
      .catch((err: Error) => deps.logger.warn('reconciler round failed', { err: err.message }))
      .finally(() => {
        running = false;
      });
  }, deps.intervalMs);
  timer.unref();
  return { runOnce, stop: () => clearInterval(timer) };
}
