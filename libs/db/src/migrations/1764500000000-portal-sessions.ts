import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Portal sessions (SPEC 6, `POST /v1/portal-sessions`): a one-time sign-in link a platform mints
 * for one of its merchants, and the console session it becomes. Only SHA-256 digests of the link
 * token and of the session token are stored, so a copy of the table opens no console. A link is
 * exchanged once (`exchanged_at`); the session lives until `session_expires_at`.
 */
export class PortalSessions1764500000000 implements MigrationInterface {
  name = 'PortalSessions1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE portal_sessions (
        id bigserial PRIMARY KEY,
        account_id integer NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        merchant_id integer NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        link_hash text NOT NULL UNIQUE,
        link_expires_at timestamptz NOT NULL,
        session_hash text UNIQUE,
        session_expires_at timestamptz,
        exchanged_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT portal_sessions_exchanged CHECK ((exchanged_at IS NULL) = (session_hash IS NULL) AND (session_hash IS NULL) = (session_expires_at IS NULL))
      )`);
    // Pruning finds what has expired without a scan of the live rows.
    await q.query('CREATE INDEX portal_sessions_expiry_idx ON portal_sessions (GREATEST(link_expires_at, session_expires_at))');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE portal_sessions');
  }
}
