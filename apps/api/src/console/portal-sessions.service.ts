import { AppError, NotFoundError } from '@wr/domain';
import type { MerchantRepository, PortalSessionRecord, PortalSessionRepository } from '@wr/db';
import { isPortalToken, newPortalToken, portalTokenDigest } from './portal-tokens.js';

/** A console session's 401: the console tells "expired" from "never signed in" by the message. */
export class PortalSessionError extends AppError {
  readonly kind = 'unauthorized';
  constructor(readonly reason: 'link_unusable' | 'session_expired' | 'not_signed_in') {
    super(PortalSessionError.MESSAGES[reason]);
  }

  static readonly MESSAGES = {
    link_unusable: 'This sign-in link has expired or has already been used',
    session_expired: 'Session expired',
    not_signed_in: 'Not signed in',
  } as const;
}

/** Who a console session is: one merchant of one account, until `expiresAt`. */
export interface PortalSession {
  accountId: number;
  merchantId: number;
  merchantName: string;
  expiresAt: Date;
}

export interface MintedLink {
  /** The one-time token, in clear: only the link answered to the platform carries it. */
  token: string;
  expiresAt: Date;
}

// Expired rows are kept a day (a merchant back from lunch is told "expired", not "unknown"), then
// pruned a bounded batch at a time as links are minted: no sweeper needed, no unbounded delete.
const PRUNE_GRACE_SECONDS = 24 * 3600;
const PRUNE_BATCH = 100;

/**
 * The merchant console's sign-in (SPEC 6 `POST /v1/portal-sessions`): a platform mints a one-time
 * link for one of its merchants; opening it exchanges the link for a session scoped to that
 * merchant. Both live `ttlSeconds`; tokens are stored only as digests.
 */
export class PortalSessionsService {
  constructor(
    private readonly deps: {
      merchants: Pick<MerchantRepository, 'findInAccount' | 'findById'>;
      sessions: Pick<PortalSessionRepository, 'insertLink' | 'exchange' | 'findSession' | 'endSession' | 'prune'>;
      ttlSeconds: number;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** A link for a merchant of the caller's account; another account's merchant is "not found". */
  async mint(accountId: number, merchantId: number): Promise<MintedLink> {
    const merchant = await this.deps.merchants.findInAccount(merchantId, accountId);
    if (!merchant) throw new NotFoundError('Merchant not found');
    await this.deps.sessions.prune(PRUNE_GRACE_SECONDS, PRUNE_BATCH);
    const token = newPortalToken('link');
    const expiresAt = new Date(this.now().getTime() + this.deps.ttlSeconds * 1000);
    await this.deps.sessions.insertLink({ accountId, merchantId, linkHash: portalTokenDigest(token), linkExpiresAt: expiresAt });
    return { token, expiresAt };
  }

  /** Exchanges a link token, once, for a session token (the cookie) and the session it opens. */
  async exchange(linkToken: unknown): Promise<{ sessionToken: string; session: PortalSession }> {
    if (!isPortalToken('link', linkToken)) throw new PortalSessionError('link_unusable');
    const sessionToken = newPortalToken('session');
    const row = await this.deps.sessions.exchange(portalTokenDigest(linkToken), portalTokenDigest(sessionToken), this.deps.ttlSeconds);
    if (!row) throw new PortalSessionError('link_unusable');
    return { sessionToken, session: await this.sessionOf(row) };
  }

  /** The live session a cookie names; an expired or ended one is told apart from none at all. */
  async authenticate(sessionToken: unknown): Promise<PortalSession> {
    if (!isPortalToken('session', sessionToken)) throw new PortalSessionError('not_signed_in');
    const row = await this.deps.sessions.findSession(portalTokenDigest(sessionToken));
    if (!row) throw new PortalSessionError('session_expired');
    if (!row.sessionExpiresAt || row.sessionExpiresAt.getTime() <= this.now().getTime()) throw new PortalSessionError('session_expired');
    return this.sessionOf(row);
  }

  async end(sessionToken: unknown): Promise<void> {
    if (isPortalToken('session', sessionToken)) await this.deps.sessions.endSession(portalTokenDigest(sessionToken));
  }

  private async sessionOf(row: PortalSessionRecord): Promise<PortalSession> {
    // The merchant may have been deleted since; its rows cascade, so this is a race at most.
    const merchant = await this.deps.merchants.findById(row.merchantId);
    if (!merchant || merchant.accountId !== row.accountId) throw new PortalSessionError('session_expired');
    return { accountId: row.accountId, merchantId: row.merchantId, merchantName: merchant.name, expiresAt: row.sessionExpiresAt! };
  }
}
