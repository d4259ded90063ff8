/**
 * The console's calls to its own API (/console/api, /console/admin/api). The session cookie
 * travels by itself (same origin, httpOnly); a 401 says why in `reason`, so the page can say
 * "expired" rather than "not signed in".
 */
export type SessionProblem = 'session_expired' | 'not_signed_in' | 'link_unusable';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason: SessionProblem | undefined,
  ) {
    super(message);
  }
}

/** Set by the app: what to do when any call finds the session gone. */
let onSessionLost: (reason: SessionProblem) => void = () => undefined;
export function whenSessionLost(handler: (reason: SessionProblem) => void): void {
  onSessionLost = handler;
}

export type Query = Record<string, string | number | boolean | undefined>;

function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function call<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
  const res = await fetch(withQuery(path, query), {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as T;
  const answer = (await res.json().catch(() => ({}))) as { message?: string; reason?: SessionProblem };
  if (!res.ok) {
    const error = new ApiError(res.status, answer.message ?? res.statusText, answer.reason);
    if (res.status === 401 && (answer.reason === 'session_expired' || answer.reason === 'not_signed_in')) onSessionLost(answer.reason);
    throw error;
  }
  return answer as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => call<T>('GET', path, undefined, query),
  post: <T>(path: string, body: unknown = {}) => call<T>('POST', path, body),
};
