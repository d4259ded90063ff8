import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig, type AppConfig } from '@wr/config';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';
/** Not the development default, so a process that missed it cannot read what tests sealed. */
export const TEST_SECRETS_KEY = 'test-secrets-key-0123456789abcdef0123456789';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A Redis key prefix of its own per test file: queues and rate limits never collide. */
export function uniqueQueuePrefix(): string {
  return `wrtest_${randomBytes(5).toString('hex')}`;
}

/** Config for an app under test: local services, private targets allowed, fast retries, quiet logs. */
export function testConfig(databaseUrl: string, queuePrefix: string, overrides: Record<string, string> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: queuePrefix,
    PORT: '0',
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    SECRETS_KEY: TEST_SECRETS_KEY,
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    RETRY_BASE_DELAY_MS: '20',
    WEBHOOK_TIMEOUT_MS: '3000',
    DB_POOL_SIZE: '4',
    // Tests share two cores with other test files cloning databases: a query can stall past the
    // production bound without anything being wrong. The test that cuts PostgreSQL sets it back.
    API_DB_TIMEOUT_MS: '5000',
    WORKER_METRICS_PORT: '0',
    RECONCILE_INTERVAL_MS: '500',
    REDRIVE_AFTER_MS: '3000',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...overrides,
  });
}

/** Removes every key a test file created under its prefix. */
export async function deleteRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    // Our own keys (`prefix:…`) and BullMQ's, whose prefix is hash-tagged (`{prefix}:…`).
    for (const pattern of [`${prefix}:*`, `{${prefix}}:*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
}
