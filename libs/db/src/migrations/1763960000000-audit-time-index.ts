import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The audit trail filtered by time (`from`/`to`) without walking every newer row of the account. */
export class AuditTimeIndex1763960000000 implements MigrationInterface {
  name = 'AuditTimeIndex1763960000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX webhook_logs_account_sent_idx ON webhook_logs (account_id, sent_at DESC, id DESC)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX webhook_logs_account_sent_idx');
  }
}
