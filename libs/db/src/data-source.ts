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
      connectionTimeoutMillis: options.connectTimeoutMs ?? 1500,
      statement_timeout: 30000,
      ...(options.queryTimeoutMs ? { query_timeout: options.queryTimeoutMs } : {}),
      keepAlive: true,
      idle_in_transaction_session_timeout: 30000,
    },
  });
}
