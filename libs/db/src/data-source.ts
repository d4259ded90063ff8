import pg from 'pg';
import { DataSource } from 'typeorm';
import { ALL_ENTITIES } from './entities/index.js';
import { ALL_MIGRATIONS } from './migrations/index.js';

export interface DataSourceOptions {
  databaseUrl: string;
  poolSize: number;
  applicationName: string;
  /**
   * Client-side bound on one query: a PostgreSQL that stops answering (a partition, not a refused
   * connection) fails the query instead of hanging it. The server's statement_timeout cannot help
   * when the server cannot be reached.
   */
  queryTimeoutMs?: number;
  /** How long to wait for a pooled connection (or a new one) before failing. */
  connectTimeoutMs?: number;
}

/**
 * A client-side query timeout answers the caller but leaves the connection mid-statement: the
 * next statement on it (a transaction's ROLLBACK, or the next request's query once it is back in
 * the pool) would wait behind the silent one, or read its late answer. Such a connection is closed
 * instead, so the pool never hands it out again and the ROLLBACK fails at once.
 */
class ClosedOnTimeoutClient extends pg.Client {
  // One signature for all of pg's overloads; the promise form is the one TypeORM uses.
  override query(...args: unknown[]): never {
    const pending = (super.query as (...a: unknown[]) => unknown)(...args);
    if (pending instanceof Promise) {
      pending.catch((err: unknown) => {
        if (err instanceof Error && err.message === 'Query read timeout') this.close();
      });
    }
    return pending as never;
  }

  private close(): void {
    // Marked unusable first, synchronously: the caller gives the client back to the pool before
    // the socket's end is noticed, and the pool keeps only clients still queryable.
    (this as unknown as { _queryable: boolean })._queryable = false;
    (this as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  }
}

/**
 * The one way both apps reach PostgreSQL. `synchronize` is never on: the schema changes only by
 * migrations. Short connect and statement timeouts let callers answer 503 instead of hanging when
 * the database is unreachable.
 */
export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.databaseUrl,
    entities: ALL_ENTITIES,
    migrations: ALL_MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName: options.applicationName,
    poolSize: options.poolSize,
    extra: {
      Client: ClosedOnTimeoutClient,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 1500,
      statement_timeout: 30000,
      ...(options.queryTimeoutMs ? { query_timeout: options.queryTimeoutMs } : {}),
      keepAlive: true,
      idle_in_transaction_session_timeout: 30000,
    },
  });
}
