import type { AuditPartitionRepository, MerchantRepository } from '@wr/db';
import type { Logger } from '@wr/logger';
import { runEvery } from './periodic.js';

export interface Housekeeping {
  /** One round: audit partitions kept, expired webhook secrets forgotten. */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

/** Hourly is plenty: partitions are a day wide and made a week ahead. */
export const HOUSEKEEPING_INTERVAL_MS = 3_600_000;

/**
 * What the workers keep tidy, once at start and then hourly, each part on its own so one failing
 * never stops the other:
 * - the audit trail's day partitions: a week made ahead and, past AUDIT_RETENTION_DAYS, whole
 *   partitions dropped (never a DELETE); an advisory lock lets one worker at a time do it;
 * - webhook secrets replaced by a rotation whose overlap has ended: no longer used to sign, so no
 *   longer kept (sealed or not, a secret not needed is not stored).
 */
export function startHousekeeping(deps: {
  partitions: Pick<AuditPartitionRepository, 'keep'>;
  merchants: Pick<MerchantRepository, 'forgetExpiredSecrets'>;
  retentionDays: number;
  logger: Logger;
  intervalMs?: number;
}): Housekeeping {
  const keepPartitions = async () => {
    try {
      const done = await deps.partitions.keep(deps.retentionDays);
      if (done && (done.created.length > 0 || done.dropped.length > 0)) {
        deps.logger.info('audit partitions kept', { created: done.created, dropped: done.dropped, retentionDays: deps.retentionDays });
      }
    } catch (err) {
      deps.logger.warn('audit partition upkeep failed; tried again next round', { err: (err as Error).message });
    }
  };
  const forgetSecrets = async () => {
    try {
      const forgotten = await deps.merchants.forgetExpiredSecrets();
      if (forgotten > 0) deps.logger.info('expired webhook secrets forgotten', { merchants: forgotten });
    } catch (err) {
      deps.logger.warn('expired webhook secrets not forgotten; tried again next round', { err: (err as Error).message });
    }
  };
  const runOnce = async () => {
    await keepPartitions();
    await forgetSecrets();
  };
  const first = runOnce();
  const loop = runEvery(deps.intervalMs ?? HOUSEKEEPING_INTERVAL_MS, runOnce);
  return {
    runOnce,
    async stop() {
      await first;
      await loop.stop();
    },
  };
}
