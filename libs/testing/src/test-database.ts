import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { ALL_MIGRATIONS, createDataSource, ensureDatabase, runMigrations, type DataSource } from '@wr/db';

const SERVER_URL = process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  dataSource: DataSource;
  drop(): Promise<void>;
}

function urlOf(name: string): string {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/**
 * A migrated database to copy: built once per set of migrations (named by a hash of their code,
 * so a changed migration gets a new template) and then cloned by every test file, which is much
 * faster than migrating each one. Built under another name and renamed when complete, under an
 * advisory lock, so parallel jest workers never clone a half-migrated template.
 */
async function migratedTemplate(): Promise<string> {
  const digest = createHash('sha256')
    .update(ALL_MIGRATIONS.map((m) => `${m.name}\n${m.toString()}`).join('\n'))
    .digest('hex')
    .slice(0, 16);
  const name = `wr_template_${digest}`;
  return withAdmin(async (admin) => {
    await admin.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
    try {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount === 0) {
        const building = `${name}_build_${randomBytes(3).toString('hex')}`;
        await ensureDatabase(urlOf(building));
        const dataSource = createDataSource({ databaseUrl: urlOf(building), poolSize: 2, applicationName: 'wr-test-template' });
        await dataSource.initialize();
        try {
          await runMigrations(dataSource);
        } finally {
          await dataSource.destroy();
        }
        await admin.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
      }
      return name;
    } finally {
      await admin.query('SELECT pg_advisory_unlock(hashtext($1))', [name]);
    }
  });
}

/** A fresh, migrated database for one test file (a copy of the template), so files never see each other's rows. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `wr_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const template = await migratedTemplate();
  await withAdmin((admin) => admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  const url = urlOf(name);
  const dataSource = createDataSource({ databaseUrl: url, poolSize: 4, applicationName: 'wr-test' });
  await dataSource.initialize();
  // A no-op on a copy of the template; it keeps this function honest if the template is stale.
  await runMigrations(dataSource);
  return {
    url,
    dataSource,
    async drop() {
      await dataSource.destroy().catch(() => undefined);
      await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
