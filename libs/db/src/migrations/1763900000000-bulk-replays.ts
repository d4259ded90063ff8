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
    await q.query(`
      CREATE TABLE resend_job_items (
        resend_job_id text NOT NULL REFERENCES resend_jobs (id) ON DELETE CASCADE,
        transaction_id bigint NOT NULL,
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'succeeded', 'failed')),
        attempts smallint,
        finished_at timestamptz,
        PRIMARY KEY (resend_job_id, transaction_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE resend_job_items');
    await q.query('DROP INDEX resend_jobs_active_window_unique');
    await q.query(`
      ALTER TABLE resend_jobs
        DROP COLUMN source, DROP COLUMN transaction_id, DROP COLUMN fanout_done, DROP COLUMN dispatched,
        DROP COLUMN cursor_changed_at, DROP COLUMN cursor_transaction_id`);
  }
}
