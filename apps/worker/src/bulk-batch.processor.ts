import type { Job } from 'bullmq';
import { enqueueBatches, type BulkBatchJobData, type BulkDeliveryQueue } from '@wr/queues';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MerchantRepository, MovedDelivery, ResendJobRecord, ResendJobRepository, TransactionRepository } from '@wr/db';
import { runAttempts, type AttemptDeps, type MadeAttempt } from './attempts.js';
import { completeIfDone, failJob, type LifecycleDeps } from './replay-lifecycle.js';

/** How long a batch waits in-process for its merchant's slots before leaving the rest to the queue. */
const WAIT_IN_BATCH_MS = 10_000;

/**
 * A job's row is read at most this often per job by one worker: of its fields a batch needs, only
 * the state changes, and a stale `running` costs nothing (no attempt starts once the job stopped:
 * the claim checks its state) while a read per batch was a sixth of a batch's statements.
 */
const JOB_ROW_TTL_MS = 1000;
const JOB_ROWS_KEPT = 1000;

type BatchResult = { delivered: number; retrying: number; deferred?: number } | { skipped: string };

export interface BulkBatchDeps extends AttemptDeps, LifecycleDeps {
  resendJobs: Pick<ResendJobRepository, 'findById' | 'completeIfDone' | 'markFailed'>;
  merchants: Pick<MerchantRepository, 'findById'>;
  transactions: Pick<TransactionRepository, 'findManyByIds'>;
  /** Where what is left (no room in flow control, a backoff) waits for its next wake-up. */
  bulkDeliveryQueue: BulkDeliveryQueue;
  stopping: { readonly value: boolean };
}

/**
 * One wake-up of up to 50 deliveries of a bulk job: those still pending and due are attempted at
 * once (each transaction's current status), their audit rows and the job's counters written in
 * one statement, and those that failed are queued again after the backoff. Anything this batch
 * does not finish stays pending in the ledger, where the sweeper finds it.
 */
export function createBulkBatchProcessor(deps: BulkBatchDeps) {
  const jobRows = new Map<string, { row: ResendJobRecord | null; at: number }>();
  const jobRow = async (id: string): Promise<ResendJobRecord | null> => {
    const kept = jobRows.get(id);
    if (kept && Date.now() - kept.at < JOB_ROW_TTL_MS) return kept.row;
    const row = await deps.resendJobs.findById(id);
    jobRows.delete(id);
    jobRows.set(id, { row, at: Date.now() });
    if (jobRows.size > JOB_ROWS_KEPT) jobRows.delete(jobRows.keys().next().value!);
    return row;
  };
  return async (job: Job<BulkBatchJobData>): Promise<BatchResult> => {
    const { resendJobId, deliveryIds } = job.data;
    // Reads that do not depend on each other go together: a batch's latency is its throughput.
    const [rj, due] = await Promise.all([
      jobRow(resendJobId),
      // A batch queued before the ledger names no deliveries: the sweeper re-drives its items.
      deps.deliveries.findDue(deliveryIds ?? []),
    ]);
    // Cancelled or failed meanwhile: what it owed was cancelled with it.
    if (!rj || rj.state !== 'running') return { skipped: rj?.state ?? 'missing' };
    if (due.length === 0) {
      await completeIfDone(deps, rj);
      return { delivered: 0, retrying: 0 };
    }
    const [merchant, found] = await Promise.all([
      deps.merchants.findById(rj.merchantId),
      deps.transactions.findManyByIds(due.map((d) => d.transactionId)),
    ]);
    if (!merchant?.webhookUrl) {
      await failJob(deps, rj, 'Merchant has no webhook URL configured');
      return { skipped: 'no_webhook_url' };
    }
    const transactions = new Map(found.map((t) => [t.id, t]));
    let items = due.flatMap((delivery) => {
      const transaction = transactions.get(delivery.transactionId);
      return transaction ? [{ delivery, request: { transaction, merchant } }] : [];
    });
    // A merchant with a small cap or a rate takes the batch in waves as its slots free up: the
    // batch waits for them here, briefly and with jitter (so batches do not wake together),
    // rather than re-queueing itself over and over. Past a while, what is left waits in the queue.
    const moved: MovedDelivery[] = [];
    const attempts = new Map<number, MadeAttempt>();
    const giveUpAt = Date.now() + WAIT_IN_BATCH_MS;
    let deferred = 0;
    while (items.length > 0) {
      const wave = await runAttempts(deps, { merchant, trigger: rj.trigger, resendJobId: rj.id, lane: 'bulk', items });
      moved.push(...wave.moved);
      for (const [id, made] of wave.attempts) attempts.set(id, made);
      // Held ones (the endpoint is failing) wait in the ledger; its recovery wakes them.
      const left = new Set(wave.deferred.map((d) => d.id));
      items = items.filter((i) => left.has(i.delivery.id));
      if (items.length === 0) break;
      if (Date.now() + wave.waitMs > giveUpAt || deps.stopping.value) {
        // What the merchant's flow control had no room for waits its turn, untouched in the ledger.
        deferred = items.length;
        await enqueueBatches(deps.bulkDeliveryQueue, rj.id, items.map((i) => i.delivery.id), wave.waitMs);
        break;
      }
      await sleep(wave.waitMs * (0.5 + Math.random()));
    }
    const retry = moved.filter((m) => m.state === 'pending');
    if (retry.length > 0) {
      // The longest backoff of the batch (jitter differs per delivery), so every one is due when
      // the batch wakes; none is ever sent before its own backoff.
      const delayMs = Math.max(...retry.map((m) => attempts.get(m.id)?.retryInMs ?? 0));
      await enqueueBatches(deps.bulkDeliveryQueue, rj.id, retry.map((m) => m.id), delayMs);
    }
    // Only when something finished and the job's counters, as this batch left them, allow it.
    if (retry.length < moved.length && moved.some((m) => m.jobMayBeDone !== false)) await completeIfDone(deps, rj);
    return { delivered: moved.filter((m) => m.state === 'succeeded').length, retrying: retry.length, deferred };
  };
}
