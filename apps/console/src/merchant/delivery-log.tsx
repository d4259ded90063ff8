import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Query } from '../api.js';
import { localToIso, utc } from '../format.js';
import type { Attempt, Page } from '../types.js';
import { AttemptDetail } from './attempt-detail.js';

const OUTCOMES = ['success', 'http_error', 'timeout', 'network_error', 'blocked'];
const TRIGGERS = ['automatic', 'manual', 'bulk', 'scheduled', 'recovery'];
const PAGE_SIZE = 25;

interface Filters {
  transaction: string;
  outcome: string;
  trigger: string;
  from: string;
  to: string;
}
const NO_FILTERS: Filters = { transaction: '', outcome: '', trigger: '', from: '', to: '' };

/**
 * Every attempt to this merchant's endpoint, newest first, a page at a time through the audit
 * trail's cursor (one index range per page, however many rows the merchant has).
 */
export function DeliveryLog() {
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  // Cursors of the pages before this one, so "Newer" goes back without an offset.
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const [page, setPage] = useState<Page<Attempt> | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [openId, setOpenId] = useState<number | null>(null);
  const [reloads, setReloads] = useState(0);
  const cursor = cursors[cursors.length - 1];

  useEffect(() => {
    const query: Query = {
      transaction: filters.transaction.trim() || undefined,
      outcome: filters.outcome || undefined,
      trigger: filters.trigger || undefined,
      from: localToIso(filters.from),
      to: localToIso(filters.to),
      cursor,
      limit: PAGE_SIZE,
    };
    setProblem(null);
    api.get<Page<Attempt>>('/console/api/attempts', query).then(setPage, (err: Error) => setProblem(err.message));
  }, [filters, cursor, reloads]);

  const apply = (e: Event) => {
    e.preventDefault();
    setOpenId(null);
    setCursors([undefined]);
    setFilters({ ...draft });
  };
  const clear = () => {
    setDraft(NO_FILTERS);
    setOpenId(null);
    setCursors([undefined]);
    setFilters(NO_FILTERS);
  };
  const field = (name: keyof Filters) => ({
    value: draft[name],
    onInput: (e: Event) => setDraft({ ...draft, [name]: (e.currentTarget as HTMLInputElement).value }),
  });

  return (
    <section aria-labelledby="log-title" class="panel" data-panel="log">
      <div class="panel-head">
        <h2 id="log-title">Delivery log</h2>
        <button type="button" onClick={() => setReloads(reloads + 1)}>
          Refresh
        </button>
      </div>
      <form class="filters" onSubmit={apply} aria-label="Filter the delivery log">
        <label>
          Transaction
          <input name="transaction" placeholder="id, external id or end-to-end id" maxLength={128} {...field('transaction')} />
        </label>
        <label>
          Outcome
          <select name="outcome" {...field('outcome')}>
            <option value="">any</option>
            {OUTCOMES.map((o) => (
              <option value={o}>{o}</option>
            ))}
          </select>
        </label>
        <label>
          Trigger
          <select name="trigger" {...field('trigger')}>
            <option value="">any</option>
            {TRIGGERS.map((t) => (
              <option value={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Sent from
          <input name="from" type="datetime-local" {...field('from')} />
        </label>
        <label>
          Sent before
          <input name="to" type="datetime-local" {...field('to')} />
        </label>
        <div class="actions">
          <button type="submit">Apply filters</button>
          <button type="button" onClick={clear}>
            Clear
          </button>
        </div>
      </form>
      {problem && <p role="alert">{problem}</p>}
      {page && page.data.length === 0 && <p class="muted">No attempt matches.</p>}
      {page && page.data.length > 0 && (
        <div class="table-wrap">
          <table class="log">
            <caption class="visually-hidden">Delivery attempts, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Sent</th>
                <th scope="col">Transaction</th>
                <th scope="col">Trigger</th>
                <th scope="col">Attempt</th>
                <th scope="col">Outcome</th>
                <th scope="col">HTTP</th>
                <th scope="col">
                  <span class="visually-hidden">Details</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {page.data.map((a) => (
                <AttemptRow key={a.id} attempt={a} open={openId === a.id} onToggle={() => setOpenId(openId === a.id ? null : a.id)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="pager" aria-label="Delivery log pages">
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>
        <button type="button" disabled={!page?.next_cursor} onClick={() => setCursors([...cursors, page!.next_cursor!])}>
          Older
        </button>
      </nav>
    </section>
  );
}

function AttemptRow(props: { attempt: Attempt; open: boolean; onToggle: () => void }) {
  const a = props.attempt;
  const detail = useRef<HTMLTableCellElement>(null);
  useEffect(() => {
    if (props.open) detail.current?.querySelector<HTMLElement>('h3')?.focus();
  }, [props.open]);
  return (
    <>
      <tr data-attempt-id={a.id}>
        <td data-label="Sent">{utc(a.sent_at)}</td>
        <td data-label="Transaction">{a.transaction_id}</td>
        <td data-label="Trigger">{a.trigger}</td>
        <td data-label="Attempt">{a.attempt}</td>
        <td data-label="Outcome">
          <span class={`badge ${a.outcome ?? 'pending'}`}>{a.outcome ?? 'in flight'}</span>
        </td>
        <td data-label="HTTP">{a.http_status ?? '—'}</td>
        <td>
          <button type="button" aria-expanded={props.open} onClick={props.onToggle}>
            {props.open ? 'Close' : 'Open'}
            <span class="visually-hidden"> attempt {a.id}</span>
          </button>
        </td>
      </tr>
      {props.open && (
        <tr class="detail-row">
          <td colSpan={7} ref={detail}>
            <AttemptDetail id={a.id} />
          </td>
        </tr>
      )}
    </>
  );
}
