import { describe, expect, it } from '@jest/globals';
import { SecretBox, SecretBoxError } from './secret-box.js';

const KEY = 'unit-test-secrets-key-0123456789abcdef';
const SECRET = 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0';

describe('SecretBox', () => {
  const box = new SecretBox(KEY);

  it('when a secret is sealed, then it is enc:v1:iv.tag.ciphertext without the secret, and opens to the same value', () => {
    const sealed = box.seal(SECRET);
    expect(sealed).toMatch(/^enc:v1:[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+$/);
    expect(sealed).not.toContain(SECRET);
    expect(sealed).not.toContain(SECRET.slice('whsec_'.length));
    expect(box.open(sealed)).toBe(SECRET);
  });

  it('when the same secret is sealed twice, then the iv (and so the stored value) differs each time', () => {
    const a = box.seal(SECRET);
    const b = box.seal(SECRET);
    expect(a).not.toBe(b);
    expect(a.split('.')[0]).not.toBe(b.split('.')[0]);
    expect([box.open(a), box.open(b)]).toEqual([SECRET, SECRET]);
  });

  it('when a value was stored before encryption (no prefix), then it is read as it is', () => {
    expect(box.open(SECRET)).toBe(SECRET);
  });

  it('when a sealed value is altered, then opening it throws a SecretBoxError that does not echo it', () => {
    const sealed = box.seal(SECRET);
    const [iv, tag, ciphertext] = sealed.slice('enc:v1:'.length).split('.') as [string, string, string];
    const bytes = Buffer.from(ciphertext, 'base64');
    bytes[0] = bytes[0]! ^ 1;
    const tampered = `enc:v1:${iv}.${tag}.${bytes.toString('base64')}`;
    expect(() => box.open(tampered)).toThrow(SecretBoxError);
    expect(() => box.open(tampered)).toThrow(/altered/);
    expect(() => box.open('enc:v1:not-three-parts')).toThrow(/malformed/);
    try {
      box.open(tampered);
    } catch (err) {
      expect((err as Error).message).not.toContain(ciphertext);
    }
  });

  it('when another SECRETS_KEY opens a sealed value, then it throws a clear error without the secret', () => {
    const other = new SecretBox('another-secrets-key-0123456789abcdef');
    const sealed = box.seal(SECRET);
    expect(() => other.open(sealed)).toThrow(/SECRETS_KEY is not the key it was sealed with/);
    try {
      other.open(sealed);
    } catch (err) {
      expect((err as Error).message).not.toContain(SECRET);
      expect((err as Error).message).not.toContain(sealed);
    }
  });

  it('when SECRETS_KEY is under 32 characters, then no box is made', () => {
    expect(() => new SecretBox('short')).toThrow(/at least 32/);
  });
});
