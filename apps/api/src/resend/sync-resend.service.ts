import type { TargetRules } from '@wr/delivery';
import { ConflictError, NotFoundError, ValidationError } from '@wr/domain';
import type { MerchantRepository, TransactionRecord, TransactionRepository, WebhookLogRecord } from '@wr/db';
import type { WebhookDeliverer } from '@wr/delivery';
import { assertWebhookUrl } from '../http/webhook-url.js';

/**
 * SPEC 5.2: finds the caller's transaction by any identifier and delivers its current status
 * once, in the request, to the configured URL or a one-off override.
 */
export class SyncResendService {
  constructor(
    private readonly deps: {
      transactions: TransactionRepository;
      merchants: MerchantRepository;
      deliverer: WebhookDeliverer;
      targets: TargetRules;
    },
  ) {}

  /** `merchantId` narrows the search to one merchant (a console session sees only its own). */
  async resend(accountId: number, identifier: string, overrideUrl?: string, merchantId?: number): Promise<WebhookLogRecord> {
    assertWebhookUrl('url', overrideUrl, this.deps.targets);
    const transaction = await this.findTransaction(accountId, identifier, merchantId);
    const merchant = await this.deps.merchants.findById(transaction.merchantId);
    if (!merchant) throw new NotFoundError('Transaction not found');
    if (!overrideUrl && !merchant.webhookUrl) {
      throw new ValidationError('No webhook configured and no override URL provided');
    }
    return this.deps.deliverer.deliverNow({ transaction, merchant, trigger: 'manual', overrideUrl });
  }

  private async findTransaction(accountId: number, identifier: string, merchantId?: number): Promise<TransactionRecord> {
    const matches = await this.deps.transactions.findByIdentifier(identifier, accountId, merchantId);
    const best = matches[0];
    if (!best) throw new NotFoundError('Transaction not found');
    // External ids are unique per merchant; an account with several merchants may reuse one.
    const sameRank = matches.filter((m) => m.matchedBy === best.matchedBy);
    if (sameRank.length > 1) {
      throw new ConflictError('Identifier matches transactions of several merchants; use the numeric transaction id');
    }
    return best;
  }
}
