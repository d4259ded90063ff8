import type { QueueEvents } from 'bullmq';
import type { DeliveryQueue } from '@wr/queues';

export type FirstAttemptOutcome = 'success' | 'pending';

/**
 * Waits for a live delivery job's next attempt: `completed` means it was delivered; `delayed` or
 * `failed` means the attempt failed (BullMQ's retries go on); no news within the wait is pending.
 * One subscription to the queue's event stream serves every waiting request.
 */
export class FirstAttemptWaiter {
  private readonly waiting = new Map<string, Set<(outcome: FirstAttemptOutcome) => void>>();

  constructor(
    private readonly events: QueueEvents,
    private readonly queue: DeliveryQueue,
  ) {
    events.on('completed', ({ jobId }) => this.settle(jobId, 'success'));
    events.on('delayed', ({ jobId }) => this.settle(jobId, 'pending'));
    events.on('failed', ({ jobId }) => this.settle(jobId, 'pending'));
  }

  wait(jobId: string, timeoutMs: number): Promise<FirstAttemptOutcome> {
    return new Promise((resolve) => {
      const listeners = this.waiting.get(jobId) ?? new Set();
      const timer = setTimeout(() => finish('pending'), timeoutMs);
      const finish = (outcome: FirstAttemptOutcome) => {
        clearTimeout(timer);
        listeners.delete(finish);
        if (listeners.size === 0) this.waiting.delete(jobId);
        resolve(outcome);
      };
      listeners.add(finish);
      this.waiting.set(jobId, listeners);
      // The attempt may have ended before the subscription saw it.
      this.queue.getJobState(jobId).then(
        (state) => {
          if (state === 'completed') finish('success');
          else if (state === 'delayed' || state === 'failed') finish('pending');
        },
        () => undefined,
      );
    });
  }

  private settle(jobId: string, outcome: FirstAttemptOutcome): void {
    for (const finish of [...(this.waiting.get(jobId) ?? [])]) finish(outcome);
  }
}
