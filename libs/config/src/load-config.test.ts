import { describe, expect, it } from '@jest/globals';
import { DEVELOPMENT_SECRETS_KEY } from './config.schema.js';
import { ConfigError, loadConfig } from './load-config.js';

const ADMIN_TOKEN = 'a-long-enough-admin-token';

describe('loadConfig', () => {
  it('when only the admin token is set, then every other value takes its local default', () => {
    const config = loadConfig({ ADMIN_TOKEN });
    expect(config).toMatchObject({
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/webhook_resend',
      redisUrl: 'redis://127.0.0.1:6379',
      port: 3000,
      webhookTimeoutMs: 10000,
      webhookAllowPrivateTargets: false,
      resendRateLimitPerMinute: 60,
      apiDbTimeoutMs: 1200,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('when several values are bad, then the error names every variable and no secret value', () => {
    let caught: unknown;
    try {
      loadConfig({ ADMIN_TOKEN: 'short', PORT: 'eighty', WEBHOOK_TIMEOUT_MS: '-1', REDIS_URL: 'http://x' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    for (const name of ['ADMIN_TOKEN', 'PORT', 'WEBHOOK_TIMEOUT_MS', 'REDIS_URL']) expect(problems).toContain(name);
    expect(problems).not.toContain('short');
  });

  it('when the admin token is missing, then start-up is refused', () => {
    expect(() => loadConfig({})).toThrow(/ADMIN_TOKEN/);
  });

  it('when booleans and numbers come as strings, then they are converted', () => {
    const config = loadConfig({ ADMIN_TOKEN, WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', PORT: '0' });
    expect(config.webhookAllowPrivateTargets).toBe(true);
    expect(config.port).toBe(0);
  });

  it('when NODE_ENV is production and SECRETS_KEY is missing, then start-up is refused naming it', () => {
    expect(() => loadConfig({ ADMIN_TOKEN, NODE_ENV: 'production' })).toThrow(/SECRETS_KEY: is required/);
  });

  it('when SECRETS_KEY is shorter than 32 characters, then the error names it without echoing it', () => {
    let caught: unknown;
    try {
      loadConfig({ ADMIN_TOKEN, NODE_ENV: 'production', SECRETS_KEY: 'too-short-a-key' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).problems.join('\n')).toMatch(/SECRETS_KEY/);
    expect((caught as ConfigError).problems.join('\n')).not.toContain('too-short-a-key');
  });

  it('when SECRETS_KEY is unset outside production, then the named development key is used; when set, it is taken as given', () => {
    expect(loadConfig({ ADMIN_TOKEN }).secretsKey).toBe(DEVELOPMENT_SECRETS_KEY);
    const key = 'k'.repeat(32);
    expect(loadConfig({ ADMIN_TOKEN, NODE_ENV: 'production', SECRETS_KEY: key }).secretsKey).toBe(key);
  });
});
