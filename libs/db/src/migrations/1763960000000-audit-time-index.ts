import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail filtered by time (`from`/`to`) without walking every newer row of the account,
 * and a recurring schedule's "is my previous firing still running?" without a scan.
 */
export class AuditTimeIndex1763960000000 implements MigrationInterface {
  name = 'AuditTimeIndex1763960000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX webhook_logs_account_sent_idx ON webhook_logs (account_id, sent_at DESC, id DESC)');
    await q.query(`CREATE INDEX resend_jobs_active_requester_idx ON resend_jobs (requested_by) WHERE state IN ('queued', 'running')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX resend_jobs_active_requester_idx');
    await q.query('DROP INDEX webhook_logs_account_sent_idx');
  }
}
