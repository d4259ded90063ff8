import type { EntityManager, MerchantRecord, ResendJobSource } from '@wr/db';
import type { TransactionKind } from '@wr/domain';
import type { WindowReplay } from './replay.service.js';

/**
 * The one place a window replay is described, whoever asks for it: the payin bulk resend
 * (WePayout), SimPay's range resend, `POST /v1/replays` and a recurring schedule's firing.
 * Vocabulary: a replay request → window jobs (3 hours each) → items (one delivery per
 * transaction) → attempts. A replay that runs now at someone's request is audited as `bulk`;
 * one that runs later (`run_at`) or on a schedule as `scheduled`.
 */
export function windowReplay(input: {
  accountId: number;
  merchant: MerchantRecord;
  source: ResendJobSource;
  start: Date;
  end: Date;
  /** null or absent: both kinds. */
  kind?: TransactionKind | null;
  statusIds?: number[] | null;
  onlyFailed?: boolean;
  runAt?: Date | null;
  /** A recurring schedule's firing: its high-water mark moves with the jobs. */
  schedule?: { id: string; markCovered: (manager: EntityManager) => Promise<void> };
}): WindowReplay {
  const runAt = input.runAt && input.runAt.getTime() > Date.now() ? input.runAt : null;
  return {
    accountId: input.accountId,
    merchant: input.merchant,
    source: input.source,
    kind: input.kind ?? null,
    start: input.start,
    end: input.end,
    statusIds: input.statusIds ?? null,
    onlyFailed: input.onlyFailed ?? false,
    trigger: input.schedule || runAt ? 'scheduled' : 'bulk',
    runAt,
    requestedBy: input.schedule ? `schedule:${input.schedule.id}` : `account:${input.accountId}`,
    ...(input.schedule
      ? {
          alsoInTransaction: input.schedule.markCovered,
          // The mark moves with the jobs: they must not be undone if Redis blinks (the sweeper queues them).
          keepIfNotQueued: true,
        }
      : {}),
  };
}
