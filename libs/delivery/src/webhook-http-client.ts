import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import got, { type Got } from 'got';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';
import { EXTRA_DENIED_RANGES } from './target-policy.js';

/** How much of a receiver's answer is kept on the audit row. */
export const RESPONSE_EXCERPT_BYTES = 1024;

export type HttpAttempt =
  | { kind: 'response'; status: number; bodyExcerpt: string; durationMs: number }
  | { kind: 'timeout' | 'network_error' | 'blocked'; error: string; durationMs: number };

export interface WebhookHttpClient {
  post(url: string, body: string, headers: Record<string, string>): Promise<HttpAttempt>;
  close(): void;
}

export interface WebhookHttpClientOptions {
  timeoutMs: number;
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS: local development and tests only. */
  allowPrivateTargets: boolean;
  /** The resolver to use instead of the system's (a caching resolver, or a test's fixed answers). */
  lookup?: LookupFunction;
  userAgent?: string;
}

/**
 * The got instance every webhook goes through. Its agents refuse non-public addresses at connect
 * time, on the address a name resolved to (so DNS rebinding gains nothing); redirects are not
 * followed (a 3xx is a failed delivery, and no hop can lead inside); BullMQ's attempts are the
 * only retry layer, so got's retry is off; keep-alive reuses connections to busy merchants.
 */
export function createWebhookHttpClient(options: WebhookHttpClientOptions): WebhookHttpClient {
  const filter = options.allowPrivateTargets
    ? { allowPrivateIPAddress: true, allowMetaIPAddress: true }
    : { allowPrivateIPAddress: false, allowMetaIPAddress: false, denyIPAddressList: EXTRA_DENIED_RANGES };
  const agentOptions = { keepAlive: true, maxSockets: 512, maxFreeSockets: 64, timeout: 60_000, ...filter };
  const agent = { http: new RequestFilteringHttpAgent(agentOptions), https: new RequestFilteringHttpsAgent(agentOptions) };
  const client: Got = got.extend({
    agent,
    ...(options.lookup ? { dnsLookup: options.lookup } : {}),
    retry: { limit: 0 },
    followRedirect: false,
    throwHttpErrors: false,
    decompress: true,
    timeout: { request: options.timeoutMs },
    headers: { 'user-agent': options.userAgent ?? 'webhook-resend/0.1' },
  });

  return {
    post: (url, body, headers) => postOnce(client, url, body, headers, options.timeoutMs),
    close: () => {
      agent.http.destroy();
      agent.https.destroy();
    },
  };
}

/** One POST, read until the answer ends or its first bytes are in hand; never throws. */
function postOnce(client: Got, url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<HttpAttempt> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise<HttpAttempt>((resolve) => {
    let settled = false;
    let status: number | undefined;
    const chunks: Buffer[] = [];
    let received = 0;
    const settle = (attempt: HttpAttempt) => {
      if (settled) return;
      settled = true;
      resolve(attempt);
    };
    const answered = () => ({
      kind: 'response' as const,
      status: status!,
      bodyExcerpt: Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8'),
      durationMs: elapsed(),
    });

    let stream: ReturnType<Got['stream']>;
    try {
      stream = client.stream.post(url, { body, headers });
    } catch (err) {
      settle({ kind: 'network_error', error: describeError(err), durationMs: elapsed() });
      return;
    }
    stream.on('response', (response: { statusCode: number }) => {
      status = response.statusCode;
    });
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      // A receiver may answer with an endless body: keep the first bytes and hang up.
      if (received >= RESPONSE_EXCERPT_BYTES) {
        settle(answered());
        stream.destroy();
      }
    });
    stream.on('end', () => settle(answered()));
    stream.on('error', (err: Error & { code?: string }) => {
      if (isRefusedTarget(err)) settle({ kind: 'blocked', error: 'Target address is not allowed (non-public)', durationMs: elapsed() });
      else if (isTimeout(err)) settle({ kind: 'timeout', error: `Timeout after ${timeoutMs}ms`, durationMs: elapsed() });
      else if (status !== undefined) settle(answered());
      else settle({ kind: 'network_error', error: describeError(err), durationMs: elapsed() });
    });
  });
}

/** request-filtering-agent's refusal: the resolved (or literal) address is not public. */
function isRefusedTarget(err: Error): boolean {
  return /is not allowed\. Because/.test(err.message);
}

function isTimeout(err: Error & { code?: string }): boolean {
  return err.name === 'TimeoutError' || err.code === 'ETIMEDOUT';
}

function describeError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const message = (e.message ?? String(err)).slice(0, 500);
  return e.code && !message.includes(e.code) ? `${e.code}: ${message}` : message;
}
