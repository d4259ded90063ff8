import { describe, expect, it } from '@jest/globals';
import { REDACTED, redactSecrets } from './redact.js';

describe('redactSecrets', () => {
  it('when a logged object holds secrets at any depth, then their values are replaced', () => {
    const out = redactSecrets({
      headers: { Authorization: 'Bearer wrk_abc', 'x-request-id': 'r1' },
      merchant: { id: 3, webhook_secret: 'whsec_xyz', previousWebhookSecret: 'whsec_old' },
      config: { secretsKey: 'k'.repeat(32) },
      list: [{ api_key: 'k' }],
    });
    expect(out).toEqual({
      headers: { Authorization: REDACTED, 'x-request-id': 'r1' },
      merchant: { id: 3, webhook_secret: REDACTED, previousWebhookSecret: REDACTED },
      config: { secretsKey: REDACTED },
      list: [{ api_key: REDACTED }],
    });
  });
});
