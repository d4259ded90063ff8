import Joi from 'joi';
import { FINAL_RESEND_JOB_STATES, type ResendJobRecord, type ResendJobState, type ResendRequestSummary } from '@wr/db';
import { answer, int32Id, isoTime, jobCounters, jobId } from '../http/response-schemas.js';
import { transactionKind } from '../http/joi-types.js';
import { resendJobStateSchema } from '../presenters.js';

/**
 * One state for a request made of several jobs: running while any job is still alive and one has
 * started; completed only when all completed; otherwise the worst final state.
 */
export function requestState(jobs: ResendJobRecord[]): ResendJobState {
  const alive = jobs.filter((j) => !FINAL_RESEND_JOB_STATES.includes(j.state));
  if (alive.length > 0) return alive.length === jobs.length && alive.every((j) => j.state === 'queued') ? 'queued' : 'running';
  if (jobs.every((j) => j.state === 'completed')) return 'completed';
  return jobs.some((j) => j.state === 'failed') ? 'failed' : 'cancelled';
}

export function requestTotals(jobs: ResendJobRecord[]) {
  const sum = (pick: (j: ResendJobRecord) => number) => jobs.reduce((n, j) => n + pick(j), 0);
  const finished = jobs.every((j) => FINAL_RESEND_JOB_STATES.includes(j.state));
  return {
    state: requestState(jobs),
    jobs: jobs.length,
    total: sum((j) => j.total),
    processed: sum((j) => j.processed),
    succeeded: sum((j) => j.succeeded),
    failed: sum((j) => j.failed),
    created_at: jobs[0]!.createdAt.toISOString(),
    finished_at: finished ? new Date(Math.max(...jobs.map((j) => j.finishedAt?.getTime() ?? 0))).toISOString() : null,
  };
}

const requestJobSchema = answer({
  job_id: jobId(),
  state: resendJobStateSchema,
  start_datetime: isoTime(),
  end_datetime: isoTime(),
  ...jobCounters,
})
  .id('ResendRequestJob')
  .description('One 3-hour job of a request.');

export const requestSchema = answer({
  id: jobId(),
  resend_type: transactionKind.allow(null),
  object_reference_id: Joi.number().integer().allow(null).description('Set for a one-object request.'),
  merchant_id: int32Id(),
  start_datetime: isoTime().allow(null),
  end_datetime: isoTime().allow(null),
  only_failed: Joi.boolean(),
  run_at: isoTime().allow(null).description('When a delayed replay starts.'),
  state: resendJobStateSchema,
  jobs: Joi.number().integer().min(1).description('How many jobs the request was split into.'),
  ...jobCounters,
  created_at: isoTime(),
  finished_at: isoTime().allow(null),
  jobs_detail: Joi.array().items(requestJobSchema),
})
  .id('ResendRequest')
  .description(
    'A resend request (SimPay) or a replay (v1) with its jobs. `state` is running while any job is alive and one has ' +
      'started, completed when all completed, otherwise the worst final state. Counters are sums over the jobs.',
  );

/** A request of several jobs as clients see it (SimPay resend logs, replays). */
export function presentRequest({ requestId, jobs }: ResendRequestSummary) {
  const first = jobs[0]!;
  const single = first.transactionId !== null;
  return {
    id: requestId,
    resend_type: first.kind,
    object_reference_id: single ? first.transactionId : null,
    merchant_id: first.merchantId,
    start_datetime: single ? null : first.windowStart.toISOString(),
    end_datetime: single ? null : jobs[jobs.length - 1]!.windowEnd.toISOString(),
    only_failed: first.onlyFailed,
    run_at: first.runAt?.toISOString() ?? null,
    ...requestTotals(jobs),
    jobs_detail: jobs.map((j) => ({
      job_id: j.id,
      state: j.state,
      start_datetime: j.windowStart.toISOString(),
      end_datetime: j.windowEnd.toISOString(),
      total: j.total,
      processed: j.processed,
      succeeded: j.succeeded,
      failed: j.failed,
    })),
  };
}
