import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from './api.js';
import type { Session } from './types.js';

/**
 * The page a portal link opens. The one-time token is in the URL fragment (never sent to any
 * server by the browser); it is exchanged here for the session cookie and wiped from the address
 * bar and history.
 */
export function SignIn(props: { onSignedIn: (s: Session) => void; onRefused: () => void }) {
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    const token = new URLSearchParams(location.hash.slice(1)).get('token');
    history.replaceState(null, '', '/console/sign-in');
    if (!token) {
      props.onRefused();
      return;
    }
    api
      .post<Session>('/console/api/session', { token })
      .then(props.onSignedIn)
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 401) props.onRefused();
        else setProblem(err instanceof Error ? err.message : 'The sign-in failed');
      });
  }, []);

  return (
    <main class="narrow">
      <h1>Delivery console</h1>
      {problem ? (
        <p role="alert">Could not sign in: {problem}. Try the link again in a moment.</p>
      ) : (
        <p role="status">Signing you in…</p>
      )}
    </main>
  );
}
