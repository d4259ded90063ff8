import { DelayedError, type Job } from 'bullmq';
import { isDependencyDown } from '@wr/domain';

/** How long a job waits before trying again when PostgreSQL or Redis could not be reached. */
const DEPENDENCY_RETRY_MS = 5000;

/**
 * An outage of PostgreSQL is not the merchant's failure: a job that hits one goes back to wait
 * without spending one of its delivery attempts, so accepted deliveries survive any outage.
 */
export function deferOnDependencyError<T>(processor: (job: Job, token?: string) => Promise<T>) {
  return async (job: Job, token?: string): Promise<T> => {
    try {
      return await processor(job, token);
    } catch (err) {
      if (token && isDependencyDown(err)) {
        await job.moveToDelayed(Date.now() + DEPENDENCY_RETRY_MS, token);
        throw new DelayedError();
      }
      throw err;
    }
  };
}
