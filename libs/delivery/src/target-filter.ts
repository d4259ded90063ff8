import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { createSecureContext } from 'node:tls';
import { buildConnector } from 'undici';
import { isAllowedTarget, type TargetRules } from './target-policy.js';

/** A connection refused because its address is not public (outcome `blocked`). */
export class BlockedTargetError extends Error {
  readonly code = 'WR_BLOCKED_TARGET';
  constructor(readonly address: string) {
    super('Target address is not allowed (non-public)');
    this.name = 'BlockedTargetError';
  }
}

type Connector = buildConnector.connector;

/**
 * undici's connector, with the address check where the connection is made: a literal address is
 * checked before connecting; a name is resolved here, every address it resolves to is checked,
 * and the socket goes to the address that was checked (so DNS rebinding gains nothing). TLS keeps
 * verifying the certificate against the name.
 */
export function filteringConnector(
  rules: TargetRules,
  options: { timeoutMs: number; lookup?: LookupFunction; ca?: string[] },
): Connector {
  // One TLS context for every connection: given `ca` itself, each connection would parse the
  // whole CA list again (measured: most of the worker's CPU over HTTPS).
  const secureContext = options.ca ? createSecureContext({ ca: options.ca }) : undefined;
  const connect = buildConnector({ timeout: options.timeoutMs, ...(secureContext ? { secureContext } : {}) });
  const lookup = options.lookup ?? (dnsLookup as unknown as LookupFunction);
  return (opts, callback) => {
    const host = opts.hostname.replace(/^\[|\]$/g, '');
    const port = Number(opts.port) || (opts.protocol === 'https:' ? 443 : 80);
    if (isIP(host)) {
      if (!isAllowedTarget(host, port, rules)) return callback(new BlockedTargetError(host), null);
      return connect(opts, callback);
    }
    lookup(host, { all: true }, (err, resolved) => {
      if (err) return callback(err, null);
      const addresses = (Array.isArray(resolved) ? resolved : [{ address: resolved, family: 4 }]) as LookupAddress[];
      const refused = addresses.find((a) => !isAllowedTarget(a.address, port, rules));
      if (refused || addresses.length === 0) return callback(new BlockedTargetError(refused?.address ?? host), null);
      // undici derives the TLS server name from `host`, which still names the merchant's server.
      connect({ ...opts, hostname: addresses[0]!.address }, callback);
    });
  };
}
