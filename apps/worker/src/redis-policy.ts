import type { RedisClient } from '@wr/queues';
import type { Logger } from '@wr/logger';

/**
 * BullMQ loses jobs if Redis may evict keys, so a worker refuses a Redis whose maxmemory-policy
 * is not noeviction. A Redis that hides CONFIG (some managed services) is trusted, with a warning.
 */
export async function assertNoEviction(redis: RedisClient, logger: Logger): Promise<void> {
  let policy: string | undefined;
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
    policy = reply[1];
  } catch (err) {
    logger.warn('cannot read Redis maxmemory-policy; make sure it is noeviction', { err: (err as Error).message });
    return;
  }
  if (policy !== 'noeviction') {
    throw new Error(`Redis maxmemory-policy is "${policy}": it must be "noeviction", or queued deliveries can be evicted`);
  }
}
