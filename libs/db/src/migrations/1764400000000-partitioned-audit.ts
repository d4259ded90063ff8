import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Days of audit partitions made ahead of today (the worker keeps the same horizon). */
const DAYS_AHEAD = 7;

const LEGACY_INDEXES = [
  ['webhook_logs_pkey', 'webhook_logs_legacy_pkey'],
  ['webhook_logs_account_idx', 'webhook_logs_legacy_account_idx'],
  ['webhook_logs_account_sent_idx', 'webhook_logs_legacy_account_sent_idx'],
  ['webhook_logs_transaction_idx', 'webhook_logs_legacy_transaction_idx'],
  ['webhook_logs_merchant_idx', 'webhook_logs_legacy_merchant_idx'],
  ['webhook_logs_resend_job_idx', 'webhook_logs_legacy_resend_job_idx'],
  ['webhook_logs_open_idx', 'webhook_logs_legacy_open_idx'],
  ['webhook_logs_delivery_idx', 'webhook_logs_legacy_delivery_idx'],
] as const;

/**
 * The audit trail becomes a table partitioned by day on `sent_at` (SPEC 1: pruned by dropping old
 * partitions, never a mass DELETE), and knowing which attempts are in flight moves off it:
 *
 * - An attempt in flight is named by its delivery (`open_log_id`, `open_log_sent_at`, set by the
 *   claim, cleared by the completion), or, for an attempt outside the ledger (a synchronous
 *   resend), by a row of `open_attempts`. Before, "in flight" was "audit row with no outcome",
 *   which across partitions is a probe of every partition, and whose partial index made every
 *   completion a non-HOT update.
 * - The existing table is not copied: it becomes the first partition as it is (`webhook_logs_legacy`,
 *   from MINVALUE to the day after its newest row) and is dropped whole once that day is past the
 *   retention. Attaching checks its rows against the bound (one scan) and builds the new
 *   (transaction, sent_at) and (merchant, sent_at) indexes on it: minutes, not hours, for a table
 *   of tens of millions of rows, under a lock that stops audit writes meanwhile. A very large
 *   installation can build those indexes CONCURRENTLY on the old table beforehand, with the same
 *   definitions and names as below, and attaching then adopts them.
 * - Day partitions from then to a week ahead are made here; the worker keeps that horizon and
 *   drops what is older than AUDIT_RETENTION_DAYS. Partitions get fillfactor 90: the completion
 *   of an attempt rewrites its row in place (HOT), since no index covers what it changes.
 */
export class PartitionedAudit1764400000000 implements MigrationInterface {
  name = 'PartitionedAudit1764400000000';

