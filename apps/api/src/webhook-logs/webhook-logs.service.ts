import { NotFoundError } from '@wr/domain';
import type { WebhookLogFilters, WebhookLogRecord, WebhookLogRepository } from '@wr/db';

/** The audit trail as an account sees it (SPEC 6): its own rows only. */
export class WebhookLogsService {
  constructor(private readonly deps: { webhookLogs: Pick<WebhookLogRepository, 'listInAccount' | 'findInAccount'> }) {}

  list(accountId: number, filters: WebhookLogFilters, page: { beforeId?: number; limit: number }): Promise<WebhookLogRecord[]> {
    return this.deps.webhookLogs.listInAccount(accountId, filters, page);
  }

  async find(accountId: number, id: number): Promise<WebhookLogRecord> {
    const log = await this.deps.webhookLogs.findInAccount(id, accountId);
    if (!log) throw new NotFoundError('Webhook log not found');
    return log;
  }
}
