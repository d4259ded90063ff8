import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { FINAL_STATES, isoToLocal, localToIso, percent } from '../format.js';
import type { Replay } from '../types.js';

const POLL_MS = 1000;

type Step =
  | { name: 'choose' }
  | { name: 'counted'; total: number; from: string; to: string; onlyFailed: boolean }
  | { name: 'running'; replay: Replay };

/**
 * "Replay a window" (SPEC 6 `POST /v1/replays`): a dry run counts first, so the merchant knows what
 * is coming before anything is sent; then the replay's progress until it finishes.
 */
export function ReplayPanel() {
  const now = new Date();
  const [from, setFrom] = useState(isoToLocal(new Date(now.getTime() - 3600_000)));
  const [to, setTo] = useState(isoToLocal(now));
  const [onlyFailed, setOnlyFailed] = useState(false);
  const [step, setStep] = useState<Step>({ name: 'choose' });
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async <T,>(work: () => Promise<T>) => {
    setBusy(true);
    setProblem(null);
    try {
      return await work();
    } catch (err) {
      setProblem(err instanceof Error ? err.message : 'The replay failed');
      return undefined;
    } finally {
      setBusy(false);
    }
  };

  const count = (e: Event) => {
    e.preventDefault();
    const window = { from: localToIso(from), to: localToIso(to) };
    if (!window.from || !window.to) {
      setProblem('Give both ends of the window');
      return;
    }
    void run(async () => {
      const dry = await api.post<{ total: number }>('/console/api/replays', { from: window.from, to: window.to, only_failed: onlyFailed, dry_run: true });
      setStep({ name: 'counted', total: dry.total, from: window.from!, to: window.to!, onlyFailed });
    });
  };

  const start = () => {
    if (step.name !== 'counted') return;
    void run(async () => {
      const replay = await api.post<Replay>('/console/api/replays', { from: step.from, to: step.to, only_failed: step.onlyFailed });
      setStep({ name: 'running', replay });
    });
  };

  const running = step.name === 'running' ? step.replay : null;
  const finished = running !== null && FINAL_STATES.includes(running.state);
  useEffect(() => {
    if (!running || finished) return;
    const timer = setTimeout(() => {
      api.get<Replay>(`/console/api/replays/${running.id}`).then((replay) => setStep({ name: 'running', replay }), (err: Error) => setProblem(err.message));
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [running, finished]);

  return (
    <section aria-labelledby="replay-title" class="panel" data-panel="replay">
      <h2 id="replay-title">Replay a window</h2>
      <p class="muted">Sends again the current status of every transaction that changed in the window (after an outage, say).</p>
      <form class="filters" onSubmit={count} aria-label="Window to replay">
        <label>
          From
          <input name="replay-from" type="datetime-local" required value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label>
          To
          <input name="replay-to" type="datetime-local" required value={to} onInput={(e) => setTo(e.currentTarget.value)} />
        </label>
        <label class="check">
          <input name="only-failed" type="checkbox" checked={onlyFailed} onChange={(e) => setOnlyFailed(e.currentTarget.checked)} />
          Only transactions whose last delivery failed
        </label>
        <div class="actions">
          <button type="submit" disabled={busy}>
            Count (dry run)
          </button>
        </div>
      </form>
      <div role="status" aria-live="polite">
        {step.name === 'counted' && (
          <div class="actions">
            <p data-dry-run-total={step.total}>
              {step.total === 1 ? '1 notification' : `${step.total} notifications`} would be sent.
            </p>
            {step.total > 0 && (
              <button type="button" onClick={start} disabled={busy}>
                Replay {step.total} now
              </button>
            )}
          </div>
        )}
        {running && <ReplayProgress replay={running} />}
      </div>
      {problem && <p role="alert">{problem}</p>}
    </section>
  );
}

function ReplayProgress(props: { replay: Replay }) {
  const r = props.replay;
  const pct = percent(r.processed, r.total);
  return (
    <div class="progress" data-replay-state={r.state}>
      <label>
        Replay {r.state}: {r.processed} of {r.total} ({pct} %)
        <progress max={Math.max(r.total, 1)} value={r.total === 0 ? 1 : r.processed} data-percent={pct} />
      </label>
      <p class="muted">
        {r.succeeded} delivered · {r.failed} failed
      </p>
    </div>
  );
}