  async up(q: QueryRunner): Promise<void> {
    // Nothing is written to the audit trail or the ledger until this commits: an attempt opened
    // meanwhile by a process of the previous release would be in flight with no marker, and an id
    // it took after the sequence is read would be handed out again. (Stop the previous release's
    // workers first: their writes wait here and fail afterwards.)
    await q.query('LOCK TABLE deliveries, webhook_logs IN EXCLUSIVE MODE');
    await q.query(`
      ALTER TABLE deliveries
        ADD COLUMN open_log_id bigint,
        ADD COLUMN open_log_sent_at timestamptz,
        ADD CONSTRAINT deliveries_open_log_pair CHECK ((open_log_id IS NULL) = (open_log_sent_at IS NULL))`);
    await q.query(`
      UPDATE deliveries d SET open_log_id = o.id, open_log_sent_at = o.sent_at
        FROM (SELECT DISTINCT ON (delivery_id) id, sent_at, delivery_id FROM webhook_logs
               WHERE outcome IS NULL AND delivery_id IS NOT NULL ORDER BY delivery_id, id DESC) o
       WHERE d.id = o.delivery_id`);
    await q.query('CREATE INDEX deliveries_in_flight_idx ON deliveries (open_log_sent_at) WHERE open_log_id IS NOT NULL');
    await q.query(`CREATE TABLE open_attempts (webhook_log_id bigint PRIMARY KEY, sent_at timestamptz NOT NULL)`);
    await q.query(`
      INSERT INTO open_attempts (webhook_log_id, sent_at)
      SELECT l.id, l.sent_at FROM webhook_logs l
       WHERE l.outcome IS NULL AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.open_log_id = l.id)`);

    const [seq] = await q.query(`
      SELECT GREATEST((SELECT COALESCE(max(id), 0) FROM webhook_logs),
                      (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM webhook_logs_id_seq)) AS last`);
    // Roles other than the owner keep their rights: the old table's grants go to the new tables.
    const grants: Array<{ grantee: string; privilege_type: string }> = await q.query(`
      SELECT grantee, privilege_type FROM information_schema.role_table_grants
       WHERE table_schema = current_schema() AND table_name = 'webhook_logs' AND grantee <> current_user`);
    await q.query('ALTER TABLE webhook_logs RENAME TO webhook_logs_legacy');
    for (const [from, to] of LEGACY_INDEXES) await q.query(`ALTER INDEX ${from} RENAME TO ${to}`);
    await q.query('ALTER TABLE webhook_logs_legacy ALTER COLUMN id DROP IDENTITY');
    // No foreign keys on the audit trail: its rows are history written by the service from rows
    // that exist, and a key check on every attempt would lock the transaction's row (KEY SHARE)
    // and make each new day's partition lock accounts, merchants and transactions to be made.
    await q.query(`
      ALTER TABLE webhook_logs_legacy DROP CONSTRAINT webhook_logs_account_id_fkey,
        DROP CONSTRAINT webhook_logs_merchant_id_fkey, DROP CONSTRAINT webhook_logs_transaction_id_fkey`);
    await q.query('CREATE SEQUENCE webhook_logs_id_seq AS bigint');
    if (Number(seq.last) > 0) await q.query(`SELECT setval('webhook_logs_id_seq', $1)`, [seq.last]);

    await q.query(`
      CREATE TABLE webhook_logs (
        id bigint NOT NULL DEFAULT nextval('webhook_logs_id_seq'),
        account_id integer NOT NULL,
        merchant_id integer NOT NULL,
        transaction_id bigint NOT NULL,
        webhook_id text NOT NULL,
        status_id smallint NOT NULL,
        trigger text NOT NULL CONSTRAINT webhook_logs_trigger_check
          CHECK (trigger IN ('automatic', 'manual', 'bulk', 'scheduled', 'recovery')),
        resend_job_id text,
        url text NOT NULL,
        url_source text NOT NULL CONSTRAINT webhook_logs_url_source_check CHECK (url_source IN ('configured', 'override')),
        attempt smallint NOT NULL CONSTRAINT webhook_logs_attempt_check CHECK (attempt >= 1),
        http_status smallint,
        duration_ms integer NOT NULL,
        outcome text CONSTRAINT webhook_logs_outcome_check
          CHECK (outcome IN ('success', 'http_error', 'timeout', 'network_error', 'blocked')),
        error text,
        response_body text,
        sent_at timestamptz NOT NULL,
        delivery_id bigint,
        CONSTRAINT webhook_logs_pkey PRIMARY KEY (id, sent_at)
      ) PARTITION BY RANGE (sent_at)`);
    await q.query('ALTER SEQUENCE webhook_logs_id_seq OWNED BY webhook_logs.id');
    // Every list reads newest first by (sent_at, id): an ordered scan of the newest partitions.
    await q.query('CREATE INDEX webhook_logs_account_sent_idx ON webhook_logs (account_id, sent_at DESC, id DESC)');
    await q.query('CREATE INDEX webhook_logs_merchant_sent_idx ON webhook_logs (merchant_id, sent_at DESC, id DESC)');
    await q.query('CREATE INDEX webhook_logs_transaction_sent_idx ON webhook_logs (transaction_id, sent_at DESC, id DESC)');
    await q.query('CREATE INDEX webhook_logs_resend_job_idx ON webhook_logs (resend_job_id) WHERE resend_job_id IS NOT NULL');
    for (const { grantee, privilege_type: privilege } of grants) {
      const to = grantee === 'PUBLIC' ? 'PUBLIC' : `"${grantee.replaceAll('"', '""')}"`;
      await q.query(`GRANT ${privilege} ON webhook_logs TO ${to}`);
      // Who writes audit rows opens and closes in-flight markers.
      if (privilege === 'INSERT') {
        await q.query(`GRANT USAGE ON SEQUENCE webhook_logs_id_seq TO ${to}`);
        await q.query(`GRANT SELECT, INSERT, DELETE ON open_attempts TO ${to}`);
      }
    }

    const [{ today, newest }] = await q.query(`
      SELECT (now() AT TIME ZONE 'UTC')::date::text AS today,
             ((SELECT max(sent_at) FROM webhook_logs_legacy) AT TIME ZONE 'UTC')::date::text AS newest`);
    // Yesterday too: a process whose clock is a little behind the database's writes there at midnight.
    let firstDay = addDays(today, -1);
    let lastDay = addDays(today, DAYS_AHEAD);
    if (newest === null) {
      await q.query('DROP TABLE webhook_logs_legacy');
    } else {
      // The legacy partition ends at the day after its newest row, or tomorrow at the latest: rows
      // dated later (a clock that was wrong) go to day partitions of their own, so the legacy one
      // never outlives the retention.
      const end = newest < today ? addDays(newest, 1) : addDays(today, 1);
      await q.query(`CREATE TEMP TABLE webhook_logs_future ON COMMIT DROP AS SELECT * FROM webhook_logs_legacy WHERE sent_at >= '${end} 00:00:00+00'`);
      await q.query(`DELETE FROM webhook_logs_legacy WHERE sent_at >= '${end} 00:00:00+00'`);
      if (newest > lastDay) lastDay = newest;
      // Its key becomes the partitioned table's (id, sent_at), built as it is attached.
      await q.query('ALTER TABLE webhook_logs_legacy DROP CONSTRAINT webhook_logs_legacy_pkey');
      await q.query(`ALTER TABLE webhook_logs ATTACH PARTITION webhook_logs_legacy FOR VALUES FROM (MINVALUE) TO ('${end} 00:00:00+00')`);
      for (const [, name] of LEGACY_INDEXES) {
        // The pkey went above; these two were adopted by the partitioned indexes of the same shape.
        if (['webhook_logs_legacy_pkey', 'webhook_logs_legacy_account_sent_idx', 'webhook_logs_legacy_resend_job_idx'].includes(name)) continue;
        await q.query(`DROP INDEX ${name}`);
      }
      // Day partitions follow on from the legacy one with no gap, whenever its last row was.
      firstDay = end;
    }
    for (const day of daysFrom(firstDay, addDays(lastDay, 1))) {
      await q.query(
        `CREATE TABLE webhook_logs_p${day.replaceAll('-', '')} PARTITION OF webhook_logs
           FOR VALUES FROM ('${day} 00:00:00+00') TO ('${addDays(day, 1)} 00:00:00+00') WITH (fillfactor = 90)`,
      );
    }
    if (newest !== null) await q.query('INSERT INTO webhook_logs SELECT * FROM webhook_logs_future');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_logs_flat (LIKE webhook_logs INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    await q.query('INSERT INTO webhook_logs_flat SELECT * FROM webhook_logs');
    await q.query('ALTER TABLE webhook_logs_flat ALTER COLUMN id DROP DEFAULT');
    const [{ last }] = await q.query(`SELECT COALESCE((SELECT last_value FROM webhook_logs_id_seq), 0) AS last`);
    await q.query('DROP TABLE webhook_logs CASCADE');
    await q.query('ALTER TABLE webhook_logs_flat RENAME TO webhook_logs');
    await q.query(`ALTER TABLE webhook_logs ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (START WITH ${Number(last) + 1})`);
    await q.query('ALTER TABLE webhook_logs ADD CONSTRAINT webhook_logs_pkey PRIMARY KEY (id)');
    await q.query('ALTER TABLE webhook_logs ADD CONSTRAINT webhook_logs_account_id_fkey FOREIGN KEY (account_id) REFERENCES accounts (id)');
    await q.query('ALTER TABLE webhook_logs ADD CONSTRAINT webhook_logs_merchant_id_fkey FOREIGN KEY (merchant_id) REFERENCES merchants (id)');
    await q.query('ALTER TABLE webhook_logs ADD CONSTRAINT webhook_logs_transaction_id_fkey FOREIGN KEY (transaction_id) REFERENCES transactions (id)');
    await q.query('CREATE INDEX webhook_logs_account_idx ON webhook_logs (account_id, id DESC)');
    await q.query('CREATE INDEX webhook_logs_account_sent_idx ON webhook_logs (account_id, sent_at DESC, id DESC)');
    await q.query('CREATE INDEX webhook_logs_transaction_idx ON webhook_logs (transaction_id, id DESC)');
    await q.query('CREATE INDEX webhook_logs_merchant_idx ON webhook_logs (merchant_id, id DESC)');
    await q.query('CREATE INDEX webhook_logs_resend_job_idx ON webhook_logs (resend_job_id) WHERE resend_job_id IS NOT NULL');
    await q.query('CREATE INDEX webhook_logs_open_idx ON webhook_logs (delivery_id) WHERE outcome IS NULL');
    await q.query('CREATE INDEX webhook_logs_delivery_idx ON webhook_logs (delivery_id, id DESC) WHERE delivery_id IS NOT NULL');
    await q.query('DROP TABLE open_attempts');
    await q.query('DROP INDEX deliveries_in_flight_idx');
    await q.query('ALTER TABLE deliveries DROP CONSTRAINT deliveries_open_log_pair, DROP COLUMN open_log_id, DROP COLUMN open_log_sent_at');
  }
}

function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Each day from `first` up to, not including, `end` (YYYY-MM-DD, UTC). */
function daysFrom(first: string, end: string): string[] {
  const days: string[] = [];
  for (let day = first; day < end; day = addDays(day, 1)) days.push(day);
  return days;
}
