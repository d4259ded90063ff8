import type { Queue } from 'bullmq';

/** How many jobs a queue holds in each state an operator watches. */
export interface QueueDepth {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

/** One read of a queue's depth (the metrics scrape and the console's operator view both show it). */
export async function queueDepth(queue: Queue): Promise<QueueDepth> {
  // A prioritized job waits too; BullMQ counts it apart.
  const counts = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed');
  return {
    waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
    active: counts.active ?? 0,
    delayed: counts.delayed ?? 0,
    failed: counts.failed ?? 0,
  };
}
