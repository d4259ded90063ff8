import type { DataSource, EntityManager } from 'typeorm';
import { PortalSessionEntity, type PortalSessionRecord } from '../entities/index.js';
import { mapRow } from '../row-mapper.js';

export interface NewPortalLink {
  accountId: number;
  merchantId: number;
  linkHash: string;
  linkExpiresAt: Date;
}

/** Console sign-in links and sessions, by the digests of their tokens. */
export class PortalSessionRepository {
  constructor(private readonly db: DataSource) {}

  async insertLink(link: NewPortalLink, manager: EntityManager = this.db.manager): Promise<PortalSessionRecord> {
    const rows = await manager.query(
      `INSERT INTO portal_sessions (account_id, merchant_id, link_hash, link_expires_at) VALUES ($1, $2, $3, $4) RETURNING *`,
      [link.accountId, link.merchantId, link.linkHash, link.linkExpiresAt.toISOString()],
    );
    return mapRow(manager, PortalSessionEntity, rows[0])!;
  }

  /**
   * Turns an unused, unexpired link into a session, in one statement: of two requests racing
   * with the same link, exactly one gets the row. Null when the link is unknown, used or expired.
   */
  async exchange(linkHash: string, sessionHash: string, ttlSeconds: number, manager: EntityManager = this.db.manager): Promise<PortalSessionRecord | null> {
    // An UPDATE answers [rows, count].
    const [rows] = await manager.query(
      `UPDATE portal_sessions
          SET session_hash = $2, exchanged_at = now(), session_expires_at = now() + $3 * interval '1 second'
        WHERE link_hash = $1 AND exchanged_at IS NULL AND link_expires_at > now()
        RETURNING *`,
      [linkHash, sessionHash, ttlSeconds],
    );
    return mapRow(manager, PortalSessionEntity, rows[0]);
  }

  /** The session a cookie names, expired or not (the caller tells the two apart). */
  async findSession(sessionHash: string, manager: EntityManager = this.db.manager): Promise<PortalSessionRecord | null> {
    const rows = await manager.query('SELECT * FROM portal_sessions WHERE session_hash = $1', [sessionHash]);
    return mapRow(manager, PortalSessionEntity, rows[0]);
  }

  /** Ends a session now (sign out); the row stays until pruned. */
  async endSession(sessionHash: string, manager: EntityManager = this.db.manager): Promise<void> {
    await manager.query('UPDATE portal_sessions SET session_expires_at = least(session_expires_at, now()) WHERE session_hash = $1', [sessionHash]);
  }

  /** Deletes links and sessions expired for longer than `graceSeconds`, at most `limit` at a time. */
  async prune(graceSeconds: number, limit: number, manager: EntityManager = this.db.manager): Promise<number> {
    const [, count] = await manager.query(
      `DELETE FROM portal_sessions WHERE id IN (
         SELECT id FROM portal_sessions
          WHERE GREATEST(link_expires_at, session_expires_at) < now() - $1 * interval '1 second'
          LIMIT $2)`,
      [graceSeconds, limit],
    );
    return count as number;
  }
}
