import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import got, { type Got } from 'got';

/** How much of a receiver's answer is kept on the audit row. */
export const RESPONSE_EXCERPT_BYTES = 1024;

export type HttpAttempt =
  | { kind: 'response'; status: number; bodyExcerpt: string; durationMs: number }
  | { kind: 'timeout' | 'network_error'; error: string; durationMs: number };

export interface WebhookHttpClient {
  post(url: string, body: string, headers: Record<string, string>): Promise<HttpAttempt>;
  close(): void;
}

export interface WebhookHttpClientOptions {
  timeoutMs: number;
  userAgent?: string;
}

/**
 * The got instance every webhook goes through. BullMQ's attempts are the only retry layer, so
 * got's retry is off; redirects are not followed (a 3xx is a failed delivery); keep-alive agents
 * reuse connections to merchants that receive many webhooks.
 */
export function createWebhookHttpClient(options: WebhookHttpClientOptions): WebhookHttpClient {
  const agentOptions = { keepAlive: true, maxSockets: 512, maxFreeSockets: 64, timeout: 60_000 };
  const agent = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  const client: Got = got.extend({
    agent,
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
      if (isTimeout(err)) settle({ kind: 'timeout', error: `Timeout after ${timeoutMs}ms`, durationMs: elapsed() });
      else if (status !== undefined) settle(answered());
      else settle({ kind: 'network_error', error: describeError(err), durationMs: elapsed() });
    });
  });
}

function isTimeout(err: Error & { code?: string }): boolean {
  return err.name === 'TimeoutError' || err.code === 'ETIMEDOUT';
}

function describeError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const message = (e.message ?? String(err)).slice(0, 500);
  return e.code && !message.includes(e.code) ? `${e.code}: ${message}` : message;
}
