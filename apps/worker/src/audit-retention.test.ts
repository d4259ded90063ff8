import { afterEach, describe, expect, it } from '@jest/globals';
import type { AuditPartitionRepository, AuditUpkeep } from '@wr/db';
import type { Logger } from '@wr/logger';
import { startAuditRetention, type AuditRetention } from './audit-retention.js';

/** A logger that keeps what it was told. */
function recordingLogger() {
  const lines: Array<{ level: string; message: string; meta: unknown }> = [];
  const at = (level: string) => (message: string, meta?: unknown) => void lines.push({ level, message, meta });
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') } as unknown as Logger };
}

const started: AuditRetention[] = [];
afterEach(async () => {
  for (const r of started.splice(0)) await r.stop();
});

describe('startAuditRetention (the workers keep the audit partitions)', () => {
  it('when it starts, then one round runs at once with the configured retention, and a round that changed something is logged', async () => {
    const asked: Array<number | null> = [];
    const outcome: AuditUpkeep = { created: ['webhook_logs_p20261209'], dropped: ['webhook_logs_p20260901'] };
    const partitions: Pick<AuditPartitionRepository, 'keep'> = {
      keep: async (retentionDays) => {
        asked.push(retentionDays);
        return outcome;
      },
    };
    const { lines, logger } = recordingLogger();
    const retention = startAuditRetention({ partitions, retentionDays: 90, logger, intervalMs: 60_000 });
    started.push(retention);
    await retention.stop();

    expect(asked).toEqual([90]);
    expect(lines).toEqual([
      { level: 'info', message: 'audit partitions kept', meta: { created: outcome.created, dropped: outcome.dropped, retentionDays: 90 } },
    ]);
  });

  it('when another process holds the upkeep, or nothing was due, then nothing is logged', async () => {
    const answers: Array<AuditUpkeep | null> = [null, { created: [], dropped: [] }];
    const { lines, logger } = recordingLogger();
    const retention = startAuditRetention({ partitions: { keep: async () => answers.shift() ?? null }, retentionDays: 3, logger, intervalMs: 60_000 });
    started.push(retention);
    await retention.runOnce();
    await retention.stop();
    expect(answers).toEqual([]);
    expect(lines).toEqual([]);
  });

  it('when PostgreSQL refuses a round, then it is a warning and the next round tries again', async () => {
    let calls = 0;
    const { lines, logger } = recordingLogger();
    const retention = startAuditRetention({
      partitions: {
        keep: async () => {
          calls++;
          if (calls === 1) throw new Error('canceling statement due to lock timeout');
          return { created: ['webhook_logs_p20261210'], dropped: [] };
        },
      },
      retentionDays: 90,
      logger,
      intervalMs: 60_000,
    });
    started.push(retention);
    await retention.runOnce();
    expect(calls).toBe(2);
    expect(lines.map((l) => [l.level, l.message])).toEqual([
      ['warn', 'audit partition upkeep failed; tried again next round'],
      ['info', 'audit partitions kept'],
    ]);
  });
});
