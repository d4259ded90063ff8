import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bulk replays: where a job came from, single-transaction jobs, the fan-out's resumable cursor,
 * and one row per transaction a job covers. An item moves pending -> succeeded | failed once, so
 * counters stay exact when a delivery runs twice (queues are at-least-once).
 */
export class BulkReplays1763900000000 implements MigrationInterface {
  name = 'BulkReplays1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE resend_jobs
        ADD COLUMN source text NOT NULL DEFAULT 'payin_bulk'
          CHECK (source IN ('payin_bulk', 'simpay', 'replay')),
        ADD COLUMN transaction_id bigint REFERENCES transactions (id),
        ADD COLUMN fanout_done boolean NOT NULL DEFAULT false,
        ADD COLUMN dispatched integer NOT NULL DEFAULT 0,
        ADD COLUMN cursor_changed_at timestamptz,
        ADD COLUMN cursor_transaction_id bigint`);
    // The durable twin of the Redis lock: one active window job per merchant, kind and start,
    // even if a lock expired while a job sat in the queue.
    await q.query(`
      CREATE UNIQUE INDEX resend_jobs_active_window_unique
        ON resend_jobs (merchant_id, COALESCE(kind, '*'), window_start)
        WHERE state IN ('queued', 'running') AND transaction_id IS NULL`);
    // Audit rows of a running bulk job are written 50 at a time while the job's row is updated: a
    // foreign key to that row would make every insert lock it (FOR KEY SHARE) and contend with
    // the updates. The job id on an audit row is a label, kept without the constraint.
    await q.query('ALTER TABLE webhook_logs DROP CONSTRAINT webhook_logs_resend_job_id_fkey');
    await q.query(`
      CREATE TABLE resend_job_items (
        resend_job_id text NOT NULL,
        transaction_id bigint NOT NULL,
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'succeeded', 'failed')),
        attempts smallint,
        finished_at timestamptz,
        PRIMARY KEY (resend_job_id, transaction_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE resend_job_items');
    await q.query(
      'ALTER TABLE webhook_logs ADD CONSTRAINT webhook_logs_resend_job_id_fkey FOREIGN KEY (resend_job_id) REFERENCES resend_jobs (id)',
    );
    await q.query('DROP INDEX resend_jobs_active_window_unique');
    await q.query(`
      ALTER TABLE resend_jobs
        DROP COLUMN source, DROP COLUMN transaction_id, DROP COLUMN fanout_done, DROP COLUMN dispatched,
        DROP COLUMN cursor_changed_at, DROP COLUMN cursor_transaction_id`);
  }
}
