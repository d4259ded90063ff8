import { randomBytes } from 'node:crypto';
import { NotFoundError, ValidationError } from '@wr/domain';
import type { MerchantRepository } from '@wr/db';
import { JOB_NAMES, type ReplayScheduleQueue, type ScheduledReplayJobData } from '@wr/queues';
import type { CreateScheduleBody } from './replays.schemas.js';

export interface ReplaySchedule {
  id: string;
  merchantId: number;
  everySeconds: number;
  lookbackSeconds: number;
  onlyFailed: boolean;
  kind: 'CASHIN' | 'CASHOUT' | null;
  nextRunAt: Date | null;
}

/**
 * Recurring replays ("every hour, replay what failed in the last hour") as BullMQ job schedulers:
 * the scheduler lives in Redis, so any worker replica runs each firing exactly once.
 */
export class ReplaySchedulesService {
  constructor(private readonly deps: { queue: ReplayScheduleQueue; merchants: MerchantRepository }) {}

  async create(accountId: number, body: CreateScheduleBody): Promise<ReplaySchedule> {
    const merchant = await this.deps.merchants.findInAccount(body.merchant_id, accountId);
    if (!merchant) throw new NotFoundError('Merchant not found');
    if (!merchant.webhookUrl) throw new ValidationError('Merchant has no webhook URL configured', 'merchant_id', 422);
    const id = `sched-${randomBytes(12).toString('hex')}`;
    const data: ScheduledReplayJobData = {
      scheduleId: id,
      accountId,
      merchantId: merchant.id,
      lookbackMs: (body.lookback_seconds ?? body.every_seconds) * 1000,
      onlyFailed: body.only_failed,
      kind: body.kind ?? null,
    };
    await this.deps.queue.upsertJobScheduler(id, { every: body.every_seconds * 1000 }, { name: JOB_NAMES.scheduledReplay, data });
    return (await this.list(accountId)).find((s) => s.id === id)!;
  }

  async list(accountId: number): Promise<ReplaySchedule[]> {
    const schedulers = await this.deps.queue.getJobSchedulers(0, -1, true);
    return schedulers
      .filter((s) => (s.template?.data as ScheduledReplayJobData | undefined)?.accountId === accountId)
      .map((s) => {
        const data = s.template!.data as ScheduledReplayJobData;
        return {
          id: s.key,
          merchantId: data.merchantId,
          everySeconds: Number(s.every) / 1000,
          lookbackSeconds: data.lookbackMs / 1000,
          onlyFailed: data.onlyFailed,
          kind: data.kind,
          nextRunAt: s.next ? new Date(s.next) : null,
        };
      });
  }

  async remove(accountId: number, id: string): Promise<void> {
    const owned = (await this.list(accountId)).some((s) => s.id === id);
    if (!owned) throw new NotFoundError('Schedule not found');
    await this.deps.queue.removeJobScheduler(id);
  }
}
