import { readFileSync } from 'node:fs';
import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import { rootCertificates } from 'node:tls';
import { Agent, errors } from 'undici';
import { BlockedTargetError, filteringConnector } from './target-filter.js';
import { parseAllowedTargets, type TargetRules } from './target-policy.js';

/** How much of a receiver's answer is kept on the audit row. */
export const RESPONSE_EXCERPT_BYTES = 1024;

export type HttpAttempt =
  | { kind: 'response'; status: number; bodyExcerpt: string; durationMs: number; retryAfter?: string }
  | { kind: 'timeout' | 'network_error' | 'blocked'; error: string; durationMs: number };

export interface WebhookHttpClient {
  post(url: string, body: string, headers: Record<string, string>): Promise<HttpAttempt>;
  close(): void;
}

export interface WebhookHttpClientOptions extends TargetRules {
  timeoutMs: number;
  /** The resolver to use instead of the system's (a caching resolver, or a test's fixed answers). */
  lookup?: LookupFunction;
  /** Extra trusted CA certificates, PEM (a test receiver's self-signed one). */
  extraCa?: string[];
  /** Connections kept per merchant origin: bounds what one busy merchant holds open. */
  connectionsPerOrigin?: number;
  userAgent?: string;
}

/**
 * Every webhook goes through one undici Agent (Node's own HTTP engine: keep-alive, a bounded pool
 * per origin). Its connector refuses non-public addresses at connect time; redirects are never
 * followed (a 3xx is a failed delivery, and no hop can lead inside); one timeout bounds the whole
 * attempt; the ledger is the only retry layer. got was the ceiling here: its per-request option
 * handling cost more CPU than the request itself (see the README's figures).
 */
export function createWebhookHttpClient(options: WebhookHttpClientOptions): WebhookHttpClient {
  const agent = new Agent({
    connect: filteringConnector(options, {
      timeoutMs: options.timeoutMs,
      lookup: options.lookup,
      ca: options.extraCa ? [...rootCertificates, ...options.extraCa] : undefined,
    }),
    connections: options.connectionsPerOrigin ?? 256,
    keepAliveTimeout: 30_000,
    // The attempt's own timeout (an AbortSignal) bounds headers and body together.
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  const userAgent = options.userAgent ?? 'webhook-resend/0.1';
  return {
    post: (url, body, headers) => postOnce(agent, url, body, { ...headers, 'user-agent': userAgent }, options.timeoutMs),
    close: () => {
      void agent.destroy().catch(() => undefined);
    },
  };
}

/** One POST, read until the answer ends or its first bytes are in hand; never throws. */
async function postOnce(agent: Agent, url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<HttpAttempt> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { kind: 'network_error', error: 'Invalid URL', durationMs: elapsed() };
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return { kind: 'network_error', error: `Unsupported protocol ${target.protocol}`, durationMs: elapsed() };
  }
  const signal = AbortSignal.timeout(timeoutMs);
  let status: number | undefined;
  let retryAfter: string | undefined;
  const chunks: Buffer[] = [];
  try {
    const response = await agent.request({
      origin: target.origin,
      path: `${target.pathname}${target.search}`,
      method: 'POST',
      headers,
      body,
      signal,
    });
    status = response.statusCode;
    const header = response.headers['retry-after'];
    retryAfter = Array.isArray(header) ? header[0] : header;
    let received = 0;
    // A receiver may answer with an endless body: keep the first bytes and hang up (leaving the
    // loop early destroys the body, and undici drops that connection).
    for await (const chunk of response.body) {
      chunks.push(chunk as Buffer);
      received += (chunk as Buffer).length;
      if (received >= RESPONSE_EXCERPT_BYTES) break;
    }
    return answered(status, chunks, elapsed(), retryAfter);
  } catch (err) {
    if (err instanceof BlockedTargetError || (err as { cause?: unknown }).cause instanceof BlockedTargetError) {
      return { kind: 'blocked', error: 'Target address is not allowed (non-public)', durationMs: elapsed() };
    }
    if (signal.aborted || err instanceof errors.ConnectTimeoutError) {
      return { kind: 'timeout', error: `Timeout after ${timeoutMs}ms`, durationMs: elapsed() };
    }
    if (status !== undefined) return answered(status, chunks, elapsed(), retryAfter);
    return { kind: 'network_error', error: describeError(err), durationMs: elapsed() };
  }
}

function answered(status: number, chunks: Buffer[], durationMs: number, retryAfter: string | undefined): HttpAttempt {
  return {
    kind: 'response',
    status,
    bodyExcerpt: Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8'),
    durationMs,
    ...(retryAfter !== undefined ? { retryAfter } : {}),
  };
}

function describeError(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const inner = e.cause && (e.cause.code || e.cause.message) ? e.cause : e;
  const message = (inner.message ?? String(err)).slice(0, 500);
  return inner.code && !message.includes(inner.code) ? `${inner.code}: ${message}` : message;
}

/** The client both apps build from their configuration. */
export function webhookHttpClientFromConfig(
  config: { webhookTimeoutMs: number; webhookAllowPrivateTargets: boolean; webhookAllowedTargets: readonly string[]; webhookExtraCaFile: string | null },
  options: { lookup?: LookupFunction } = {},
): WebhookHttpClient {
  return createWebhookHttpClient({
    timeoutMs: config.webhookTimeoutMs,
    ...targetRulesFromConfig(config),
    extraCa: config.webhookExtraCaFile ? [readFileSync(config.webhookExtraCaFile, 'utf8')] : undefined,
    lookup: options.lookup,
  });
}

/** WEBHOOK_ALLOW_PRIVATE_TARGETS and WEBHOOK_ALLOWED_TARGETS, as the checks read them. */
export function targetRulesFromConfig(config: { webhookAllowPrivateTargets: boolean; webhookAllowedTargets: readonly string[] }): TargetRules {
  return { allowPrivateTargets: config.webhookAllowPrivateTargets, allowedTargets: parseAllowedTargets(config.webhookAllowedTargets) };
}
