/** The JSON the console's API answers (snake_case, as the public API). */

export interface Session {
  merchant_id: number;
  merchant_name: string;
  expires_at: string;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export interface Incident {
  id: number;
  state: 'open' | 'closed';
  started_at: string;
  disabled_at: string | null;
  disabled_reason: string | null;
  recovered_at: string | null;
  ended_by: string | null;
  first_error: string | null;
  probes: number;
  deliveries_failed: number;
  held: number;
  replayed: number;
  still_to_send: number;
}

export interface Endpoint {
  merchant_id: number;
  webhook_url: string | null;
  state: 'healthy' | 'failing' | 'disabled';
  consecutive_failures: number;
  failing_since: string | null;
  next_probe_at: string | null;
  last_success: { at: string; http_status: number | null; duration_ms: number } | null;
  last_failure: { at: string; outcome: string; http_status: number | null; error: string | null } | null;
  last_hour: { attempts: number; success_rate: number | null; p95_latency_ms: number | null };
  open_incident: Incident | null;
}

export interface Attempt {
  id: number;
  transaction_id: number;
  webhook_id: string;
  status_id: number;
  trigger: string;
  resend_job_id: string | null;
  url: string;
  url_source: string;
  attempt: number;
  http_status: number | null;
  duration_ms: number;
  outcome: string | null;
  error: string | null;
  response_body: string | null;
  sent_at: string;
}

export interface AttemptDetail extends Attempt {
  request: { url: string; headers: Record<string, string>; body: string; exact: boolean } | null;
}

export interface Verdict {
  delivered: boolean;
  outcome: string;
  http_status: number | null;
  message: string;
  webhook_log_id: number;
  sent_at: string;
  duration_ms: number;
}

export interface Replay {
  id: string;
  state: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  jobs: number;
  total: number;
  processed: number;
  succeeded: number;
  failed: number;
}

export interface OperatorOverview {
  endpoints: Array<{
    merchant_id: number;
    account_id: number;
    name: string;
    webhook_url: string | null;
    state: Endpoint['state'];
    consecutive_failures: number;
    failing_since: string | null;
    failed_last_day: number;
  }>;
  jobs: Array<{
    job_id: string;
    merchant_id: number;
    source: string;
    state: Replay['state'];
    window_start: string;
    window_end: string;
    total: number;
    processed: number;
    succeeded: number;
    failed: number;
    created_at: string;
  }>;
  queues: Array<{ name: string; waiting: number; active: number; delayed: number; failed: number }>;
  bull_board: string;
}
