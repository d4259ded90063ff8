import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Transaction ids reach clients as JSON numbers: the sequence stops at 2^53 - 1 (an error a
 * client can understand) instead of handing out ids JavaScript cannot hold exactly.
 */
export class SafeTransactionIds1763970000000 implements MigrationInterface {
  name = 'SafeTransactionIds1763970000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE transactions ALTER COLUMN id SET MAXVALUE 9007199254740991');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE transactions ALTER COLUMN id SET NO MAXVALUE');
  }
}
