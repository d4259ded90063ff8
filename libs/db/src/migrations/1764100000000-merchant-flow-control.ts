import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-merchant flow control (SPEC 2): deliveries in flight to a merchant (null = the deployment's
 * MERCHANT_MAX_CONCURRENCY) and an optional rate (null = none).
 */
export class MerchantFlowControl1764100000000 implements MigrationInterface {
  name = 'MerchantFlowControl1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE merchants
        ADD COLUMN max_concurrency integer CHECK (max_concurrency BETWEEN 1 AND 10000),
        ADD COLUMN max_per_second integer CHECK (max_per_second BETWEEN 1 AND 100000)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE merchants DROP COLUMN max_concurrency, DROP COLUMN max_per_second');
  }
}
