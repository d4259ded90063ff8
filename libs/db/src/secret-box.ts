import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** Marks a sealed value; the version names the scheme (cipher, key derivation) it was sealed with. */
export const SEALED_PREFIX = 'enc:v1:';

// HKDF's salt and info are fixed and public: they only separate this key from any other key that
// might one day be derived from the same SECRETS_KEY (another column, a v2 scheme).
const HKDF_SALT = 'webhook-resend/secret-box';
const HKDF_INFO = 'aes-256-gcm webhook secrets v1';
const IV_BYTES = 12; // GCM's native nonce size; random per value, so a key seals ~2^32 values safely.
const TAG_BYTES = 16;

/** A stored secret that cannot be opened: never carries the value, sealed or clear. */
export class SecretBoxError extends Error {
  constructor(reason: string) {
    super(`Cannot open a stored webhook secret: ${reason}`);
    this.name = 'SecretBoxError';
  }
}

/**
 * Encrypts values at rest (AES-256-GCM) under a key derived from SECRETS_KEY, so a database dump or
 * backup alone does not give away merchants' webhook secrets. Values stored before encryption
 * existed (no prefix) are read as they are.
 */
export class SecretBox {
  readonly #key: Buffer;

  constructor(secretsKey: string) {
    if (secretsKey.length < 32) throw new Error('SECRETS_KEY must be at least 32 characters');
    this.#key = Buffer.from(hkdfSync('sha256', secretsKey, HKDF_SALT, HKDF_INFO, 32));
  }

  /** `enc:v1:<base64 iv>.<base64 tag>.<base64 ciphertext>` */
  seal(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${SEALED_PREFIX}${iv.toString('base64')}.${cipher.getAuthTag().toString('base64')}.${ciphertext.toString('base64')}`;
  }

  open(stored: string): string {
    if (!isSealed(stored)) return stored;
    const parts = stored.slice(SEALED_PREFIX.length).split('.');
    if (parts.length !== 3) throw new SecretBoxError('the stored value is malformed');
    const [iv, tag, ciphertext] = parts.map((p) => Buffer.from(p, 'base64')) as [Buffer, Buffer, Buffer];
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretBoxError('the stored value is malformed');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      // GCM cannot tell a wrong key from altered bytes: both fail authentication.
      throw new SecretBoxError('SECRETS_KEY is not the key it was sealed with, or the stored value was altered');
    }
  }
}

export function isSealed(stored: string): boolean {
  return stored.startsWith(SEALED_PREFIX);
}
