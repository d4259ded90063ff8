import { NotFoundError } from '@wr/domain';
import type { EndpointHealthRecord, EndpointHealthRepository, EndpointStats, IncidentSummary, MerchantRepository, Recovery } from '@wr/db';
import type { EndpointRecovery } from '@wr/replays';

export interface EndpointView {
  merchantId: number;
  webhookUrl: string | null;
  health: EndpointHealthRecord | null;
  stats: EndpointStats;
  openIncident: IncidentSummary | null;
}

/** A merchant's endpoint as its account sees it (SPEC 6): health, incidents, re-enabling. */
export class EndpointHealthService {
  constructor(
    private readonly deps: {
      merchants: Pick<MerchantRepository, 'findInAccount'>;
      health: Pick<EndpointHealthRepository, 'find' | 'stats' | 'incidents' | 'incidentSummary'>;
      recovery: Pick<EndpointRecovery, 'recover'>;
    },
  ) {}

  private async merchantOf(accountId: number, merchantId: number) {
    const merchant = await this.deps.merchants.findInAccount(merchantId, accountId);
    if (!merchant) throw new NotFoundError('Merchant not found');
    return merchant;
  }

  async status(accountId: number, merchantId: number): Promise<EndpointView> {
    const merchant = await this.merchantOf(accountId, merchantId);
    const [health, stats] = await Promise.all([this.deps.health.find(merchantId), this.deps.health.stats(merchantId)]);
    const openIncident = health?.incidentId != null ? await this.deps.health.incidentSummary(health.incidentId) : null;
    return { merchantId, webhookUrl: merchant.webhookUrl, health, stats, openIncident };
  }

  async incidents(accountId: number, merchantId: number, page: { limit: number; beforeId?: number }): Promise<IncidentSummary[]> {
    await this.merchantOf(accountId, merchantId);
    return this.deps.health.incidents(merchantId, page);
  }

  /**
   * Re-enables the endpoint (disabled, or failing and not worth waiting for the next probe):
   * healthy again, and what it is owed goes out; with `since`, only what changed since then.
   */
  async enable(accountId: number, merchantId: number, since: Date | null): Promise<Recovery> {
    await this.merchantOf(accountId, merchantId);
    return this.deps.recovery.recover(merchantId, 'enabled', since);
  }
}
