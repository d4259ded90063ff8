/** The longest a merchant may hold us off with one Retry-After. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/**
 * A Retry-After header (RFC 9110: delay-seconds or an HTTP-date) as milliseconds from `now`,
 * capped at an hour; undefined when absent, unreadable or already past.
 */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  let ms: number;
  if (/^\d+$/.test(value)) ms = Number(value) * 1000;
  else {
    const at = Date.parse(value);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  if (!(ms > 0)) return undefined;
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}
