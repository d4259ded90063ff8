import { Redis } from 'ioredis';

/**
 * Producers (the API) fail fast when Redis is away, so a request answers 503 at once instead of
 * queueing commands in memory it may never send. Workers wait forever, as BullMQ requires.
 */
export function createRedisConnection(url: string, role: 'producer' | 'worker'): Redis {
  if (role === 'worker') {
    return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
  }
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    // Well under the 2 s in which a request must answer 503 when Redis stops answering.
    connectTimeout: 1500,
    commandTimeout: 1200,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
}

/** Resolves once the connection is usable (the producer refuses commands until then). */
export async function waitForRedis(redis: Redis, timeoutMs = 10000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error('Redis did not become ready in time'));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}
