import type { Harness } from './harness.js';

/** A console session as a browser holds it: the cookie, and the Origin its calls carry. */
export interface ConsoleClient {
  cookie: string;
  get(path: string): Promise<{ status: number; body: any; headers: Headers }>;
  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
}

/** Mints a link with the API key and exchanges its token the way the sign-in page does. */
export async function mintLink(h: Harness, apiKey: string, merchantId: number): Promise<{ url: string; token: string; expires_at: string }> {
  const res = await h.request('POST', '/v1/portal-sessions', { token: apiKey, body: { merchant_id: merchantId } });
  if (res.status !== 201) throw new Error(`portal session: ${res.status} ${res.text}`);
  const token = new URL(res.body.url).hash.replace(/^#token=/, '');
  return { ...res.body, token };
}

export async function signIn(h: Harness, apiKey: string, merchantId: number): Promise<ConsoleClient> {
  const { token } = await mintLink(h, apiKey, merchantId);
  const origin = h.api.url;
  const res = await fetch(`${origin}/console/api/session`, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  if (res.status !== 200) throw new Error(`sign-in: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie()[0]!.split(';')[0]!;
  const send = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const answer = await fetch(`${origin}${path}`, {
      method,
      headers: { cookie, origin, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await answer.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: answer.status, body: parsed, headers: answer.headers };
  };
  return { cookie, get: (path) => send('GET', path), post: (path, body = {}, headers) => send('POST', path, body, headers) };
}
