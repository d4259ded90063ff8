import { describe, expect, it } from '@jest/globals';
import { enqueueBatches, enqueueFanouts, type BulkDeliveryQueue, type BulkFanoutQueue } from './bulk-queues.js';
import { BULK_BATCH_SIZE, deliveryJobId } from './contract.js';

interface Added<T> {
  name: string;
  data: T;
  opts?: { jobId?: string; delay?: number };
}

/** A queue that only records what `addBulk` is given, one entry per call. */
function fakeQueue<T>() {
  const calls: Array<Array<Added<T>>> = [];
  return {
    calls,
    queue: {
      addBulk: async (jobs: Array<Added<T>>) => {
        calls.push(jobs);
        return [];
      },
    },
  };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => 1000 + i);

describe('enqueueBatches', () => {
  it('when 120 deliveries are queued, then they go in one round trip as batches of 50, 50 and 20, in order', async () => {
    const q = fakeQueue<{ resendJobId: string; deliveryIds: number[] }>();
    await enqueueBatches(q.queue as unknown as BulkDeliveryQueue, 'job-1', ids(120));
    expect(BULK_BATCH_SIZE).toBe(50);
    expect(q.calls).toHaveLength(1);
    const batches = q.calls[0]!;
    expect(batches.map((b) => b.data.deliveryIds.length)).toEqual([50, 50, 20]);
    expect(batches.flatMap((b) => b.data.deliveryIds)).toEqual(ids(120));
    expect(batches.every((b) => b.name === 'deliver-batch' && b.data.resendJobId === 'job-1')).toBe(true);
  });

  it('when batches are queued, then none sets a job id (two retry batches of one job never collide)', async () => {
    const q = fakeQueue<{ resendJobId: string; deliveryIds: number[] }>();
    await enqueueBatches(q.queue as unknown as BulkDeliveryQueue, 'job-1', [5, 6]);
    await enqueueBatches(q.queue as unknown as BulkDeliveryQueue, 'job-1', [5, 7]);
    for (const batch of q.calls.flat()) expect(batch.opts?.jobId).toBeUndefined();
  });

  it.each([
    [undefined, 0],
    [1500, 1500],
    [-2000, 0],
  ])('when the delay asked is %p, then the batches are delayed by %i ms', async (delayMs, expected) => {
    const q = fakeQueue<{ resendJobId: string; deliveryIds: number[] }>();
    await enqueueBatches(q.queue as unknown as BulkDeliveryQueue, 'job-1', [1, 2, 3], delayMs);
    expect(q.calls[0]!.map((b) => b.opts?.delay)).toEqual([expected]);
  });

  it('when there is nothing to queue, then Redis is not called', async () => {
    const q = fakeQueue<{ resendJobId: string; deliveryIds: number[] }>();
    await enqueueBatches(q.queue as unknown as BulkDeliveryQueue, 'job-1', []);
    expect(q.calls).toEqual([]);
  });
});

describe('enqueueFanouts', () => {
  it('when a job is queued the first time, then its fan-out has the fixed id fanout-<id>', async () => {
    const q = fakeQueue<{ resendJobId: string }>();
    await enqueueFanouts(q.queue as unknown as BulkFanoutQueue, [{ id: 'job-1', runAt: null }]);
    expect(q.calls[0]).toEqual([{ name: 'fanout', data: { resendJobId: 'job-1' }, opts: { jobId: 'fanout-job-1', delay: 0 } }]);
  });

  it('when a stalled job is taken over, then its fan-out has a fresh id fanout-<id>-t<n>', async () => {
    const q = fakeQueue<{ resendJobId: string }>();
    await enqueueFanouts(q.queue as unknown as BulkFanoutQueue, [{ id: 'job-1', runAt: null }], { takeover: 1234 });
    expect(q.calls[0]![0]!.opts?.jobId).toBe('fanout-job-1-t1234');
  });

  it('when a job runs later, then its fan-out is delayed until then; when its time has passed, then not at all', async () => {
    const q = fakeQueue<{ resendJobId: string }>();
    await enqueueFanouts(q.queue as unknown as BulkFanoutQueue, [
      { id: 'later', runAt: new Date(Date.now() + 60_000) },
      { id: 'past', runAt: new Date(Date.now() - 60_000) },
    ]);
    const [later, past] = q.calls[0]!;
    expect(later!.opts!.delay).toBeGreaterThan(59_000);
    expect(later!.opts!.delay).toBeLessThanOrEqual(60_000);
    expect(past!.opts!.delay).toBe(0);
  });
});

describe('deliveryJobId', () => {
  it('when a delivery attempt is woken, then its job id is dlv-<delivery>-a<attempt>, with no colon and not all digits', () => {
    expect(deliveryJobId(42, 3)).toBe('dlv-42-a3');
    expect(deliveryJobId(42, 3)).not.toContain(':');
    expect(deliveryJobId(42, 3)).not.toMatch(/^\d+$/);
    expect(deliveryJobId(42, 4)).not.toBe(deliveryJobId(42, 3));
    // A release from a hold wakes the same attempt under an id of its own.
    expect(deliveryJobId(42, 3, 1)).toBe('dlv-42-a3-r1');
    expect(deliveryJobId(42, 3, 0)).toBe(deliveryJobId(42, 3));
  });
});
