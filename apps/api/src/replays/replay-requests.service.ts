import { NotFoundError, UnprocessableError } from '@wr/domain';
import type { MerchantRepository, ResendRequestRepository, ResendRequestSummary } from '@wr/db';
import { isJobId, windowReplay, type ReplayService } from '@wr/replays';
import { MAX_RUN_AT_AHEAD_MS, type CreateReplayBody } from './replays.schemas.js';

/** SPEC 6 `POST /v1/replays`: a replay request over any window of a merchant, now or later. */
export class ReplayRequestsService {
  constructor(
    private readonly deps: {
      merchants: Pick<MerchantRepository, 'findInAccount'>;
      requests: Pick<ResendRequestRepository, 'find'>;
      replays: ReplayService;
    },
  ) {}

  /** The request with its window jobs; for a dry run, only how many notifications it would send. */
  async create(accountId: number, body: CreateReplayBody): Promise<{ dryRunTotal: number } | { request: ResendRequestSummary }> {
    const runAt = body.run_at ? new Date(body.run_at) : null;
    if (runAt && runAt.getTime() - Date.now() > MAX_RUN_AT_AHEAD_MS) {
      throw new UnprocessableError('"run_at" must be at most 7 days ahead', 'run_at');
    }
    const merchant = await this.deps.merchants.findInAccount(body.merchant_id, accountId);
    if (!merchant) throw new NotFoundError('Merchant not found');
    const replay = windowReplay({
      accountId,
      merchant,
      source: 'replay',
      kind: body.kind ?? null,
      start: new Date(body.from),
      end: new Date(body.to),
      statusIds: body.status_ids ?? null,
      onlyFailed: body.only_failed,
      runAt,
    });
    if (body.dry_run) return { dryRunTotal: await this.deps.replays.count(replay) };
    return { request: await this.deps.replays.createWindowJobs(replay) };
  }

  async find(accountId: number, id: string): Promise<ResendRequestSummary> {
    const summary = isJobId(id) ? await this.deps.requests.find(id, accountId, 'replay') : null;
    if (!summary) throw new NotFoundError('Replay not found');
    return summary;
  }
}
