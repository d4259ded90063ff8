import { afterEach, describe, expect, it } from '@jest/globals';
import type { AuditUpkeep } from '@wr/db';
import type { Logger } from '@wr/logger';
import { startHousekeeping, type Housekeeping } from './housekeeping.js';

/** A logger that keeps what it was told. */
function recordingLogger() {
  const lines: Array<{ level: string; message: string; meta: unknown }> = [];
  const at = (level: string) => (message: string, meta?: unknown) => void lines.push({ level, message, meta });
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') } as unknown as Logger };
}

const nothingToForget = { forgetExpiredSecrets: async () => 0 };

const started: Housekeeping[] = [];
afterEach(async () => {
  for (const h of started.splice(0)) await h.stop();
});

describe('startHousekeeping (what the workers keep tidy)', () => {
  it('when it starts, then one round runs at once with the configured retention, and a round that changed something is logged', async () => {
    const asked: Array<number | null> = [];
    const outcome: AuditUpkeep = { created: ['webhook_logs_p20261209'], dropped: ['webhook_logs_p20260901'] };
    const { lines, logger } = recordingLogger();
    const housekeeping = startHousekeeping({
      partitions: {
        keep: async (retentionDays) => {
          asked.push(retentionDays);
          return outcome;
        },
      },
      merchants: { forgetExpiredSecrets: async () => 2 },
      retentionDays: 90,
      logger,
      intervalMs: 60_000,
    });
    started.push(housekeeping);
    await housekeeping.stop();

    expect(asked).toEqual([90]);
    expect(lines).toEqual([
      { level: 'info', message: 'audit partitions kept', meta: { created: outcome.created, dropped: outcome.dropped, retentionDays: 90 } },
      { level: 'info', message: 'expired webhook secrets forgotten', meta: { merchants: 2 } },
    ]);
  });

  it('when another process holds the upkeep, or nothing was due, then nothing is logged', async () => {
    const answers: Array<AuditUpkeep | null> = [null, { created: [], dropped: [] }];
    const { lines, logger } = recordingLogger();
    const housekeeping = startHousekeeping({
      partitions: { keep: async () => answers.shift() ?? null },
      merchants: nothingToForget,
      retentionDays: 3,
      logger,
      intervalMs: 60_000,
    });
    started.push(housekeeping);
    await housekeeping.runOnce();
    await housekeeping.stop();
    expect(answers).toEqual([]);
    expect(lines).toEqual([]);
  });

  it('when PostgreSQL refuses the partition upkeep, then it is a warning, secrets are still forgotten, and the next round tries again', async () => {
    let calls = 0;
    let forgetting = 0;
    const { lines, logger } = recordingLogger();
    const housekeeping = startHousekeeping({
      partitions: {
        keep: async () => {
          calls++;
          if (calls === 1) throw new Error('canceling statement due to lock timeout');
          return { created: ['webhook_logs_p20261210'], dropped: [] };
        },
      },
      merchants: {
        forgetExpiredSecrets: async () => {
          forgetting++;
          return 0;
        },
      },
      retentionDays: 90,
      logger,
      intervalMs: 60_000,
    });
    started.push(housekeeping);
    await housekeeping.runOnce();
    expect({ calls, forgetting }).toEqual({ calls: 2, forgetting: 2 });
    expect(lines.map((l) => [l.level, l.message])).toEqual([
      ['warn', 'audit partition upkeep failed; tried again next round'],
      ['info', 'audit partitions kept'],
    ]);
  });
});
