import { Cluster, Redis, type RedisOptions } from 'ioredis';

/** A single Redis or a Redis Cluster: every command and script of ours runs on either. */
export type RedisClient = Redis | Cluster;

/** Where Redis is: one server (`REDIS_URL`), or the seed nodes of a cluster (`REDIS_CLUSTER_NODES`). */
export interface RedisTarget {
  url: string;
  clusterNodes: readonly string[] | null;
}

/**
 * Producers (the API) fail fast when Redis is away, so a request answers 503 at once instead of
 * queueing commands in memory it may never send. Workers wait forever, as BullMQ requires.
 */
function optionsFor(role: 'producer' | 'worker'): RedisOptions {
  if (role === 'worker') return { maxRetriesPerRequest: null, enableReadyCheck: true };
  return {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    // Well under the 2 s in which a request must answer 503 when Redis stops answering.
    connectTimeout: 1500,
    commandTimeout: 1200,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  };
}

export function createRedisConnection({ url, clusterNodes }: RedisTarget, role: 'producer' | 'worker'): RedisClient {
  if (!clusterNodes || clusterNodes.length === 0) return new Redis(url, optionsFor(role));
  const { enableOfflineQueue, retryStrategy, ...perNode } = optionsFor(role);
  return new Cluster(
    clusterNodes.map((node) => {
      const at = node.lastIndexOf(':');
      return { host: node.slice(0, at), port: Number(node.slice(at + 1)) };
    }),
    {
      redisOptions: perNode,
      enableOfflineQueue: enableOfflineQueue ?? true,
      enableReadyCheck: true,
      clusterRetryStrategy: retryStrategy ?? ((times: number) => Math.min(times * 200, 2000)),
    },
  );
}

/**
 * BullMQ's key prefix: wrapped in a hash tag, so every key of a queue lands in one cluster slot
 * (BullMQ's scripts touch several keys at once; Redis Cluster requires them in one slot). On a
 * single Redis it is just a name.
 */
export function bullPrefix(prefix: string): string {
  return `{${prefix}}`;
}

/** Resolves once the connection is usable (the producer refuses commands until then). */
export async function waitForRedis(redis: RedisClient, timeoutMs = 10000): Promise<void> {
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
