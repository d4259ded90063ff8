import { describe, expect, it } from '@jest/globals';
import { API_KEY_ID_PATTERN, apiKeyPrefix, issueApiKey, parseApiKey, secretMatches } from './api-key.js';

describe('API keys', () => {
  it('when a key is issued, then only its hash is kept and the plaintext verifies against it', () => {
    const key = issueApiKey();
    expect(key.plaintext).not.toContain(key.secretHash);
    const parsed = parseApiKey(key.plaintext)!;
    expect(parsed.id).toBe(key.id);
    expect(secretMatches(parsed.secret, key.secretHash)).toBe(true);
    const tampered = parsed.secret.slice(0, -1) + (parsed.secret.endsWith('A') ? 'B' : 'A');
    expect(secretMatches(tampered, key.secretHash)).toBe(false);
  });

  it('when a key is issued, then its prefix starts the key, names its id and holds none of its secret', () => {
    const key = issueApiKey();
    const prefix = apiKeyPrefix(key.id);
    expect(key.plaintext.startsWith(`${prefix}_`)).toBe(true);
    expect(prefix).toMatch(/^wrk_[0-9a-f]{16}$/);
    expect(API_KEY_ID_PATTERN.test(key.id)).toBe(true);
    expect(prefix).not.toContain(parseApiKey(key.plaintext)!.secret);
  });

  it('when a token is not shaped like a key, then it does not parse', () => {
    expect(parseApiKey('wrk_short_key')).toBeUndefined();
    expect(parseApiKey('')).toBeUndefined();
  });
});
