import type { DataSource, QueryRunner } from 'typeorm';

/** One partition of the audit trail: rows with `from <= sent_at < to` (`from` null = no lower bound). */
export interface AuditPartition {
  name: string;
  from: Date | null;
  to: Date;
}

/** What one round of upkeep did (null: another process holds the upkeep lock). */
export interface AuditUpkeep {
  created: string[];
  dropped: string[];
}

/** Partitions are made this many days ahead, so a stopped fleet restarted within a week finds them. */
export const AUDIT_DAYS_AHEAD = 7;

// One upkeep at a time across every process (API and workers all make partitions at start).
const UPKEEP_LOCK = `hashtext('webhook_logs partition upkeep')`;

/**
 * The audit trail's day partitions (UTC days, `webhook_logs_pYYYYMMDD`): made ahead of need and
 * dropped whole past the retention. A new day is made as a table of its own and then attached,
 * which locks the audit trail only against other schema changes (never against reads or writes);
 * an old one is detached CONCURRENTLY before it is dropped, for the same reason.
 */
export class AuditPartitionRepository {
  constructor(private readonly db: DataSource) {}

  async list(runner?: QueryRunner): Promise<AuditPartition[]> {
    const rows: Array<{ name: string; from_at: Date | null; to_at: Date }> = await (runner ?? this.db).query(
      `SELECT c.relname AS name,
              (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\(''([^'']+)''\\)'))[1]::timestamptz AS from_at,
              (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]::timestamptz AS to_at
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'webhook_logs'::regclass AND NOT i.inhdetachpending
        ORDER BY to_at`,
    );
    return rows.map((r) => ({ name: r.name, from: r.from_at, to: r.to_at }));
  }

