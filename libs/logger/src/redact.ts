/**
 * Keys whose values never reach a log line, wherever they appear in the logged object. Secrets are
 * kept out of log calls by design; this is the net under that.
 */
const SECRET_KEYS = new Set(
  [
    'authorization',
    'cookie',
    'apikey',
    'api_key',
    'token',
    'admintoken',
    'admin_token',
    'password',
    'secret',
    'webhooksecret',
    'webhook_secret',
    'previouswebhooksecret',
    'previous_webhook_secret',
    'secretskey',
    'secrets_key',
    'webhook-signature',
    'signature',
    // TypeORM's QueryFailedError carries the statement and its parameters.
    'parameters',
    'query',
  ].map((k) => k.toLowerCase()),
);

export const REDACTED = '[REDACTED]';

export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key.toLowerCase());
}

export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = isSecretKey(key) ? REDACTED : redactSecrets(v, depth + 1);
  }
  return out;
}
