import type { RedisClient } from '@wr/queues';
import { randomBytes } from 'node:crypto';
import {
  ConflictError,
  NOTIFIABLE_STATUS_IDS,
  NotFoundError,
  ServiceUnavailableError,
  UnprocessableError,
  type TransactionKind,
} from '@wr/domain';
import {
  isUniqueViolation,
  type DataSource,
  type EntityManager,
  type MerchantRecord,
  type NewResendJob,
  type ReplayFilter,
  type ResendJobRecord,
  type ResendJobRepository,
  type ResendJobSource,
  type TransactionRecord,
  type TransactionRepository,
} from '@wr/db';
import { enqueueFanouts, REPLAY_LOCK_TTL_MS, type BulkFanoutQueue, type ReplayLock } from '@wr/queues';
import { isJobId, splitIntoJobWindows } from './replay-windows.js';

export interface WindowReplay {
  accountId: number;
  merchant: MerchantRecord;
  source: ResendJobSource;
  /** null: both kinds. */
  kind: TransactionKind | null;
  start: Date;
  end: Date;
  statusIds: number[] | null;
  onlyFailed: boolean;
  trigger: 'bulk' | 'scheduled';
  runAt: Date | null;
  requestedBy: string;
  /** Runs inside the transaction that records the jobs (a schedule moves its high-water mark). */
  alsoInTransaction?: (manager: EntityManager) => Promise<void>;
  /**
   * Keep the jobs even if their fan-outs cannot be queued (the sweeper queues them): for callers
   * with no client waiting for a 503, whose jobs must not vanish (a schedule's firing).
   */
  keepIfNotQueued?: boolean;
}

/** A replay to a merchant with nowhere to send is refused up front, not failed later. */
function assertHasWebhookUrl(merchant: MerchantRecord): void {
  if (!merchant.webhookUrl) throw new UnprocessableError('Merchant has no webhook URL configured', 'merchant_id');
}

/** 32 lowercase hex characters, as the seeds' job ids. */
export function newJobId(): string {
  return randomBytes(16).toString('hex');
}

/**
 * Creates bulk jobs for every contract (payin bulk resend, SimPay, operator replays): one job per
 * 3-hour window, each holding its window's Redis lock from creation to its end, rows committed
 * before their fan-outs are queued, and nothing left behind when any step fails.
 */
export class ReplayService {
  constructor(
    private readonly deps: {
      db: DataSource;
      redis: RedisClient;
      transactions: TransactionRepository;
      resendJobs: ResendJobRepository;
      fanoutQueue: BulkFanoutQueue;
      lock: ReplayLock;
    },
  ) {}

  private filterFor(replay: Pick<WindowReplay, 'merchant' | 'kind' | 'start' | 'end' | 'statusIds' | 'onlyFailed'>): ReplayFilter {
    return {
      merchantId: replay.merchant.id,
      kind: replay.kind,
      windowStart: replay.start,
      windowEnd: replay.end,
      statusIds: replay.statusIds ?? NOTIFIABLE_STATUS_IDS,
      onlyFailed: replay.onlyFailed,
    };
  }

  /** How many notifications a replay would send (dry run). */
  async count(replay: Pick<WindowReplay, 'merchant' | 'kind' | 'start' | 'end' | 'statusIds' | 'onlyFailed'>): Promise<number> {
    return this.deps.transactions.countInWindow(this.filterFor(replay));
  }

  async createWindowJobs(replay: WindowReplay): Promise<{ requestId: string; jobs: ResendJobRecord[] }> {
    assertHasWebhookUrl(replay.merchant);
    this.assertQueueReachable();
    const requestId = newJobId();
    const windows = splitIntoJobWindows(replay.start, replay.end);
    const totals = await this.countWindows(replay, windows);
    const drafts: NewResendJob[] = windows.map((w, i) => ({
      id: newJobId(),
      accountId: replay.accountId,
      merchantId: replay.merchant.id,
      requestId,
      source: replay.source,
      kind: replay.kind,
      transactionId: null,
      windowStart: w.start,
      windowEnd: w.end,
      statusIds: replay.statusIds,
      onlyFailed: replay.onlyFailed,
      trigger: replay.trigger,
      total: totals[i]!,
      requestedBy: replay.requestedBy,
      runAt: replay.runAt,
    }));

    const held = await this.acquireLocks(drafts);
    try {
      const jobs = await this.deps.db.transaction(async (manager) => {
        const inserted = await this.deps.resendJobs.insertMany(drafts, manager);
        await replay.alsoInTransaction?.(manager);
        return inserted;
      });
      if (replay.keepIfNotQueued) await enqueueFanouts(this.deps.fanoutQueue, jobs).catch(() => undefined);
      else await this.enqueueOrUndo(jobs);
      return { requestId, jobs };
    } catch (err) {
      await this.releaseLocks(held);
      if (isUniqueViolation(err, 'resend_jobs_active_window_unique')) throw this.windowBusy(drafts[0]!);
      throw err;
    }
  }

