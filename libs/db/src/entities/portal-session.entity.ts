import { EntitySchema } from 'typeorm';
import { bigintAsNumber } from './column-transformers.js';

/**
 * A console sign-in link and the session it becomes (`POST /v1/portal-sessions`). Tokens are
 * never stored: only their SHA-256 digests, so the row alone opens nothing.
 */
export interface PortalSessionRecord {
  id: number;
  accountId: number;
  merchantId: number;
  linkHash: string;
  linkExpiresAt: Date;
  /** Set when the link is exchanged, once. */
  sessionHash: string | null;
  sessionExpiresAt: Date | null;
  exchangedAt: Date | null;
  createdAt: Date;
}

export const PortalSessionEntity = new EntitySchema<PortalSessionRecord>({
  name: 'PortalSession',
  tableName: 'portal_sessions',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment', transformer: bigintAsNumber },
    accountId: { name: 'account_id', type: 'integer' },
    merchantId: { name: 'merchant_id', type: 'integer' },
    linkHash: { name: 'link_hash', type: 'text' },
    linkExpiresAt: { name: 'link_expires_at', type: 'timestamptz' },
    sessionHash: { name: 'session_hash', type: 'text', nullable: true },
    sessionExpiresAt: { name: 'session_expires_at', type: 'timestamptz', nullable: true },
    exchangedAt: { name: 'exchanged_at', type: 'timestamptz', nullable: true },
    createdAt: { name: 'created_at', type: 'timestamptz', createDate: true },
  },
});