  /**
   * Makes every missing day partition from `firstDay` up to `endDay` (exclusive, YYYY-MM-DD) and
   * drops those whose rows all precede `dropBefore` (if given). Answers null when another process
   * is doing the same.
   */
  async upkeep(
    days: { firstDay: string; endDay: string },
    dropBefore: Date | null,
    options: { waitForLock?: boolean } = {},
  ): Promise<AuditUpkeep | null> {
    const runner = this.db.createQueryRunner();
    await runner.connect();
    try {
      if (options.waitForLock) await runner.query(`SELECT pg_advisory_lock(${UPKEEP_LOCK})`);
      else {
        const [{ locked }] = await runner.query(`SELECT pg_try_advisory_lock(${UPKEEP_LOCK}) AS locked`);
        if (!locked) return null;
      }
      try {
        // Making what is needed comes first: a stuck detach must never keep tomorrow from existing.
        const created = await this.createMissing(runner, days.firstDay, days.endDay);
        await this.finishInterruptedDetaches(runner);
        const dropped = dropBefore ? await this.dropEndingBy(runner, dropBefore) : [];
        return { created, dropped };
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(${UPKEEP_LOCK})`);
      }
    } finally {
      await runner.release();
    }
  }

  /**
   * The partitions from yesterday to a week ahead exist, and (with a retention) what is older is
   * gone: run by the workers every hour (another process's round in progress: skipped).
   */
  async keep(retentionDays: number | null): Promise<AuditUpkeep | null> {
    const [{ today, now }] = await this.db.query(`SELECT (now() AT TIME ZONE 'UTC')::date::text AS today, now() AS now`);
    const dropBefore = retentionDays === null ? null : new Date((now as Date).getTime() - retentionDays * 86_400_000);
    return this.upkeep(keptDays(today), dropBefore);
  }

  /**
   * At a process's start: yesterday to a week ahead are made, waiting for another process's round
   * if one is under way, so audit rows can be written once this returns. A database role that may
   * not change the schema is no obstacle while today's partition exists (another process made
   * it): the failure is then only reported.
   */
  async ensureForStart(): Promise<{ upkeep: AuditUpkeep | null; error?: Error }> {
    const [{ today }] = await this.db.query(`SELECT (now() AT TIME ZONE 'UTC')::date::text AS today`);
    try {
      return { upkeep: await this.upkeep(keptDays(today), null, { waitForLock: true }) };
    } catch (err) {
      const now = new Date();
      const covered = (await this.list()).some((p) => (p.from === null || p.from <= now) && p.to > now);
      if (!covered) throw err;
      return { upkeep: null, error: err as Error };
    }
  }

  private async createMissing(runner: QueryRunner, firstDay: string, endDay: string): Promise<string[]> {
    const existing = await this.list(runner);
    const created: string[] = [];
    for (const day of utcDays(firstDay, endDay)) {
      const from = new Date(`${day}T00:00:00Z`);
      const to = new Date(`${addUtcDays(day, 1)}T00:00:00Z`);
      if (existing.some((p) => (p.from === null || p.from < to) && p.to > from)) continue;
      const name = ident(partitionName(day));
      // Made and attached in one transaction: never a table left behind unattached.
      await runner.startTransaction();
      try {
        await runner.query(`CREATE TABLE ${name} (LIKE webhook_logs INCLUDING DEFAULTS INCLUDING CONSTRAINTS) WITH (fillfactor = 90)`);
        await runner.query(
          `ALTER TABLE webhook_logs ATTACH PARTITION ${name} FOR VALUES FROM ('${from.toISOString()}') TO ('${to.toISOString()}')`,
        );
        await runner.commitTransaction();
      } catch (err) {
        await runner.rollbackTransaction();
        throw err;
      }
      created.push(partitionName(day));
    }
    return created;
  }

  private async dropEndingBy(runner: QueryRunner, cutoff: Date): Promise<string[]> {
    const dropped: string[] = [];
    for (const partition of await this.list(runner)) {
      if (partition.to > cutoff) continue;
      await runner.query(`ALTER TABLE webhook_logs DETACH PARTITION ${ident(partition.name)} CONCURRENTLY`);
      await runner.query(`DROP TABLE ${ident(partition.name)}`);
      dropped.push(partition.name);
    }
    // A day detached by an interrupted round but not dropped: no longer part of the trail.
    const strays: Array<{ name: string }> = await runner.query(
      `SELECT relname AS name FROM pg_class
        WHERE relkind = 'r' AND NOT relispartition AND relnamespace = current_schema()::regnamespace
          AND relname ~ '^webhook_logs_p[0-9]{8}$' AND relname < $1`,
      [partitionName(cutoff.toISOString().slice(0, 10))],
    );
    for (const { name } of strays) {
      await runner.query(`DROP TABLE ${ident(name)}`);
      dropped.push(name);
    }
    return dropped;
  }

  /** A DETACH CONCURRENTLY cut short (its process died) must be finalized before anything else. */
  private async finishInterruptedDetaches(runner: QueryRunner): Promise<void> {
    const pending: Array<{ name: string }> = await runner.query(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'webhook_logs'::regclass AND i.inhdetachpending`,
    );
    for (const { name } of pending) await runner.query(`ALTER TABLE webhook_logs DETACH PARTITION ${ident(name)} FINALIZE`);
  }
}

/**
 * Yesterday to a week ahead: yesterday for a process whose clock is a little behind the
 * database's at midnight (a synchronous resend dates its row by the API's clock).
 */
function keptDays(today: string): { firstDay: string; endDay: string } {
  return { firstDay: addUtcDays(today, -1), endDay: addUtcDays(today, AUDIT_DAYS_AHEAD + 1) };
}

/** A name quoted as an SQL identifier. */
function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function partitionName(day: string): string {
  return `webhook_logs_p${day.replaceAll('-', '')}`;
}

export function addUtcDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Each UTC day from `first` up to, not including, `end` (YYYY-MM-DD). */
export function utcDays(first: string, end: string): string[] {
  const days: string[] = [];
  for (let day = first; day < end; day = addUtcDays(day, 1)) days.push(day);
  return days;
}
