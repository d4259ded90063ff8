import type { Queue } from 'bullmq';
import type { ConsoleReadsRepository, EndpointStanding, ResendJobRecord } from '@wr/db';
import { queueDepth, type QueueDepth } from '@wr/queues';

export type NamedQueueDepth = QueueDepth & { name: string };

export interface OperatorOverview {
  endpoints: EndpointStanding[];
  jobs: ResendJobRecord[];
  queues: NamedQueueDepth[];
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
      Promise.all(this.deps.queues.map(async (q) => ({ name: q.name, ...(await queueDepth(q)) }))),
    ]);
    return { endpoints, jobs, queues };
  }
}
