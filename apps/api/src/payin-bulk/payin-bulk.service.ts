import { NotFoundError } from '@wr/domain';
import type { MerchantRepository, ResendJobRecord } from '@wr/db';
import { windowReplay, type ReplayService } from '@wr/replays';
import type { PayinBulkResendBody } from './payin-bulk.schemas.js';

/** SPEC 5.4 (WePayout seed): one window job of a merchant's payins, at most 3 hours. */
export class PayinBulkService {
  constructor(private readonly deps: { merchants: Pick<MerchantRepository, 'findInAccount'>; replays: ReplayService }) {}

  /** The window job (or, for a dry run, only how many notifications it would send). */
  async resend(accountId: number, body: PayinBulkResendBody): Promise<{ jobId: string | null; total: number }> {
    const merchant = await this.deps.merchants.findInAccount(body.merchant_id, accountId);
    if (!merchant) throw new NotFoundError('Merchant not found');
    const replay = windowReplay({
      accountId,
      merchant,
      source: 'payin_bulk',
      kind: 'CASHIN',
      start: body.start_time,
      end: body.end_time,
      statusIds: body.status_ids ?? null,
    });
    if (body.dry_run) return { jobId: null, total: await this.deps.replays.count(replay) };
    const { jobs } = await this.deps.replays.createWindowJobs(replay);
    return { jobId: jobs[0]!.id, total: jobs[0]!.total };
  }

  find(accountId: number, jobId: string): Promise<ResendJobRecord> {
    return this.deps.replays.findJob(accountId, jobId);
  }
}
