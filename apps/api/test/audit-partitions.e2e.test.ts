import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import {
  addUtcDays,
  ALL_MIGRATIONS,
  auditPageQuery,
  AuditPartitionRepository,
  createDataSource,
  ensureDatabase,
  partitionName,
  type DataSource,
} from '@wr/db';
import { waitFor } from '@wr/testing';
import { DataSource as TypeOrmDataSource } from 'typeorm';
import type { RunningWorker } from '../../worker/src/workers.js';
import { startHarness, type Harness, type Tenant } from './support/harness.js';

/**
 * Every relation a plan reads for its rows (partitions show as scans of their own); the cursor's
 * one-row lookups (InitPlans) are left out, and so are scans pruned as the statement ran (with
 * ANALYZE: never executed).
 */
function relationsIn(plan: unknown): string[] {
  const found: string[] = [];
  const walk = (node: Record<string, unknown>) => {
    if (node['Parent Relationship'] === 'InitPlan' || node['Actual Loops'] === 0) return;
    if (typeof node['Relation Name'] === 'string') found.push(node['Relation Name']);
    for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
  };
  walk((plan as Array<{ Plan: Record<string, unknown> }>)[0]!.Plan);
  return [...new Set(found)].sort();
}

describe('the audit trail is partitioned by day and pruned by dropping partitions (SPEC 1, AUDIT_RETENTION_DAYS)', () => {
  let h: Harness;
  let tenant: Tenant;
  let today: string;
  const days = (n: number) => addUtcDays(today, n);
  const query = (sql: string, params: unknown[] = []) => h.db.dataSource.query(sql, params);
  const partitionsNow = async () => (await new AuditPartitionRepository(h.db.dataSource).list()).map((p) => p.name);

  /** One audit row of the tenant's transaction, sent at noon (UTC) of `day`, `outcome` success. */
  async function auditRowAt(day: string, transactionId: number): Promise<number> {
    const [row] = await query(
      `INSERT INTO webhook_logs (account_id, merchant_id, transaction_id, webhook_id, status_id, trigger, url, url_source,
                                 attempt, duration_ms, outcome, http_status, sent_at)
       VALUES ($1, $2, $3, 'msg_x', 3, 'automatic', 'http://127.0.0.1:9/hooks', 'configured', 1, 12, 'success', 200, $4)
       RETURNING id`,
      [tenant.accountId, tenant.merchant.id, transactionId, `${day}T12:00:00Z`],
    );
    return Number(row.id);
  }

  beforeAll(async () => {
    // Read before the service starts: should midnight (UTC) pass meanwhile, the service's days
    // (yesterday to a week ahead of its today) still cover this today and the week after it.
    today = new Date().toISOString().slice(0, 10);
    h = await startHarness();
    tenant = await h.createTenant({ webhookUrl: 'http://127.0.0.1:9/hooks' });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('when the service starts, then today and the next 7 days have their partition, and a list reads newest first across them', async () => {
    const names = await partitionsNow();
    for (let d = 0; d <= 7; d++) expect(names).toContain(partitionName(days(d)));

    const tx = await h.createTransaction({ merchant_id: tenant.merchant.id, kind: 'CASHIN', status_id: 3, notify: false });
    const ids = [await auditRowAt(days(2), tx.id), await auditRowAt(days(0), tx.id), await auditRowAt(days(1), tx.id)];
    const first = await h.request('GET', `/v1/webhook-logs?transaction_id=${tx.id}&limit=2`, { token: tenant.apiKey });
    expect(first.status).toBe(200);
    expect(first.body.data.map((r: { id: number }) => r.id)).toEqual([ids[0], ids[2]]);
    const second = await h.request('GET', `/v1/webhook-logs?transaction_id=${tx.id}&limit=2&cursor=${first.body.next_cursor}`, { token: tenant.apiKey });
    expect(second.body.data.map((r: { id: number }) => r.id)).toEqual([ids[1]]);
    expect(second.body.next_cursor).toBeNull();
  });

  it('when the audit list is asked for a time range, or for the page after a cursor, then only the partitions that can hold it are read (EXPLAIN)', async () => {
    const tx = await h.createTransaction({ merchant_id: tenant.merchant.id, kind: 'CASHIN', status_id: 3, notify: false });
    const rows = { d1: await auditRowAt(days(1), tx.id), d3: await auditRowAt(days(3), tx.id), d5: await auditRowAt(days(5), tx.id) };

    const ranged = auditPageQuery(tenant.accountId, { sentFrom: new Date(`${days(3)}T00:00:00Z`), sentTo: new Date(`${days(3)}T18:00:00Z`) }, { limit: 50 });
    const [{ 'QUERY PLAN': rangedPlan }] = await query(`EXPLAIN (FORMAT JSON) ${ranged.sql}`, ranged.params);
    expect(relationsIn(rangedPlan)).toEqual([partitionName(days(3))]);
    expect((await query(ranged.sql, ranged.params)).map((r: { id: string }) => Number(r.id))).toContain(rows.d3);

    // After the day-3 row, the next page can only be in day 3 or before: later partitions are
    // pruned as the statement starts (the cursor row's sent_at is looked up first).
    const paged = auditPageQuery(tenant.accountId, { transactionId: tx.id }, { beforeId: rows.d3, limit: 50 });
    const [{ 'QUERY PLAN': pagedPlan }] = await query(`EXPLAIN (ANALYZE, FORMAT JSON) ${paged.sql}`, paged.params);
    const scanned = relationsIn(pagedPlan);
    expect(scanned).toContain(partitionName(days(3)));
    for (const later of [days(4), days(5), days(6), days(7)]) expect(scanned).not.toContain(partitionName(later));
    expect((await query(paged.sql, paged.params)).map((r: { id: string }) => Number(r.id))).toEqual([rows.d1]);
  });

  it('when a worker runs with AUDIT_RETENTION_DAYS=3, then partitions older than 3 days are dropped whole, recent rows are kept and still listed', async () => {
    const partitions = new AuditPartitionRepository(h.db.dataSource);
    await partitions.upkeep({ firstDay: days(-10), endDay: days(0) }, null);
    const tx = await h.createTransaction({ merchant_id: tenant.merchant.id, kind: 'CASHIN', status_id: 3, notify: false });
    const old = [await auditRowAt(days(-9), tx.id), await auditRowAt(days(-5), tx.id)];
    const recent = [await auditRowAt(days(-2), tx.id), await auditRowAt(days(0), tx.id)];
    expect(await partitionsNow()).toContain(partitionName(days(-9)));

    let worker: RunningWorker | undefined;
    try {
      worker = await h.startWorker({ AUDIT_RETENTION_DAYS: '3' });
      await waitFor(async () => !(await partitionsNow()).includes(partitionName(days(-4))), 15_000, 'the old partitions to be dropped');
    } finally {
      await worker?.close();
    }
    const names = await partitionsNow();
    for (let d = -10; d <= -4; d++) expect(names).not.toContain(partitionName(days(d)));
    for (let d = -2; d <= 7; d++) expect(names).toContain(partitionName(days(d)));
    // Dropped, not deleted row by row: the tables are gone.
    const [{ left }] = await query(`SELECT count(*)::int AS left FROM pg_class WHERE relname = ANY($1)`, [[partitionName(days(-9)), partitionName(days(-5))]]);
    expect(left).toBe(0);

    const listed = await h.request('GET', `/v1/webhook-logs?transaction_id=${tx.id}`, { token: tenant.apiKey });
    expect(listed.body.data.map((r: { id: number }) => r.id).sort()).toEqual([...recent].sort());
    for (const id of old) expect((await h.request('GET', `/v1/webhook-logs/${id}`, { token: tenant.apiKey })).status).toBe(404);
    expect((await h.request('GET', `/v1/webhook-logs/${recent[0]}`, { token: tenant.apiKey })).status).toBe(200);
  }, 30_000);
});

describe('migrating an existing audit table to the partitioned one', () => {
  const name = `wr_test_migrate_${randomBytes(4).toString('hex')}`;
  const url = `postgres://postgres@127.0.0.1:5432/${name}`;
  let db: DataSource | undefined;

  const role = `wr_test_noddl_${randomBytes(4).toString('hex')}`;
  const appRole = `wr_test_app_${randomBytes(4).toString('hex')}`;

  afterAll(async () => {
    await db?.destroy().catch(() => undefined);
    const admin = new TypeOrmDataSource({ type: 'postgres', url: 'postgres://postgres@127.0.0.1:5432/postgres' });
    await admin.initialize();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.query(`DROP ROLE IF EXISTS ${appRole}`);
    await admin.destroy();
  });

  it('when the table holds rows (some in flight, one dated ahead by a wrong clock), then it becomes the first partition as it is: rows, ids, in-flight attempts and grants kept, new ids follow on, and it is dropped whole once past the retention', async () => {
    await ensureDatabase(url);
    const partitioned = ALL_MIGRATIONS.findIndex((m) => m.name === 'PartitionedAudit1764400000000');
    expect(partitioned).toBeGreaterThan(0);
    // An installation of the previous release: its migrations only, and audit rows of three days.
    const previous = new TypeOrmDataSource({ type: 'postgres', url, migrations: ALL_MIGRATIONS.slice(0, partitioned), logging: false });
    await previous.initialize();
    try {
      await previous.runMigrations({ transaction: 'each' });
      await previous.query(`
        INSERT INTO accounts (name) VALUES ('acme');
        INSERT INTO merchants (account_id, name, webhook_secret) VALUES (1, 'shop', 'whsec_x');
        INSERT INTO transactions (merchant_id, kind, status_id, amount) VALUES (1, 'CASHIN', 3, 100);
        INSERT INTO deliveries (transaction_id, merchant_id, status_id, status_changed_at, sequence, trigger, attempts)
          VALUES (1, 1, 3, now(), 1, 'automatic', 1);
        INSERT INTO webhook_logs (account_id, merchant_id, transaction_id, webhook_id, status_id, trigger, url, url_source,
                                  attempt, duration_ms, outcome, sent_at, delivery_id)
          SELECT 1, 1, 1, 'msg_1', 3, 'automatic', 'http://127.0.0.1:9/h', 'configured', 1, 5,
                 CASE WHEN g = 30 THEN NULL ELSE 'success' END, now() - interval '3 days' + g * interval '1 hour',
                 CASE WHEN g = 30 THEN 1 END
            FROM generate_series(1, 30) g;
        INSERT INTO webhook_logs (account_id, merchant_id, transaction_id, webhook_id, status_id, trigger, url, url_source,
                                  attempt, duration_ms, sent_at)
          VALUES (1, 1, 1, 'msg_1', 3, 'manual', 'http://127.0.0.1:9/h', 'configured', 1, 0, now() - interval '1 hour');
        INSERT INTO webhook_logs (account_id, merchant_id, transaction_id, webhook_id, status_id, trigger, url, url_source,
                                  attempt, duration_ms, outcome, sent_at)
          VALUES (1, 1, 1, 'msg_1', 3, 'manual', 'http://127.0.0.1:9/h', 'configured', 1, 0, 'success', now() + interval '3 days');`);
      await previous.query(`CREATE ROLE ${appRole} LOGIN`);
      await previous.query(`GRANT SELECT, INSERT, UPDATE ON webhook_logs TO ${appRole}`);
    } finally {
      await previous.destroy();
    }

    db = createDataSource({ databaseUrl: url, poolSize: 2, applicationName: 'wr-test-migrate' });
    await db.initialize();
    await db.runMigrations({ transaction: 'each' });

    const partitions = await new AuditPartitionRepository(db).list();
    const legacy = partitions[0]!;
    expect(legacy).toMatchObject({ name: 'webhook_logs_legacy', from: null });
    const [{ n, max, in_legacy }] = await db.query(
      `SELECT count(*)::int AS n, max(id)::int AS max,
              count(*) FILTER (WHERE tableoid = 'webhook_logs_legacy'::regclass)::int AS in_legacy FROM webhook_logs`,
    );
    expect({ n, max, in_legacy }).toEqual({ n: 32, max: 32, in_legacy: 31 });
    // The row dated ahead is in its own day's partition: the legacy one ends tomorrow at the latest.
    const [ahead] = await db.query(`SELECT tableoid::regclass::text AS part, (sent_at AT TIME ZONE 'UTC')::date::text AS day FROM webhook_logs WHERE id = 32`);
    expect(ahead.part).toBe(partitionName(ahead.day));
    expect(legacy.to.getTime()).toBeLessThanOrEqual(Date.parse(`${addUtcDays(new Date().toISOString().slice(0, 10), 1)}T00:00:00Z`));
    const [rights] = await db.query(
      `SELECT has_table_privilege($1, 'webhook_logs', 'INSERT') AS audit, has_table_privilege($1, 'open_attempts', 'DELETE') AS open,
              has_sequence_privilege($1, 'webhook_logs_id_seq', 'USAGE') AS ids`,
      [appRole],
    );
    expect(rights).toEqual({ audit: true, open: true, ids: true });
    // In flight before, named as in flight now: by its delivery, or (no delivery) by open_attempts.
    expect(await db.query('SELECT open_log_id::int AS id FROM deliveries')).toEqual([{ id: 30 }]);
    expect(await db.query('SELECT webhook_log_id::int AS id FROM open_attempts')).toEqual([{ id: 31 }]);
    const [next] = await db.query(
      `INSERT INTO webhook_logs (account_id, merchant_id, transaction_id, webhook_id, status_id, trigger, url, url_source, attempt, duration_ms, sent_at)
       VALUES (1, 1, 1, 'msg_1', 3, 'manual', 'http://127.0.0.1:9/h', 'configured', 1, 0, now()) RETURNING id::int AS id, tableoid::regclass::text AS part`,
    );
    // The legacy partition ends at the day after its newest row: until then it takes today's rows.
    const stillLegacy = legacy.to.getTime() > Date.now();
    expect(next).toEqual({ id: 33, part: stillLegacy ? 'webhook_logs_legacy' : partitionName(new Date().toISOString().slice(0, 10)) });

    // Once every legacy row is past the retention, the legacy partition goes whole like a day.
    const done = await new AuditPartitionRepository(db).upkeep({ firstDay: legacy.to.toISOString().slice(0, 10), endDay: legacy.to.toISOString().slice(0, 10) }, legacy.to);
    expect(done?.dropped).toEqual(['webhook_logs_legacy']);
    expect(await db.query('SELECT count(*)::int AS n FROM webhook_logs')).toEqual([{ n: stillLegacy ? 1 : 2 }]);
    expect(await db.query(`SELECT to_regclass('webhook_logs_legacy') AS t`)).toEqual([{ t: null }]);
  });

  it('when the service starts under a role that may not change the schema, then it starts while today has a partition (and says why nothing was made ahead), and refuses to start without one', async () => {
    expect(db).toBeDefined();
    // As the schema's owner would at start: today and the week ahead (the legacy partition, which
    // may have held today, is gone).
    expect((await new AuditPartitionRepository(db!).ensureForStart()).error).toBeUndefined();
    await db!.query(`CREATE ROLE ${role} LOGIN`);
    await db!.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`);
    await db!.query(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
    const partitions = await new AuditPartitionRepository(db!).list();
    const last = partitions.at(-1)!;
    await db!.query(`DROP TABLE ${last.name}`); // a day ahead is missing: the start tries to make it

    const limited = createDataSource({ databaseUrl: url.replace('postgres@', `${role}@`), poolSize: 2, applicationName: 'wr-test-noddl' });
    await limited.initialize();
    try {
      const started = await new AuditPartitionRepository(limited).ensureForStart();
      expect(started.error?.message).toMatch(/permission denied|must be owner/);

      const today = partitions.find((p) => (p.from === null || p.from.getTime() <= Date.now()) && p.to.getTime() > Date.now())!;
      await db!.query(`DROP TABLE ${today.name}`);
      await expect(new AuditPartitionRepository(limited).ensureForStart()).rejects.toThrow(/permission denied|must be owner/);
    } finally {
      await limited.destroy();
    }
  });
});
