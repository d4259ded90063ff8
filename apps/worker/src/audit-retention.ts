import type { AuditPartitionRepository } from '@wr/db';
import type { Logger } from '@wr/logger';
import { runEvery } from './periodic.js';

export interface AuditRetention {
  /** One round: the week ahead made, partitions past the retention dropped. */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

/** Hourly is plenty: partitions are a day wide and made a week ahead. */
export const AUDIT_UPKEEP_INTERVAL_MS = 3_600_000;

/**
 * Keeps the audit trail's day partitions: a week made ahead and, past AUDIT_RETENTION_DAYS,
 * whole partitions dropped (never a DELETE). Every worker runs it; an advisory lock lets one at
 * a time do the work. Runs once at start, then hourly.
 */
export function startAuditRetention(deps: {
  partitions: Pick<AuditPartitionRepository, 'keep'>;
  retentionDays: number;
  logger: Logger;
  intervalMs?: number;
}): AuditRetention {
  const runOnce = async () => {
    try {
      const done = await deps.partitions.keep(deps.retentionDays);
      if (done && (done.created.length > 0 || done.dropped.length > 0)) {
        deps.logger.info('audit partitions kept', { created: done.created, dropped: done.dropped, retentionDays: deps.retentionDays });
      }
    } catch (err) {
      deps.logger.warn('audit partition upkeep failed; tried again next round', { err: (err as Error).message });
    }
  };
  const first = runOnce();
  const loop = runEvery(deps.intervalMs ?? AUDIT_UPKEEP_INTERVAL_MS, runOnce);
  return {
    runOnce,
    async stop() {
      await first;
      await loop.stop();
    },
  };
}
