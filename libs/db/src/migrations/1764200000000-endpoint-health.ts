import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Endpoint health (SPEC 2, 7): each merchant endpoint is healthy, failing (the circuit is open:
 * deliveries wait, one probe at a time tests it) or disabled (410 Gone, or failing too long).
 * An incident spans failing → recovered. A delivery that waits for its endpoint is "held": still
 * pending, no attempt spent, no wake-up queued; `releases` counts how often it was let go, so each
 * release gets a wake-up id of its own (a completed job keeps its id in Redis for a day).
 */
export class EndpointHealth1764200000000 implements MigrationInterface {
  name = 'EndpointHealth1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE endpoint_incidents (
        id bigserial PRIMARY KEY,
        merchant_id integer NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        started_at timestamptz NOT NULL DEFAULT now(),
        disabled_at timestamptz,
        disabled_reason text CHECK (disabled_reason IN ('gone', 'failing_too_long')),
        ended_at timestamptz,
        ended_by text CHECK (ended_by IN ('recovered', 'enabled', 'url_changed')),
        first_error text,
        probes integer NOT NULL DEFAULT 0,
        -- Frozen when the incident ends; counted live while it is open.
        deliveries_failed integer
      )`);
    await q.query('CREATE INDEX endpoint_incidents_merchant_idx ON endpoint_incidents (merchant_id, id DESC)');
    await q.query(`
      CREATE TABLE endpoint_health (
        merchant_id integer PRIMARY KEY REFERENCES merchants(id) ON DELETE CASCADE,
        state text NOT NULL DEFAULT 'healthy' CHECK (state IN ('healthy', 'failing', 'disabled')),
        consecutive_failures integer NOT NULL DEFAULT 0,
        -- Distinct deliveries in the current run of failures (the first few): one delivery's own
        -- retries never open the circuit (SPEC 7).
        failed_delivery_ids bigint[] NOT NULL DEFAULT '{}',
        -- When the circuit opened (the state left healthy); ENDPOINT_DISABLE_AFTER_HOURS counts from it.
        failing_since timestamptz,
        next_probe_at timestamptz,
        probe_interval_ms integer,
        probe_lease_until timestamptz,
        incident_id bigint REFERENCES endpoint_incidents(id) ON DELETE SET NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX endpoint_health_probe_idx ON endpoint_health (next_probe_at) WHERE state = 'failing'`);
    await q.query(`
      ALTER TABLE deliveries
        ADD COLUMN held_since timestamptz,
        ADD COLUMN releases integer NOT NULL DEFAULT 0,
        ADD COLUMN incident_id bigint REFERENCES endpoint_incidents(id) ON DELETE SET NULL`);
    await q.query(`CREATE INDEX deliveries_held_idx ON deliveries (merchant_id, status_changed_at, id) WHERE state = 'pending' AND held_since IS NOT NULL`);
    await q.query('CREATE INDEX deliveries_incident_idx ON deliveries (incident_id) WHERE incident_id IS NOT NULL');
    // "Is a newer status of this transaction still owed?" (recovery keeps one delivery per
    // transaction). Live rows only: a bulk replay's items never pay for it.
    await q.query(
      `CREATE INDEX deliveries_transaction_pending_idx ON deliveries (transaction_id, sequence) WHERE state = 'pending' AND resend_job_id IS NULL`,
    );
    // What spent its attempts during an incident is delivered again on recovery.
    await q.query(`CREATE INDEX deliveries_failed_idx ON deliveries (merchant_id, finished_at) WHERE state = 'failed'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX deliveries_failed_idx');
    await q.query('DROP INDEX deliveries_transaction_pending_idx');
    await q.query('DROP INDEX deliveries_incident_idx');
    await q.query('DROP INDEX deliveries_held_idx');
    await q.query(`DELETE FROM deliveries WHERE trigger = 'recovery'`);
    await q.query('ALTER TABLE deliveries DROP COLUMN held_since, DROP COLUMN releases, DROP COLUMN incident_id');
    await q.query('DROP TABLE endpoint_health');
    await q.query('DROP TABLE endpoint_incidents');
  }
}
