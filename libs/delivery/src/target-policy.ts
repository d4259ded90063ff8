import { isIP } from 'node:net';
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

/** Who may be reached: public unicast, plus the exact `ip:port` pairs the operator allows. */
export interface TargetRules {
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS: local development and tests only. */
  allowPrivateTargets: boolean;
  /** WEBHOOK_ALLOWED_TARGETS, as `ip:port` (IPv6 in brackets), normalised by `allowedTarget`. */
  allowedTargets: ReadonlySet<string>;
}

/** `127.0.0.1:8080`, `[::1]:8080`: one spelling per address, so a list entry matches however written. */
export function allowedTarget(address: string, port: number): string {
  const parsed = ipaddr.process(address);
  return parsed.kind() === 'ipv6' ? `[${parsed.toNormalizedString()}]:${port}` : `${parsed.toString()}:${port}`;
}

/** Parses WEBHOOK_ALLOWED_TARGETS entries (`ip:port`, `[ipv6]:port`); throws naming a bad one. */
export function parseAllowedTargets(entries: readonly string[]): Set<string> {
  const allowed = new Set<string>();
  for (const entry of entries) {
    const match = /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):(\d{1,5})$/.exec(entry.trim());
    const host = match?.[1] ?? match?.[2];
    const port = Number(match?.[3]);
    if (!host || !isIP(host) || port < 1 || port > 65535) throw new Error(`"${entry}" is not an ip:port pair`);
    allowed.add(allowedTarget(host, port));
  }
  return allowed;
}

/** Whether a connection to this address and port may be made. Pure: no I/O, nothing printed. */
export function isAllowedTarget(address: string, port: number, rules: TargetRules): boolean {
  if (rules.allowPrivateTargets) return true;
  if (rules.allowedTargets.size > 0 && isIP(address) && rules.allowedTargets.has(allowedTarget(address, port))) return true;
  return isPublicAddress(address);
}

export type UrlRefusal = 'malformed' | 'scheme' | 'credentials' | 'private_address';

/**
 * Early, friendly checks on a webhook URL before it is stored or used. Not the defence: names are
 * resolved at connect time, where the filtering agent refuses non-public addresses.
 * Hosts are read as the WHATWG URL parser reads them (as got does), so decimal, octal and hex
 * IPv4 notations are seen as the addresses they are.
 */
export function checkWebhookUrl(
  raw: string,
  options: { allowPrivateTargets: boolean; allowedTargets?: ReadonlySet<string> },
): UrlRefusal | undefined {
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
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  const rules = { allowPrivateTargets: false, allowedTargets: options.allowedTargets ?? new Set<string>() };
  if (ipaddr.isValid(host)) return isAllowedTarget(host, port, rules) ? undefined : 'private_address';
  if (host === 'localhost' || host.endsWith('.localhost')) return 'private_address';
  return undefined;
}

export const URL_REFUSAL_MESSAGES: Record<UrlRefusal, string> = {
  malformed: 'must be a valid URL',
  scheme: 'must use http or https',
  credentials: 'must not contain a user name or password',
  private_address: 'must point to a public address',
};
