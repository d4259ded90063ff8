import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `GET /admin/transactions?merchant_id=` pages one merchant's transactions newest first by id:
 * without this index PostgreSQL walked the whole table backwards by id, skipping every other
 * merchant's rows. Built CONCURRENTLY (outside a transaction), so writes go on meanwhile.
 */
export class TransactionsByMerchant1764600000000 implements MigrationInterface {
  name = 'TransactionsByMerchant1764600000000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    // A build interrupted earlier leaves an invalid index of the same name: made again.
    await q.query('DROP INDEX CONCURRENTLY IF EXISTS transactions_merchant_id_idx');
    await q.query('CREATE INDEX CONCURRENTLY transactions_merchant_id_idx ON transactions (merchant_id, id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX CONCURRENTLY IF EXISTS transactions_merchant_id_idx');
  }
}
