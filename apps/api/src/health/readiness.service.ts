import type { RedisClient } from '@wr/queues';
import type { DataSource } from '@wr/db';

const CHECK_TIMEOUT_MS = 1500;

export type CheckResult = 'ok' | 'unavailable';

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** Whether PostgreSQL and Redis answer, each within 1.5 s (SPEC 6 `/readyz`). */
export class ReadinessService {
  constructor(private readonly deps: { db: DataSource; redis: RedisClient }) {}

  async check(): Promise<{ postgres: CheckResult; redis: CheckResult }> {
    const [postgres, redis] = await Promise.all([
      withTimeout(this.deps.db.query('SELECT 1'), CHECK_TIMEOUT_MS).then((): CheckResult => 'ok', (): CheckResult => 'unavailable'),
      withTimeout(this.deps.redis.ping(), CHECK_TIMEOUT_MS).then((): CheckResult => 'ok', (): CheckResult => 'unavailable'),
    ]);
    return { postgres, redis };
  }
}
