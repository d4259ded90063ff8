import { describe, expect, it } from '@jest/globals';
import { MAX_RETRY_AFTER_MS, retryAfterMs } from './retry-after.js';

describe('retryAfterMs', () => {
  const now = Date.parse('2026-12-01T12:00:00Z');

  it('when the header is a number of seconds, then it is that many milliseconds', () => {
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs(' 120 ', now)).toBe(120_000);
  });

  it('when the header is an HTTP date, then it is the time until then', () => {
    expect(retryAfterMs('Tue, 01 Dec 2026 12:00:30 GMT', now)).toBe(30_000);
  });

  it('when the wait is longer than an hour, then it is capped at an hour', () => {
    expect(retryAfterMs('86400', now)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryAfterMs('Wed, 02 Dec 2026 12:00:00 GMT', now)).toBe(MAX_RETRY_AFTER_MS);
  });

  it('when the header is absent, unreadable, zero or in the past, then there is no wait', () => {
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('-5', now)).toBeUndefined();
    expect(retryAfterMs('0', now)).toBeUndefined();
    expect(retryAfterMs('Tue, 01 Dec 2026 11:00:00 GMT', now)).toBeUndefined();
  });
});
