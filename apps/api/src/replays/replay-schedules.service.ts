import type { RedisClient } from '@wr/queues';
import { randomBytes } from 'node:crypto';
import { NotFoundError, ServiceUnavailableError, UnprocessableError } from '@wr/domain';
import type { MerchantRepository, ReplayScheduleRecord, ReplayScheduleRepository } from '@wr/db';
import { upsertReplayScheduler, type ReplayScheduleQueue } from '@wr/queues';
import type { CreateScheduleBody } from './replays.schemas.js';

export interface ReplaySchedule {
  id: string;
  merchantId: number;
  everySeconds: number;
  lookbackSeconds: number;
  onlyFailed: boolean;
  kind: 'CASHIN' | 'CASHOUT' | null;
  /** The high-water mark: the next firing replays from here. */
  coveredUntil: Date | null;
  nextRunAt: Date | null;
}

/**
 * Recurring replays ("every hour, replay what failed since the last firing"): kept in PostgreSQL,
 * run by a BullMQ job scheduler (any worker replica runs each firing once) that the workers
 * re-create if Redis loses it.
 */
export class ReplaySchedulesService {
  constructor(
    private readonly deps: { queue: ReplayScheduleQueue; merchants: MerchantRepository; schedules: ReplayScheduleRepository; redis: RedisClient },
  ) {}

  async create(accountId: number, body: CreateScheduleBody): Promise<ReplaySchedule> {
    const merchant = await this.deps.merchants.findInAccount(body.merchant_id, accountId);
    if (!merchant) throw new NotFoundError('Merchant not found');
    if (!merchant.webhookUrl) throw new UnprocessableError('Merchant has no webhook URL configured', 'merchant_id');
    if (this.deps.redis.status !== 'ready') throw new ServiceUnavailableError();
    const schedule = await this.deps.schedules.insert({
      id: `sched-${randomBytes(12).toString('hex')}`,
      accountId,
      merchantId: merchant.id,
      everySeconds: body.every_seconds,
      lookbackSeconds: body.lookback_seconds ?? body.every_seconds,
      onlyFailed: body.only_failed,
      kind: body.kind ?? null,
    });
    // Kept in PostgreSQL even if this fails: the workers create the scheduler.
    await upsertReplayScheduler(this.deps.queue, schedule).catch(() => undefined);
    const scheduler = await this.deps.queue.getJobScheduler(schedule.id).catch(() => undefined);
    return present(schedule, scheduler?.next ? new Date(scheduler.next) : null);
  }

  async list(accountId: number): Promise<ReplaySchedule[]> {
    const schedules = await this.deps.schedules.listActive(accountId);
    const next = new Map<string, Date | null>();
    if (schedules.length > 0) {
      // When each fires next is Redis's to say; without it the schedules are still listed.
      const schedulers = await this.deps.queue.getJobSchedulers(0, -1).catch(() => []);
      for (const s of schedulers) next.set(s.key, s.next ? new Date(s.next) : null);
    }
    return schedules.map((s) => present(s, next.get(s.id) ?? null));
  }

  async remove(accountId: number, id: string): Promise<void> {
    if (!(await this.deps.schedules.markDeleted(id, accountId))) throw new NotFoundError('Schedule not found');
    // If this fails, the scheduler's next firing sees the schedule is deleted and removes itself.
    await this.deps.queue.removeJobScheduler(id).catch(() => undefined);
  }
}

function present(s: ReplayScheduleRecord, nextRunAt: Date | null): ReplaySchedule {
  return {
    id: s.id,
    merchantId: s.merchantId,
    everySeconds: s.everySeconds,
    lookbackSeconds: s.lookbackSeconds,
    onlyFailed: s.onlyFailed,
    kind: s.kind,
    coveredUntil: s.coveredUntil,
    nextRunAt,
  };
}
