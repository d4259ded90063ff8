import { createHash, randomBytes } from 'node:crypto';

/**
 * Console tokens: 256 random bits, base64url, with a prefix that says what each one is (a link is
 * `wrl_…`, a session `wrs_…`) so one is never mistaken for the other, nor for an API key. Only their
 * SHA-256 is stored: the tokens are random, so a fast hash is enough and a lookup by digest is safe.
 */
export type PortalTokenKind = 'link' | 'session';

const PREFIX: Record<PortalTokenKind, string> = { link: 'wrl_', session: 'wrs_' };
const SHAPE: Record<PortalTokenKind, RegExp> = { link: /^wrl_[A-Za-z0-9_-]{43}$/, session: /^wrs_[A-Za-z0-9_-]{43}$/ };

export function newPortalToken(kind: PortalTokenKind): string {
  return `${PREFIX[kind]}${randomBytes(32).toString('base64url')}`;
}

/** True for a string shaped like a token of this kind (anything else names nothing: no lookup). */
export function isPortalToken(kind: PortalTokenKind, value: unknown): value is string {
  return typeof value === 'string' && SHAPE[kind].test(value);
}

export function portalTokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
