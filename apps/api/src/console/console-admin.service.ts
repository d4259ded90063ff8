import type { Queue } from 'bullmq';
import type { ConsoleReadsRepository, EndpointStanding, ResendJobRecord } from '@wr/db';

export interface QueueDepth {
  name: string;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

export interface OperatorOverview {
  endpoints: EndpointStanding[];
  jobs: ResendJobRecord[];
  queues: QueueDepth[];
}

// One screen's worth: the worst endpoints and the latest jobs; Bull Board and the v1 API have the rest.
const ENDPOINTS_SHOWN = 100;
const JOBS_SHOWN = 50;

/** The operator view of the console: every endpoint ranked by failures, bulk jobs, queue depths. */
export class ConsoleAdminService {
  constructor(private readonly deps: { reads: Pick<ConsoleReadsRepository, 'endpointsByFailures' | 'recentJobs'>; queues: Queue[] }) {}

  async overview(): Promise<OperatorOverview> {
    const [endpoints, jobs, queues] = await Promise.all([
      this.deps.reads.endpointsByFailures(ENDPOINTS_SHOWN),
      this.deps.reads.recentJobs(JOBS_SHOWN),
      Promise.all(this.deps.queues.map((q) => this.depth(q))),
    ]);
    return { endpoints, jobs, queues };
  }

  private async depth(queue: Queue): Promise<QueueDepth> {
    const counts = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed');
    return {
      name: queue.name,
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      failed: counts.failed ?? 0,
    };
  }
}
