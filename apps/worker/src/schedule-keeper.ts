import type { ReplayScheduleRepository } from '@wr/db';
import { upsertReplayScheduler, type ReplayScheduleQueue } from '@wr/queues';

export interface ScheduleKeeper {
  /** Re-creates the job scheduler of every schedule Redis does not know (it lost its data). */
  ensureSchedulers(): Promise<number>;
}

export function createScheduleKeeper(deps: { schedules: ReplayScheduleRepository; queue: ReplayScheduleQueue }): ScheduleKeeper {
  return {
    async ensureSchedulers() {
      const active = await deps.schedules.listActive(null);
      if (active.length === 0) return 0;
      const known = new Set((await deps.queue.getJobSchedulers(0, -1)).map((s) => s.key));
      const missing = active.filter((s) => !known.has(s.id));
      for (const s of missing) await upsertReplayScheduler(deps.queue, s);
      return missing.length;
    },
  };
}
