import { describe, expect, it } from '@jest/globals';
import { NotFoundError } from '@wr/domain';
import type { MerchantRecord, NewPortalLink, PortalSessionRecord } from '@wr/db';
import { PortalSessionError, PortalSessionsService } from './portal-sessions.service.js';
import { portalTokenDigest } from './portal-tokens.js';

const TTL_SECONDS = 900;

/** The repository's rules in memory, on the test's clock: one exchange per link, digests only. */
class FakeSessions {
  rows: PortalSessionRecord[] = [];
  constructor(private readonly clock: () => Date) {}

  async insertLink(link: NewPortalLink): Promise<PortalSessionRecord> {
    const row = { id: this.rows.length + 1, ...link, sessionHash: null, sessionExpiresAt: null, exchangedAt: null, createdAt: this.clock() };
    this.rows.push(row);
    return row;
  }
  async exchange(linkHash: string, sessionHash: string, ttlSeconds: number): Promise<PortalSessionRecord | null> {
    const now = this.clock();
    const row = this.rows.find((r) => r.linkHash === linkHash && r.exchangedAt === null && r.linkExpiresAt > now);
    if (!row) return null;
    Object.assign(row, { sessionHash, exchangedAt: now, sessionExpiresAt: new Date(now.getTime() + ttlSeconds * 1000) });
    return row;
  }
  async findSession(sessionHash: string): Promise<PortalSessionRecord | null> {
    return this.rows.find((r) => r.sessionHash === sessionHash) ?? null;
  }
  async endSession(sessionHash: string): Promise<void> {
    const row = this.rows.find((r) => r.sessionHash === sessionHash);
    if (row) row.sessionExpiresAt = this.clock();
  }
  async prune(): Promise<number> {
    return 0;
  }
}

const merchant = (id: number, accountId: number): MerchantRecord => ({ id, accountId, name: `Shop ${id}` }) as MerchantRecord;
const MERCHANTS = [merchant(303, 1), merchant(404, 2)];

function setup() {
  let now = new Date('2026-12-01T12:00:00Z');
  const clock = () => now;
  const sessions = new FakeSessions(clock);
  const service = new PortalSessionsService({
    merchants: {
      findInAccount: async (id, accountId) => MERCHANTS.find((m) => m.id === id && m.accountId === accountId) ?? null,
      findById: async (id) => MERCHANTS.find((m) => m.id === id) ?? null,
    },
    sessions,
    ttlSeconds: TTL_SECONDS,
    now: clock,
  });
  return { service, sessions, advance: (seconds: number) => (now = new Date(now.getTime() + seconds * 1000)) };
}

const reasonOf = async (work: Promise<unknown>) => {
  const err = await work.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(PortalSessionError);
  return (err as PortalSessionError).reason;
};

describe('PortalSessionsService', () => {
  it('when a link is minted for a merchant of the account, then it expires after the TTL and only its digest is stored', async () => {
    const { service, sessions } = setup();
    const link = await service.mint(1, 303);
    expect(link.token).toMatch(/^wrl_[A-Za-z0-9_-]{43}$/);
    expect(link.expiresAt.toISOString()).toBe('2026-12-01T12:15:00.000Z');
    expect(sessions.rows).toHaveLength(1);
    expect(sessions.rows[0]!.linkHash).toBe(portalTokenDigest(link.token));
    expect(JSON.stringify(sessions.rows)).not.toContain(link.token);
  });

  it('when the merchant belongs to another account (or does not exist), then minting answers "not found" and stores nothing', async () => {
    const { service, sessions } = setup();
    await expect(service.mint(1, 404)).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.mint(1, 999)).rejects.toBeInstanceOf(NotFoundError);
    expect(sessions.rows).toHaveLength(0);
  });

  it('when a link is exchanged, then the session is scoped to its merchant and account, lasts the TTL, and is stored as a digest', async () => {
    const { service, sessions, advance } = setup();
    const link = await service.mint(1, 303);
    advance(600);
    const { sessionToken, session } = await service.exchange(link.token);
    expect(sessionToken).toMatch(/^wrs_[A-Za-z0-9_-]{43}$/);
    expect(session).toEqual({ accountId: 1, merchantId: 303, merchantName: 'Shop 303', expiresAt: new Date('2026-12-01T12:25:00Z') });
    expect(sessions.rows[0]!.sessionHash).toBe(portalTokenDigest(sessionToken));
    expect(JSON.stringify(sessions.rows)).not.toContain(sessionToken);
    await expect(service.authenticate(sessionToken)).resolves.toEqual(session);
  });

  it('when a link is exchanged a second time, then it is refused: a link works once', async () => {
    const { service } = setup();
    const link = await service.mint(1, 303);
    await service.exchange(link.token);
    expect(await reasonOf(service.exchange(link.token))).toBe('link_unusable');
  });

  it('when a link is opened after it expired, or is not a link at all, then it is refused', async () => {
    const { service, advance } = setup();
    const link = await service.mint(1, 303);
    advance(TTL_SECONDS);
    expect(await reasonOf(service.exchange(link.token))).toBe('link_unusable');
    for (const bad of [undefined, '', 'wrl_short', link.token.replace('wrl_', 'wrs_'), 42]) {
      expect(await reasonOf(service.exchange(bad))).toBe('link_unusable');
    }
  });

  it('when the session outlives its TTL, then it is "expired"; without a cookie it is "not signed in"', async () => {
    const { service, advance } = setup();
    const { sessionToken } = await service.exchange((await service.mint(1, 303)).token);
    advance(TTL_SECONDS - 1);
    await expect(service.authenticate(sessionToken)).resolves.toMatchObject({ merchantId: 303 });
    advance(1);
    expect(await reasonOf(service.authenticate(sessionToken))).toBe('session_expired');
    expect(await reasonOf(service.authenticate(undefined))).toBe('not_signed_in');
    expect(await reasonOf(service.authenticate('not-a-token'))).toBe('not_signed_in');
  });

  it('when a well-formed session token names no session, then it reads as expired (pruned), never as another session', async () => {
    const { service } = setup();
    await service.exchange((await service.mint(1, 303)).token);
    expect(await reasonOf(service.authenticate(`wrs_${'A'.repeat(43)}`))).toBe('session_expired');
  });

  it('when the merchant signs out, then the session stops at once', async () => {
    const { service } = setup();
    const { sessionToken } = await service.exchange((await service.mint(1, 303)).token);
    await service.end(sessionToken);
    expect(await reasonOf(service.authenticate(sessionToken))).toBe('session_expired');
  });

  it('when a link token is used as a session cookie, then it opens nothing', async () => {
    const { service } = setup();
    const link = await service.mint(1, 303);
    expect(await reasonOf(service.authenticate(link.token))).toBe('not_signed_in');
  });
});
