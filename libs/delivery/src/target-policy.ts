import ipaddr from 'ipaddr.js';

/**
 * Where webhooks may go. Merchants hand the platform a URL and the worker POSTs to it from inside
 * the platform's network, so anything but public unicast is refused: loopback, private, link-local
 * (cloud metadata at 169.254.169.254), CGNAT, unspecified, and IPv6 forms that embed an IPv4
 * address (mapped, compatible ::/96, NAT64, 6to4, Teredo).
 */
export const EXTRA_DENIED_RANGES = ['::/96', '64:ff9b::/96', '64:ff9b:1::/48', '2002::/16', '2001::/32', '100.64.0.0/10'];

const extraDenied = EXTRA_DENIED_RANGES.map((cidr) => ipaddr.parseCIDR(cidr));

/** Whether an IP address (any textual form ipaddr.js accepts) is a public unicast address. */
export function isPublicAddress(address: string): boolean {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return false;
  }
  if (parsed.range() !== 'unicast') return false;
  return !extraDenied.some(([range, bits]) => parsed.kind() === range.kind() && parsed.match(range, bits));
}

export type UrlRefusal = 'malformed' | 'scheme' | 'credentials' | 'private_address';

/**
 * Early, friendly checks on a webhook URL before it is stored or used. Not the defence: names are
 * resolved at connect time, where the filtering agent refuses non-public addresses.
 * Hosts are read as the WHATWG URL parser reads them (as got does), so decimal, octal and hex
 * IPv4 notations are seen as the addresses they are.
 */
export function checkWebhookUrl(raw: string, options: { allowPrivateTargets: boolean }): UrlRefusal | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'malformed';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'scheme';
  if (url.username !== '' || url.password !== '') return 'credentials';
  if (options.allowPrivateTargets) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(host)) return isPublicAddress(host) ? undefined : 'private_address';
  if (host === 'localhost' || host.endsWith('.localhost')) return 'private_address';
  return undefined;
}

export const URL_REFUSAL_MESSAGES: Record<UrlRefusal, string> = {
  malformed: 'must be a valid URL',
  scheme: 'must use http or https',
  credentials: 'must not contain a user name or password',
  private_address: 'must point to a public address',
};
