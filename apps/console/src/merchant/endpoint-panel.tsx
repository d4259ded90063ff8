import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { utc } from '../format.js';
import type { Endpoint, Incident, Page } from '../types.js';

/** The endpoint's health (SPEC 6 `GET /v1/merchants/:id/endpoint`) and its incidents, newest first. */
export function EndpointPanel() {
  const [endpoint, setEndpoint] = useState<Endpoint | null>(null);
  const [incidents, setIncidents] = useState<Incident[]>([]);
  const [next, setNext] = useState<string | null>(null);

  const load = () => {
    api.get<Endpoint>('/console/api/endpoint').then(setEndpoint, () => undefined);
    api.get<Page<Incident>>('/console/api/incidents').then((p) => {
      setIncidents(p.data);
      setNext(p.next_cursor);
    }, () => undefined);
  };
  useEffect(load, []);

  const more = async () => {
    const p = await api.get<Page<Incident>>('/console/api/incidents', { cursor: next ?? undefined });
    setIncidents([...incidents, ...p.data]);
    setNext(p.next_cursor);
  };

  return (
    <section aria-labelledby="endpoint-title" class="panel" data-panel="endpoint">
      <div class="panel-head">
        <h2 id="endpoint-title">Endpoint health</h2>
        <button type="button" onClick={load}>
          Refresh
        </button>
      </div>
      {endpoint && (
        <dl class="facts">
          <dt>State</dt>
          <dd>
            <span class={`badge ${endpoint.state}`} data-endpoint-state={endpoint.state}>
              {endpoint.state}
            </span>
          </dd>
          <dt>URL</dt>
          <dd class="wrap">{endpoint.webhook_url ?? 'none configured'}</dd>
          <dt>Failures in a row</dt>
          <dd>{endpoint.consecutive_failures}</dd>
          <dt>Last success</dt>
          <dd>{endpoint.last_success ? `${utc(endpoint.last_success.at)} · HTTP ${endpoint.last_success.http_status}` : '—'}</dd>
          <dt>Last failure</dt>
          <dd>
            {endpoint.last_failure
              ? `${utc(endpoint.last_failure.at)} · ${endpoint.last_failure.outcome}${endpoint.last_failure.http_status ? ` ${endpoint.last_failure.http_status}` : ''}`
              : '—'}
          </dd>
          <dt>Last hour</dt>
          <dd>
            {endpoint.last_hour.attempts} attempts
            {endpoint.last_hour.success_rate !== null && ` · ${Math.round(endpoint.last_hour.success_rate * 100)} % delivered`}
            {endpoint.last_hour.p95_latency_ms !== null && ` · p95 ${endpoint.last_hour.p95_latency_ms} ms`}
          </dd>
        </dl>
      )}
      <h3>Incidents</h3>
      {incidents.length === 0 ? (
        <p class="muted">No incident: the endpoint has never stopped answering.</p>
      ) : (
        <ul class="cards">
          {incidents.map((i) => (
            <li key={i.id}>
              <strong>{i.state === 'open' ? 'Open' : 'Closed'}</strong> · started {utc(i.started_at)}
              {i.recovered_at && ` · ended ${utc(i.recovered_at)} (${i.ended_by})`}
              <br />
              <span class="muted">
                {i.probes} probes · {i.held} held · {i.replayed} replayed · {i.still_to_send} still to send
                {i.first_error && ` · first error: ${i.first_error}`}
              </span>
            </li>
          ))}
        </ul>
      )}
      {next && (
        <button type="button" onClick={more}>
          Older incidents
        </button>
      )}
    </section>
  );
}
