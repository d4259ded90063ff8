import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { utc } from '../format.js';
import type { Session } from '../types.js';
import { DeliveryLog } from './delivery-log.js';
import { EndpointPanel } from './endpoint-panel.js';
import { ReplayPanel } from './replay-panel.js';
import { SecretPanel } from './secret-panel.js';

/** What a merchant sees: its endpoint, its delivery log, replays and its webhook secret. */
export function MerchantView() {
  const [session, setSession] = useState<Session | null>(null);
  const [signedOut, setSignedOut] = useState(false);

  useEffect(() => {
    // A failure here is a lost session, which the app turns into its own page.
    api.get<Session>('/console/api/session').then(setSession, () => undefined);
  }, []);

  if (signedOut) {
    return (
      <main class="narrow">
        <h1>Signed out</h1>
        <p>Open the delivery console again from your payment platform whenever you need it.</p>
      </main>
    );
  }
  if (!session) {
    return (
      <main class="narrow">
        <p role="status">Loading…</p>
      </main>
    );
  }
  const signOut = async () => {
    await api.post('/console/api/session/end');
    setSignedOut(true);
  };
  return (
    <>
      <header class="top">
        <div>
          <h1>Webhooks of {session.merchant_name}</h1>
          <p class="muted">
            Merchant {session.merchant_id} · session until {utc(session.expires_at)}
          </p>
        </div>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>
        <EndpointPanel />
        <DeliveryLog />
        <ReplayPanel />
        <SecretPanel />
      </main>
    </>
  );
}