  /** A job for one transaction (SimPay `object_reference_id`); it takes no window lock. */
  async createTransactionJob(input: {
    accountId: number;
    merchant: MerchantRecord;
    transaction: TransactionRecord;
    source: ResendJobSource;
    requestedBy: string;
  }): Promise<{ requestId: string; job: ResendJobRecord }> {
    assertHasWebhookUrl(input.merchant);
    this.assertQueueReachable();
    const requestId = newJobId();
    const at = input.transaction.statusChangedAt;
    const [job] = await this.deps.resendJobs.insertMany([
      {
        id: newJobId(),
        accountId: input.accountId,
        merchantId: input.transaction.merchantId,
        requestId,
        source: input.source,
        kind: input.transaction.kind,
        transactionId: input.transaction.id,
        windowStart: at,
        windowEnd: new Date(at.getTime() + 1),
        statusIds: null,
        onlyFailed: false,
        trigger: 'bulk',
        total: 1,
        requestedBy: input.requestedBy,
        runAt: null,
      },
    ]);
    await this.enqueueOrUndo([job!]);
    return { requestId, job: job! };
  }

  async findJob(accountId: number, jobId: string): Promise<ResendJobRecord> {
    const job = isJobId(jobId) ? await this.deps.resendJobs.findInAccount(jobId, accountId) : null;
    if (!job) throw new NotFoundError('Job not found');
    return job;
  }

  /**
   * Stops a queued or running job: once this answers, no new attempt of it starts (in-flight
   * ones may finish). A cancel that loses the race with the job's end names the state it found.
   */
  async cancel(accountId: number, jobId: string): Promise<ResendJobRecord> {
    const existing = await this.findJob(accountId, jobId);
    const cancelled = await this.deps.resendJobs.cancel(existing.id, accountId);
    if (!cancelled) {
      const now = (await this.deps.resendJobs.findById(existing.id)) ?? existing;
      throw new ConflictError(`Job is already ${now.state}`);
    }
    if (cancelled.transactionId === null) await this.deps.lock.release(cancelled, cancelled.id).catch(() => false);
    return cancelled;
  }

  private async countWindows(replay: WindowReplay, windows: Array<{ start: Date; end: Date }>): Promise<number[]> {
    const totals: number[] = [];
    // A few at a time: a 12-day range is 96 indexed counts, not worth a pool's worth at once.
    for (let i = 0; i < windows.length; i += 4) {
      const chunk = windows.slice(i, i + 4);
      totals.push(...(await Promise.all(chunk.map((w) => this.count({ ...replay, start: w.start, end: w.end })))));
    }
    return totals;
  }

  private async acquireLocks(drafts: NewResendJob[]): Promise<NewResendJob[]> {
    const held: NewResendJob[] = [];
    for (const draft of drafts) {
      // A delayed job keeps its window from the request until it has run.
      const ttl = REPLAY_LOCK_TTL_MS + (draft.runAt ? Math.max(0, draft.runAt.getTime() - Date.now()) : 0);
      let acquired: boolean;
      try {
        acquired = await this.deps.lock.acquire(draft, draft.id, ttl);
      } catch {
        await this.releaseLocks(held);
        throw new ServiceUnavailableError();
      }
      if (!acquired && (await this.clearStaleLock(draft))) {
        acquired = await this.deps.lock.acquire(draft, draft.id, ttl).catch(() => false);
      }
      if (!acquired) {
        await this.releaseLocks(held);
        throw this.windowBusy(draft);
      }
      held.push(draft);
    }
    return held;
  }

  /**
   * A lock whose job has ended (its release was lost, say, to a Redis blip) is cleared instead of
   * refusing the window until it expires.
   */
  private async clearStaleLock(draft: NewResendJob): Promise<boolean> {
    const holder = await this.deps.lock.holder(draft).catch(() => null);
    if (!holder) return false;
    const job = isJobId(holder) ? await this.deps.resendJobs.findById(holder) : null;
    if (job && (job.state === 'queued' || job.state === 'running')) return false;
    return this.deps.lock.release(draft, holder).catch(() => false);
  }

  private async releaseLocks(held: NewResendJob[]): Promise<void> {
    await Promise.all(held.map((d) => this.deps.lock.release(d, d.id).catch(() => false)));
  }

  /** Jobs are committed first; if they cannot be queued they are removed again (no half-done job). */
  private async enqueueOrUndo(jobs: ResendJobRecord[]): Promise<void> {
    try {
      await enqueueFanouts(this.deps.fanoutQueue, jobs);
    } catch {
      await this.deps.resendJobs.deleteMany(jobs.map((j) => j.id)).catch(() => undefined);
      throw new ServiceUnavailableError();
    }
  }

  private assertQueueReachable(): void {
    if (this.deps.redis.status !== 'ready') throw new ServiceUnavailableError();
  }

  private windowBusy(draft: { windowStart: Date }): ConflictError {
    return new ConflictError(
      `A resend job for this merchant and start time (${draft.windowStart.toISOString()}) is already queued or running`,
    );
  }
}
