import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { utc } from '../format.js';

interface Rotated {
  webhook_secret: string;
  previous_secret_expires_at: string | null;
}

const OVERLAPS = [
  { seconds: 86_400, label: 'keep signing with the old secret for 24 hours' },
  { seconds: 3_600, label: 'keep signing with the old secret for 1 hour' },
  { seconds: 0, label: 'stop using the old secret at once' },
];

/** Secret rotation (SPEC 6): the new secret is shown here once; during the overlap both sign. */
export function SecretPanel() {
  const [overlap, setOverlap] = useState(OVERLAPS[0]!.seconds);
  const [rotated, setRotated] = useState<Rotated | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const rotate = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      setRotated(await api.post<Rotated>('/console/api/webhook-secret/rotate', { overlap_seconds: overlap }));
    } catch (err) {
      setProblem(err instanceof Error ? err.message : 'The rotation failed');
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="secret-title" class="panel" data-panel="secret">
      <h2 id="secret-title">Webhook secret</h2>
      <p class="muted">Webhooks are signed (Standard Webhooks) with your secret. A new one is shown once, here.</p>
      <form class="filters" onSubmit={rotate} aria-label="Rotate the webhook secret">
        <label>
          Old secret
          <select name="overlap" value={String(overlap)} onChange={(e) => setOverlap(Number(e.currentTarget.value))}>
            {OVERLAPS.map((o) => (
              <option value={String(o.seconds)}>{o.label}</option>
            ))}
          </select>
        </label>
        <div class="actions">
          <button type="submit" disabled={busy}>
            Rotate secret
          </button>
        </div>
      </form>
      <div role="status" aria-live="polite">
        {rotated && (
          <div class="secret">
            <p>Your new secret (copy it now; it will not be shown again):</p>
            <code data-new-secret>{rotated.webhook_secret}</code>
            <p class="muted">
              {rotated.previous_secret_expires_at ? `The old secret also signs until ${utc(rotated.previous_secret_expires_at)}.` : 'The old secret no longer signs.'}
            </p>
          </div>
        )}
      </div>
      {problem && <p role="alert">{problem}</p>}
    </section>
  );
}
