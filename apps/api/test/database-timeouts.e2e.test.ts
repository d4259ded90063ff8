import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDataSource, type DataSource } from '@wr/db';
import { isDependencyDown } from '@wr/domain';
import { createTestDatabase, type TestDatabase } from '@wr/testing';

/**
 * The API bounds every PostgreSQL wait (API_DB_TIMEOUT_MS) so a silent database answers 503: a
 * connection whose query timed out is closed, and must never serve another request.
 */
describe('a query that times out client-side', () => {
  let testDb: TestDatabase;
  let db: DataSource;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    // One connection: whatever runs next gets the very client that timed out, unless it was dropped.
    db = createDataSource({ databaseUrl: testDb.url, poolSize: 1, applicationName: 'wr-test-timeouts', queryTimeoutMs: 200 });
    await db.initialize();
  });

  afterAll(async () => {
    await db?.destroy();
    await testDb?.drop();
  });

  it('when a plain query times out, then it fails as a dependency error and the next query gets a fresh connection', async () => {
    const failed = await db.query('SELECT pg_sleep(1)').catch((err: unknown) => err);
    expect(isDependencyDown(failed)).toBe(true);
    expect(await db.query('SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
  });

  it('when a statement inside a transaction times out, then the transaction fails as a dependency error (never a 500) and the next transaction commits', async () => {
    const failed = await db
      .transaction(async (manager) => {
        await manager.query('SELECT 1');
        await manager.query('SELECT pg_sleep(1)');
      })
      .catch((err: unknown) => err);
    expect(isDependencyDown(failed)).toBe(true);
    const committed = await db.transaction(async (manager) => manager.query('SELECT 2 AS ok'));
    expect(committed).toEqual([{ ok: 2 }]);
  });
});
