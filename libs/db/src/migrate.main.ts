import { loadDatabaseUrlOrExit } from '@wr/config';
import { createDataSource } from './data-source.js';
import { ensureDatabase, runMigrations } from './migrate.js';

const databaseUrl = loadDatabaseUrlOrExit();
await ensureDatabase(databaseUrl);
const dataSource = createDataSource({ databaseUrl, poolSize: 2, applicationName: 'wr-migrate' });
await dataSource.initialize();
const applied = await runMigrations(dataSource);
await dataSource.destroy();
process.stdout.write(`${JSON.stringify({ level: 'info', service: 'migrate', message: 'migrations applied', applied })}\n`);
