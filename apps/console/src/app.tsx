import { useEffect, useState } from 'preact/hooks';
import { whenSessionLost, type SessionProblem } from './api.js';
import { AdminView } from './admin/admin-view.js';
import { MerchantView } from './merchant/merchant-view.js';
import { SessionEnded } from './session-ended.js';
import { SignIn } from './sign-in.js';

type View = { name: 'merchant' } | { name: 'admin' } | { name: 'sign-in' } | { name: 'ended'; reason: SessionProblem };

/** Which view a path shows; the API serves this page at each of them. */
function viewOf(path: string): View {
  if (path.startsWith('/console/admin')) return { name: 'admin' };
  if (path.startsWith('/console/sign-in')) return { name: 'sign-in' };
  if (path.startsWith('/console/expired')) return { name: 'ended', reason: 'session_expired' };
  return { name: 'merchant' };
}

export function App() {
  const [view, setView] = useState<View>(() => viewOf(location.pathname));

  useEffect(() => {
    // Any call that finds the session gone lands on a page that says so, at a URL of its own.
    whenSessionLost((reason) => {
      if (reason === 'session_expired') history.replaceState(null, '', '/console/expired');
      setView({ name: 'ended', reason });
    });
  }, []);

  switch (view.name) {
    case 'admin':
      return <AdminView />;
    case 'sign-in':
      return (
        <SignIn
          onSignedIn={() => {
            history.replaceState(null, '', '/console/');
            setView({ name: 'merchant' });
          }}
          onRefused={() => setView({ name: 'ended', reason: 'link_unusable' })}
        />
      );
    case 'ended':
      return <SessionEnded reason={view.reason} />;
    default:
      return <MerchantView />;
  }
}
