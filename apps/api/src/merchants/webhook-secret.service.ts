import { NotFoundError } from '@wr/domain';
import type { MerchantRepository } from '@wr/db';
import { generateWebhookSecret } from '@wr/delivery';

export interface RotatedSecret {
  merchantId: number;
  /** The new secret in clear: this answer is the only place it is ever shown. */
  webhookSecret: string;
  /** Until when the replaced secret still signs; null when it stopped at once. */
  previousSecretExpiresAt: Date | null;
}

/** A merchant's webhook secret rotation (SPEC 6), within the caller's account. */
export class WebhookSecretService {
  constructor(private readonly deps: { merchants: MerchantRepository }) {}

  async rotate(accountId: number, merchantId: number, overlapSeconds: number): Promise<RotatedSecret> {
    const merchant = await this.deps.merchants.rotateWebhookSecret(merchantId, accountId, generateWebhookSecret(), overlapSeconds);
    if (!merchant) throw new NotFoundError('Merchant not found');
    return { merchantId: merchant.id, webhookSecret: merchant.webhookSecret, previousSecretExpiresAt: merchant.previousSecretExpiresAt };
  }
}
