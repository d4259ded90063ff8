import { describe, expect, it } from '@jest/globals';
import { API_KEY_ID_PATTERN, apiKeyPrefix, constantTimeEqual, issueApiKey, parseApiKey, secretMatches } from './api-key.js';

/** The key with one character of its secret replaced at `index` (from the end when negative). */
function withSecretCharChanged(plaintext: string, index: number): string {
  const at = index < 0 ? plaintext.length + index : plaintext.length - 43 + index;
  const swapped = plaintext[at] === 'A' ? 'B' : 'A';
  return plaintext.slice(0, at) + swapped + plaintext.slice(at + 1);
}

describe('API keys', () => {
  it('when a key is issued, then the plaintext parses back to its id and a secret that matches the stored hash', () => {
    for (let i = 0; i < 20; i++) {
      const key = issueApiKey();
      const parsed = parseApiKey(key.plaintext);
      expect(parsed).toBeDefined();
      expect(parsed!.id).toBe(key.id);
      expect(secretMatches(parsed!.secret, key.secretHash)).toBe(true);
    }
  });

  it('when many keys are issued, then ids, secrets and hashes never repeat, and each hash is a SHA-256 in hex', () => {
    const keys = Array.from({ length: 200 }, () => issueApiKey());
    const secrets = keys.map((k) => parseApiKey(k.plaintext)!.secret);
    expect(new Set(keys.map((k) => k.id)).size).toBe(keys.length);
    expect(new Set(secrets).size).toBe(keys.length);
    expect(new Set(keys.map((k) => k.secretHash)).size).toBe(keys.length);
    for (const key of keys) expect(key.secretHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('when one character of the secret is changed anywhere, then the key still parses but its secret no longer matches', () => {
    const key = issueApiKey();
    for (const index of [0, 1, 21, 42, -1]) {
      const tampered = parseApiKey(withSecretCharChanged(key.plaintext, index));
      expect(tampered).toBeDefined();
      expect(tampered!.id).toBe(key.id);
      expect(secretMatches(tampered!.secret, key.secretHash)).toBe(false);
    }
  });

  it("when another key's secret, the stored hash itself or an empty string is presented, then it does not match", () => {
    const key = issueApiKey();
    const other = issueApiKey();
    expect(secretMatches(parseApiKey(other.plaintext)!.secret, key.secretHash)).toBe(false);
    // Whoever reads the stored hash cannot use it as the secret.
    expect(secretMatches(key.secretHash, key.secretHash)).toBe(false);
    expect(secretMatches('', key.secretHash)).toBe(false);
  });

  it('when a stored hash is empty, truncated or too long, then nothing matches it and nothing throws', () => {
    const key = issueApiKey();
    const secret = parseApiKey(key.plaintext)!.secret;
    for (const stored of ['', key.secretHash.slice(0, 63), `${key.secretHash}0`, key.secretHash.toUpperCase()]) {
      expect(secretMatches(secret, stored)).toBe(false);
    }
  });

  it('when two strings of different lengths are compared, then they are unequal without throwing; equal strings of any length are equal', () => {
    // Node's timingSafeEqual throws on different lengths: the comparison must not leak that way.
    expect(constantTimeEqual('short', 'a much longer string than the first one')).toBe(false);
    expect(constantTimeEqual('', 'x')).toBe(false);
    expect(constantTimeEqual('token', 'token ')).toBe(false);
    expect(constantTimeEqual('token-1', 'token-2')).toBe(false);
    expect(constantTimeEqual('ä', 'a')).toBe(false);
    const long = 'k'.repeat(10_000);
    expect(constantTimeEqual(long, 'k'.repeat(10_000))).toBe(true);
    expect(constantTimeEqual('', '')).toBe(true);
    expect(constantTimeEqual('ä€😀', 'ä€😀')).toBe(true);
  });

  it("when a secret holds base64url's '_' and '-', then the key still splits at the id and the whole secret is kept", () => {
    const id = '0123456789abcdef';
    const secret = `_-${'x'.repeat(39)}-_`;
    expect(secret).toHaveLength(43);
    expect(parseApiKey(`wrk_${id}_${secret}`)).toEqual({ id, secret });
  });

  it.each([
    ['nothing in it', ''],
    ['only the prefix', 'wrk_0123456789abcdef'],
    ['the prefix and separator only', 'wrk_0123456789abcdef_'],
    ['another scheme', `wrx_0123456789abcdef_${'a'.repeat(43)}`],
    ['an upper-case scheme', `WRK_0123456789abcdef_${'a'.repeat(43)}`],
    ['an upper-case hex id', `wrk_0123456789ABCDEF_${'a'.repeat(43)}`],
    ['a non-hex id', `wrk_0123456789abcdeg_${'a'.repeat(43)}`],
    ['a 15-character id', `wrk_0123456789abcde_${'a'.repeat(43)}`],
    ['a 17-character id', `wrk_0123456789abcdef0_${'a'.repeat(43)}`],
    ['a 42-character secret', `wrk_0123456789abcdef_${'a'.repeat(42)}`],
    ['a 44-character secret', `wrk_0123456789abcdef_${'a'.repeat(44)}`],
    ["base64's '+' in its secret", `wrk_0123456789abcdef_${'a'.repeat(42)}+`],
    ["base64's '/' in its secret", `wrk_0123456789abcdef_${'a'.repeat(42)}/`],
    ['base64 padding', `wrk_0123456789abcdef_${'a'.repeat(42)}=`],
    ['a leading space', ` wrk_0123456789abcdef_${'a'.repeat(43)}`],
    ['a trailing newline', `wrk_0123456789abcdef_${'a'.repeat(43)}\n`],
    ['the Bearer scheme still in front', `Bearer wrk_0123456789abcdef_${'a'.repeat(43)}`],
    ['an extra segment', `wrk_0123456789abcdef_${'a'.repeat(43)}_extra`],
  ])('when a token has %s, then it does not parse as a key', (_what, token) => {
    expect(parseApiKey(token)).toBeUndefined();
  });

  it('when a key is issued, then its prefix is the part before the secret: it names the id, parses as no key and holds no secret', () => {
    for (let i = 0; i < 20; i++) {
      const key = issueApiKey();
      const prefix = apiKeyPrefix(key.id);
      const secret = parseApiKey(key.plaintext)!.secret;
      expect(prefix).toMatch(/^wrk_[0-9a-f]{16}$/);
      expect(key.plaintext).toBe(`${prefix}_${secret}`);
      expect(parseApiKey(prefix)).toBeUndefined();
      expect(secretMatches(prefix, key.secretHash)).toBe(false);
    }
  });

  it('when ids are checked against the id pattern, then issued ids pass and anything else does not', () => {
    for (let i = 0; i < 20; i++) expect(API_KEY_ID_PATTERN.test(issueApiKey().id)).toBe(true);
    for (const id of ['', '0123456789abcde', '0123456789abcdef0', '0123456789ABCDEF', '0123456789abcdeg', 'wrk_0123456789abcdef', '1 OR 1=1']) {
      expect(API_KEY_ID_PATTERN.test(id)).toBe(false);
    }
  });
});
