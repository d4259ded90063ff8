export * from './entities/index.js';
export * from './repositories/index.js';
export { ALL_MIGRATIONS } from './migrations/index.js';
export { createDataSource, type DataSourceOptions } from './data-source.js';
export { ensureDatabase, runMigrations } from './migrate.js';
export { isUniqueViolation, isForeignKeyViolation, violatedConstraint } from './pg-errors.js';
export { mapRows, mapRow } from './row-mapper.js';
export { SecretBox, SecretBoxError, isSealed, SEALED_PREFIX } from './secret-box.js';
export type { DataSource, EntityManager } from 'typeorm';
