import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { percent, utc } from '../format.js';
import type { OperatorOverview } from '../types.js';

const REFRESH_MS = 5000;

/**
 * The operator view: every merchant's endpoint, worst first; bulk jobs running and recent, with
 * their progress; queue depths; and the way to Bull Board for the jobs themselves.
 */
export function AdminView() {
  const [overview, setOverview] = useState<OperatorOverview | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [updatedAt, setUpdatedAt] = useState<string | null>(null);

  const load = () =>
    api.get<OperatorOverview>('/console/admin/api/overview').then(
      (o) => {
        setOverview(o);
        setProblem(null);
        setUpdatedAt(new Date().toISOString());
      },
      (err: Error) => setProblem(err.message),
    );
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);

  return (
    <>
      <header class="top">
        <div>
          <h1>Delivery console · operators</h1>
          <p class="muted">Updated {utc(updatedAt)} (every {REFRESH_MS / 1000} s)</p>
        </div>
        <nav aria-label="Operator tools" class="actions">
          <a href="/admin/queues">Bull Board (queues)</a>
          <button type="button" onClick={() => void load()}>
            Refresh
          </button>
        </nav>
      </header>
      <main>
        {problem && <p role="alert">{problem}</p>}
        {overview && (
          <>
            <section aria-labelledby="queues-title" class="panel" data-panel="queues">
              <h2 id="queues-title">Queue depths</h2>
              <div class="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Queue</th>
                      <th scope="col">Waiting</th>
                      <th scope="col">Active</th>
                      <th scope="col">Delayed</th>
                      <th scope="col">Failed</th>
                    </tr>
                  </thead>
                  <tbody>
                    {overview.queues.map((q) => (
                      <tr key={q.name} data-queue={q.name}>
                        <th scope="row">{q.name}</th>
                        <td data-label="Waiting">{q.waiting}</td>
                        <td data-label="Active">{q.active}</td>
                        <td data-label="Delayed">{q.delayed}</td>
                        <td data-label="Failed">{q.failed}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
            <section aria-labelledby="jobs-title" class="panel" data-panel="jobs">
              <h2 id="jobs-title">Bulk jobs: running and last 24 hours</h2>
              {overview.jobs.length === 0 ? (
                <p class="muted">No bulk job in the last 24 hours.</p>
              ) : (
                <ul class="cards">
                  {overview.jobs.map((j) => (
                    <li key={j.job_id} data-job-id={j.job_id}>
                      <label>
                        <span>
                          <strong>{j.state}</strong> · merchant {j.merchant_id} · {j.source} · {utc(j.window_start)} → {utc(j.window_end)}
                        </span>
                        <progress max={Math.max(j.total, 1)} value={j.total === 0 ? 1 : j.processed} />
                        <span class="muted">
                          {j.processed} of {j.total} ({percent(j.processed, j.total)} %) · {j.succeeded} delivered · {j.failed} failed · job {j.job_id}
                        </span>
                      </label>
                    </li>
                  ))}
                </ul>
              )}
            </section>
            <section aria-labelledby="endpoints-title" class="panel" data-panel="endpoints">
              <h2 id="endpoints-title">Endpoints, most failing first</h2>
              <div class="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Merchant</th>
                      <th scope="col">State</th>
                      <th scope="col">Failures in a row</th>
                      <th scope="col">Failed deliveries (24 h)</th>
                      <th scope="col">Failing since</th>
                      <th scope="col">URL</th>
                    </tr>
                  </thead>
                  <tbody>
                    {overview.endpoints.map((e) => (
                      <tr key={e.merchant_id} data-merchant-id={e.merchant_id}>
                        <th scope="row">
                          {e.name} ({e.merchant_id}, account {e.account_id})
                        </th>
                        <td data-label="State">
                          <span class={`badge ${e.state}`}>{e.state}</span>
                        </td>
                        <td data-label="Failures in a row">{e.consecutive_failures}</td>
                        <td data-label="Failed (24 h)">{e.failed_last_day}</td>
                        <td data-label="Failing since">{utc(e.failing_since)}</td>
                        <td data-label="URL" class="wrap">
                          {e.webhook_url ?? '—'}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
          </>
        )}
      </main>
    </>
  );
}
