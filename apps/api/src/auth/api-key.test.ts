import { describe, expect, it } from '@jest/globals';
import { issueApiKey, parseApiKey, secretMatches } from './api-key.js';

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

  it('when a token is not shaped like a key, then it does not parse', () => {
    expect(parseApiKey('wrk_short_key')).toBeUndefined();
    expect(parseApiKey('')).toBeUndefined();
  });
});
