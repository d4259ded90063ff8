import type { Job } from 'bullmq';
import { enqueueBatches, type BulkBatchJobData } from '@wr/queues';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MovedDelivery } from '@wr/db';
import { runAttempts, type MadeAttempt } from './attempts.js';
import { completeIfDone, failJob } from './replay-lifecycle.js';
import type { WorkerContext } from './worker-context.js';

/** How long a batch waits in-process for its merchant's slots before leaving the rest to the queue. */
const WAIT_IN_BATCH_MS = 10_000;

type BatchResult = { delivered: number; retrying: number; deferred?: number } | { skipped: string };

/**
 * One wake-up of up to 50 deliveries of a bulk job: those still pending and due are attempted at
 * once (each transaction's current status), their audit rows and the job's counters written in
 * one statement, and those that failed are queued again after the backoff. Anything this batch
 * does not finish stays pending in the ledger, where the sweeper finds it.
 */
export function createBulkBatchProcessor(
  ctx: Pick<WorkerContext, 'config' | 'deliverer' | 'repos' | 'bulkDeliveryQueue' | 'replayLock' | 'logger' | 'flow' | 'endpoints' | 'stopping'>,
) {
  return async (job: Job<BulkBatchJobData>): Promise<BatchResult> => {
    const { resendJobId, deliveryIds } = job.data;
    // Reads that do not depend on each other go together: a batch's latency is its throughput.
    const [rj, due] = await Promise.all([
      ctx.repos.resendJobs.findById(resendJobId),
      // A batch queued before the ledger names no deliveries: the sweeper re-drives its items.
      ctx.repos.deliveries.findDue(deliveryIds ?? []),
    ]);
    // Cancelled or failed meanwhile: what it owed was cancelled with it.
    if (!rj || rj.state !== 'running') return { skipped: rj?.state ?? 'missing' };
    if (due.length === 0) {
      await completeIfDone(ctx, rj);
      return { delivered: 0, retrying: 0 };
    }
    const [merchant, found] = await Promise.all([
      ctx.repos.merchants.findById(rj.merchantId),
      ctx.repos.transactions.findManyByIds(due.map((d) => d.transactionId)),
    ]);
    if (!merchant?.webhookUrl) {
      await failJob(ctx, rj, 'Merchant has no webhook URL configured');
      return { skipped: 'no_webhook_url' };
    }
    const transactions = new Map(found.map((t) => [t.id, t]));
    const deps = {
      deliveries: ctx.repos.deliveries,
      deliverer: ctx.deliverer,
      flow: ctx.flow,
      endpoints: ctx.endpoints,
      retryBaseDelayMs: ctx.config.retryBaseDelayMs,
      webhookTimeoutMs: ctx.config.webhookTimeoutMs,
    };
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
      if (Date.now() + wave.waitMs > giveUpAt || ctx.stopping.value) {
        // What the merchant's flow control had no room for waits its turn, untouched in the ledger.
        deferred = items.length;
        await enqueueBatches(ctx.bulkDeliveryQueue, rj.id, items.map((i) => i.delivery.id), wave.waitMs);
        break;
      }
      await sleep(wave.waitMs * (0.5 + Math.random()));
    }
    const retry = moved.filter((m) => m.state === 'pending');
    if (retry.length > 0) {
      // The longest backoff of the batch (jitter differs per delivery), so every one is due when
      // the batch wakes; none is ever sent before its own backoff.
      const delayMs = Math.max(...retry.map((m) => attempts.get(m.id)?.retryInMs ?? 0));
      await enqueueBatches(ctx.bulkDeliveryQueue, rj.id, retry.map((m) => m.id), delayMs);
    }
    if (retry.length < moved.length) await completeIfDone(ctx, rj);
    return { delivered: moved.filter((m) => m.state === 'succeeded').length, retrying: retry.length, deferred };
  };
}
