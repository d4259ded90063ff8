import type { EntityManager, EntitySchema, ValueTransformer } from 'typeorm';

type Row = Record<string, unknown>;

/**
 * Maps raw rows (snake_case, as PostgreSQL returns them) to plain records using the entity
 * schema's own column names and transformers, so the schema stays the one place that mapping is
 * written. Repositories use raw SQL where TypeORM's builders cannot say what is needed (identity
 * columns with explicit ids, unnest batch inserts, keyset pages).
 */
export function mapRows<T>(manager: EntityManager, entity: EntitySchema<T>, rows: Row[]): T[] {
  const columns = manager.connection.getMetadata(entity).columns;
  return rows.map((row) => {
    const record: Row = {};
    for (const column of columns) {
      if (!(column.databaseName in row)) continue;
      const value = row[column.databaseName];
      const transformer = column.transformer as ValueTransformer | undefined;
      record[column.propertyName] = transformer && value !== undefined ? transformer.from(value) : value;
    }
    return record as T;
  });
}

export function mapRow<T>(manager: EntityManager, entity: EntitySchema<T>, row: Row | undefined): T | null {
  return row ? (mapRows(manager, entity, [row])[0] ?? null) : null;
}
