import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys are `wrk_<id>_<secret>`: the id finds the row, the secret is checked against its
 * SHA-256 in constant time. Secrets are 256 random bits, so a fast hash is enough; the key is
 * shown once and never stored.
 */
const KEY_PATTERN = /^wrk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface IssuedApiKey {
  id: string;
  secretHash: string;
  plaintext: string;
}

export function issueApiKey(): IssuedApiKey {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, secretHash: sha256Hex(secret), plaintext: `wrk_${id}_${secret}` };
}

/** A key id as `issueApiKey` draws it; anything else names no key. */
export const API_KEY_ID_PATTERN = /^[0-9a-f]{16}$/;

/**
 * The non-secret start of a key, `wrk_<id>`: enough for an operator to tell keys apart and for
 * the key's holder to recognise theirs, useless to anyone else.
 */
export function apiKeyPrefix(id: string): string {
  return `wrk_${id}`;
}

export function parseApiKey(plaintext: string): { id: string; secret: string } | undefined {
  const match = KEY_PATTERN.exec(plaintext);
  return match ? { id: match[1]!, secret: match[2]! } : undefined;
}

export function secretMatches(secret: string, storedHash: string): boolean {
  return constantTimeEqual(sha256Hex(secret), storedHash);
}

/** Equal-length digests compared without early exit. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right);
}

function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
