import { isNotifiableStatus, UnprocessableError, ValidationError } from '@wr/domain';
import type { MerchantRepository, ResendRequestRepository, ResendRequestSummary, TransactionRepository } from '@wr/db';
import { isJobId, MAX_REPLAY_RANGE_MS, windowReplay, type ReplayService } from '@wr/replays';
import { assertWindow } from '../http/window-rules.js';
import type { SimpayResendBody } from './simpay.schemas.js';

/** SPEC 5.3: turns a SimPay resend request into jobs under one request id. */
export class SimpayResendService {
  constructor(
    private readonly deps: {
      merchants: MerchantRepository;
      transactions: TransactionRepository;
      requests: Pick<ResendRequestRepository, 'list' | 'find'>;
      replays: ReplayService;
    },
  ) {}

  async create(accountId: number, body: SimpayResendBody): Promise<string> {
    const requestedBy = `account:${accountId}`;
    if (body.object_reference_id !== undefined) {
      const transaction = await this.deps.transactions.findByIdInAccount(body.object_reference_id, accountId);
      if (!transaction || transaction.kind !== body.resend_type) {
        // The seed's own words: a CASHIN object is a QR Code, a CASHOUT one a Transaction.
        throw new ValidationError(body.resend_type === 'CASHIN' ? 'QR Code not found' : 'Transaction not found');
      }
      if (!isNotifiableStatus(transaction.statusId)) {
        throw new UnprocessableError('"object_reference_id" names a transaction with no notification to resend (Pending)', 'object_reference_id');
      }
      const merchant = await this.deps.merchants.findById(transaction.merchantId);
      if (!merchant) throw new ValidationError(body.resend_type === 'CASHIN' ? 'QR Code not found' : 'Transaction not found');
      const { requestId } = await this.deps.replays.createTransactionJob({ accountId, merchant, transaction, source: 'simpay', requestedBy });
      return requestId;
    }

    const start = new Date(body.start_datetime!);
    const end = new Date(body.end_datetime!);
    assertWindow({ start, end }, { start: 'start_datetime', end: 'end_datetime' }, { ms: MAX_REPLAY_RANGE_MS, label: '31 days' });
    const merchant = await this.deps.merchants.findByBankAccountInAccount(
      body.source_account_branch_identifier!,
      body.source_account_number!,
      accountId,
    );
    if (!merchant) throw new ValidationError('Account not found');
    const { requestId } = await this.deps.replays.createWindowJobs(
      windowReplay({ accountId, merchant, source: 'simpay', kind: body.resend_type, start, end }),
    );
    return requestId;
  }

  list(accountId: number, page: { limit: number; offset: number }): Promise<ResendRequestSummary[]> {
    return this.deps.requests.list(accountId, 'simpay', page);
  }

  find(accountId: number, requestId: string): Promise<ResendRequestSummary | null> {
    if (!isJobId(requestId)) return Promise.resolve(null);
    return this.deps.requests.find(requestId, accountId, 'simpay');
  }
}
