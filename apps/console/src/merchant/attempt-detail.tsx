import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { utc } from '../format.js';
import type { AttemptDetail as Detail, Verdict } from '../types.js';

/** One attempt: the request it sent, what came back, and "resend now" with its verdict. */
export function AttemptDetail(props: { id: number }) {
  const [detail, setDetail] = useState<Detail | null>(null);
  const [verdict, setVerdict] = useState<Verdict | null>(null);
  const [sending, setSending] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    api.get<Detail>(`/console/api/attempts/${props.id}`).then(setDetail, (err: Error) => setProblem(err.message));
  }, [props.id]);

  const resend = async () => {
    if (!detail) return;
    setSending(true);
    setVerdict(null);
    setProblem(null);
    try {
      setVerdict(await api.post<Verdict>(`/console/api/transactions/${detail.transaction_id}/resend`));
    } catch (err) {
      setProblem(err instanceof Error ? err.message : 'The resend failed');
    } finally {
      setSending(false);
    }
  };

  if (!detail) return <p role="status">{problem ?? 'Loading the attempt…'}</p>;
  const headers = detail.request ? Object.entries(detail.request.headers).map(([k, v]) => `${k}: ${v}`).join('\n') : '';
  return (
    <div class="detail" data-attempt-detail={detail.id}>
      <h3 tabIndex={-1}>Attempt {detail.id}</h3>
      <p class="muted">
        {utc(detail.sent_at)} · transaction {detail.transaction_id} · attempt {detail.attempt} · {detail.trigger} · {detail.duration_ms} ms
      </p>
      <div class="columns">
        <div>
          <h4>Request</h4>
          <p class="wrap">
            POST {detail.url} {detail.url_source === 'override' && '(one-off URL)'}
          </p>
          {detail.request ? (
            <>
              <pre aria-label="Request headers">{headers}</pre>
              <pre aria-label="Request body">{detail.request.body}</pre>
              {!detail.request.exact && <p class="muted">The sequence number of this status was not recorded.</p>}
            </>
          ) : (
            <p class="muted">The transaction is no longer on record.</p>
          )}
        </div>
        <div>
          <h4>Response</h4>
          <p>
            <span class={`badge ${detail.outcome ?? 'pending'}`}>{detail.outcome ?? 'in flight'}</span>{' '}
            <span data-response-status>{detail.http_status === null ? 'no HTTP status' : `HTTP ${detail.http_status}`}</span>
          </p>
          {/* An http_error's text only repeats its status. */}
          {detail.error && detail.outcome !== 'http_error' && <p>{detail.error}</p>}
          <pre aria-label="Response excerpt">{detail.response_body ?? '(no body)'}</pre>
        </div>
      </div>
      <div class="actions">
        <button type="button" onClick={resend} disabled={sending}>
          {sending ? 'Sending…' : 'Resend now'}
        </button>
      </div>
      <div role="status" aria-live="polite">
        {verdict && (
          <p class={`verdict ${verdict.delivered ? 'ok' : 'bad'}`} data-verdict={verdict.outcome}>
            {verdict.delivered ? verdict.message : `Not delivered: ${verdict.message}`} ({verdict.duration_ms} ms, audit row {verdict.webhook_log_id})
          </p>
        )}
      </div>
      {problem && <p role="alert">{problem}</p>}
    </div>
  );
}
