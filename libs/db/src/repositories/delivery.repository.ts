import type { DataSource, EntityManager } from 'typeorm';
import type { DeliveryOutcome, DeliveryTrigger, UrlSource } from '@wr/domain';
import { DeliveryEntity, type DeliveryRecord, type DeliveryState } from '../entities/index.js';
import { mapRow, mapRows } from '../row-mapper.js';

/** A notification the service accepts to deliver: one transaction status. */
export interface OwedNotification {
  transactionId: number;
  merchantId: number;
  statusId: number;
  statusChangedAt: Date;
  sequence: number;
}

/** What an attempt sends, known before it is claimed; its audit row is written from it. */
export interface AttemptStart {
  deliveryId: number;
  transactionId: number;
  webhookId: string;
  statusId: number;
  url: string;
  urlSource: UrlSource;
}

/** A claimed attempt: its number and its (open) audit row, named by its key (id, sent_at). */
export interface ClaimedAttempt {
  deliveryId: number;
  webhookLogId: number;
  sentAt: Date;
  attempt: number;
}

/** How an attempt ended, and what the delivery becomes. */
export interface AttemptResult {
  webhookLogId: number;
  sentAt: Date;
  deliveryId: number;
  attempt: number;
  outcome: DeliveryOutcome;
  httpStatus: number | null;
  durationMs: number;
  error: string | null;
  responseBody: string | null;
  /** `pending` = another attempt is due after `retryInMs`. */
  next: 'pending' | 'succeeded' | 'failed' | 'blocked';
  retryInMs: number;
}

export interface MovedDelivery {
  id: number;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: Date;
  releases: number;
  /**
   * From a bulk job's completion: false when its counters, just updated, show it cannot be done
   * yet (fewer processed than dispatched, or fan-out still running), so nobody needs to ask.
   */
  jobMayBeDone?: boolean;
}

/** What an attempt whose outcome was never recorded says on its audit row. */
const ABANDONED = `'attempt abandoned: the worker died or lost its database before recording the outcome'`;

/** How long before its due time a wake-up may claim a delivery (queue and database clocks differ). */
const CLAIM_SLACK = `interval '2 seconds'`;

/**
 * The ledger of deliveries owed. Every transition is one statement guarded by the row's state,
 * so wake-ups that arrive twice (a queue is at-least-once, the sweeper re-drives) change nothing
 * the second time.
 */
export class DeliveryRepository {
  constructor(private readonly db: DataSource) {}

  /** Records notifications owed; call inside the transaction of the change that causes them. */
  async add(
    owed: OwedNotification[],
    trigger: DeliveryTrigger,
    manager: EntityManager = this.db.manager,
  ): Promise<DeliveryRecord[]> {
    if (owed.length === 0) return [];
    const rows = await manager.query(
      `INSERT INTO deliveries (transaction_id, merchant_id, status_id, status_changed_at, sequence, trigger)
       SELECT t, m, s, c, q, $6 FROM unnest($1::bigint[], $2::integer[], $3::smallint[], $4::timestamptz[], $5::integer[])
         AS u(t, m, s, c, q)
       RETURNING *`,
      [
        owed.map((o) => o.transactionId),
        owed.map((o) => o.merchantId),
        owed.map((o) => o.statusId),
        owed.map((o) => o.statusChangedAt.toISOString()),
        owed.map((o) => o.sequence),
        trigger,
      ],
    );
    return mapRows(manager, DeliveryEntity, rows);
  }

  /**
   * A manual resend of one status; while one for the same status is pending it is returned
   * instead (`joined`), so repeated calls never add a second delivery.
   */
  async addManual(owed: OwedNotification, manager: EntityManager = this.db.manager): Promise<{ delivery: DeliveryRecord; joined: boolean }> {
    for (;;) {
      const inserted = await manager.query(
        `INSERT INTO deliveries (transaction_id, merchant_id, status_id, status_changed_at, sequence, trigger)
         VALUES ($1, $2, $3, $4, $5, 'manual')
         ON CONFLICT (transaction_id, sequence) WHERE trigger = 'manual' AND state = 'pending' DO NOTHING
         RETURNING *`,
        [owed.transactionId, owed.merchantId, owed.statusId, owed.statusChangedAt.toISOString(), owed.sequence],
      );
      if (inserted.length > 0) return { delivery: mapRow(manager, DeliveryEntity, inserted[0])!, joined: false };
      const existing = await manager.query(
        `SELECT * FROM deliveries WHERE transaction_id = $1 AND sequence = $2 AND trigger = 'manual' AND state = 'pending'`,
        [owed.transactionId, owed.sequence],
      );
      // The pending one finished between the two statements: try again.
      if (existing.length > 0) return { delivery: mapRow(manager, DeliveryEntity, existing[0])!, joined: true };
    }
  }

  async findById(id: number, manager: EntityManager = this.db.manager): Promise<DeliveryRecord | null> {
    const rows = await manager.query('SELECT * FROM deliveries WHERE id = $1', [id]);
    return mapRow(manager, DeliveryEntity, rows[0]);
  }

  /** The latest delivery of one status change by one trigger, if any (adopting a pre-ledger job). */
  async findOf(
    key: { transactionId: number; statusId: number; statusChangedAt: Date; trigger: DeliveryTrigger },
    manager: EntityManager = this.db.manager,
  ): Promise<DeliveryRecord | null> {
    const rows = await manager.query(
      `SELECT * FROM deliveries WHERE transaction_id = $1 AND status_id = $2 AND status_changed_at = $3 AND trigger = $4
        ORDER BY id DESC LIMIT 1`,
      [key.transactionId, key.statusId, key.statusChangedAt.toISOString(), key.trigger],
    );
    return mapRow(manager, DeliveryEntity, rows[0]);
  }

  /** The pending ones among these ids that are due now and not waiting for their endpoint (a batch's wake-up). */
  async findDue(ids: number[], manager: EntityManager = this.db.manager): Promise<DeliveryRecord[]> {
    if (ids.length === 0) return [];
    const rows = await manager.query(
      `SELECT * FROM deliveries WHERE id = ANY($1::bigint[]) AND state = 'pending' AND held_since IS NULL
          AND next_attempt_at <= now() + ${CLAIM_SLACK}`,
      [ids],
    );
    return mapRows(manager, DeliveryEntity, rows);
  }

  /**
   * Ends a pending delivery as `superseded` if a newer status of its transaction was already
   * delivered (SPEC 7, order per transaction); answers whether it did.
   */
  async supersedeIfStale(id: number, manager: EntityManager = this.db.manager): Promise<boolean> {
    const [, count] = await manager.query(
      `UPDATE deliveries d SET state = 'superseded', finished_at = now()
        WHERE d.id = $1 AND d.state = 'pending'
          AND EXISTS (SELECT 1 FROM deliveries n WHERE n.transaction_id = d.transaction_id AND n.sequence > d.sequence AND n.state = 'succeeded')`,
      [id],
    );
    return count > 0;
  }

  /** Ends a pending delivery without an attempt (nowhere to send). */
  async finishWithoutAttempt(id: number, state: 'cancelled', manager: EntityManager = this.db.manager): Promise<boolean> {
    const [, count] = await manager.query(
      `UPDATE deliveries SET state = $2, finished_at = now() WHERE id = $1 AND state = 'pending'`,
      [id, state],
    );
    return count > 0;
  }

  /**
   * Claims the next attempt of each due delivery and writes its audit row (outcome NULL) in one
   * statement, before any request is made: an attempt whose process dies still has its row, and
   * the delivery names it (`open_log_id`) until the completion, so the sweeper can close it. A claim holds the delivery for `leaseMs`; a second wake-up finds it not due. For a
   * bulk job, nothing is claimed once the job is no longer running (the job row is share-locked,
   * so a cancel waits for a claim in progress and a claim never follows a cancel).
   */
  async beginAttempts(
    starts: AttemptStart[],
    // sent_at is the database's clock, the one the sweeper measures abandoned attempts by.
    // A probe of a failing endpoint is the one attempt that may take a held delivery.
    options: { accountId: number; leaseMs: number; maxAttempts: number; resendJobId: string | null; probe?: boolean },
    manager: EntityManager = this.db.manager,
  ): Promise<ClaimedAttempt[]> {
    if (starts.length === 0) return [];
    const rows: Array<{ id: string; delivery_id: string; attempt: number; sent_at: Date }> = await manager.query(
      `WITH input AS (
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::smallint[], $5::text[], $6::text[])
           AS i(delivery_id, transaction_id, webhook_id, status_id, url, url_source)
       ), job AS (
         SELECT id FROM resend_jobs WHERE id = $7 AND state = 'running' FOR SHARE
       ), prior AS (
         -- A delivery due again while it still names an attempt in flight: that attempt's lease
         -- ran out (its worker died). Its audit row is handed to open_attempts, where the sweeper
         -- closes it as abandoned; the claim never locks an audit row, so it cannot deadlock with
         -- a late completion (which locks the audit row, then the delivery).
         -- Read from the statement's snapshot (a lock here would skip the rows the claim below
         -- updates): should the row change before the claim locks it, only a completion can have
         -- cleared the marker (a concurrent claim leaves it not due), and handing over an attempt
         -- already completed is harmless: the sweeper closes only rows without an outcome.
         SELECT d.id, d.open_log_id, d.open_log_sent_at FROM deliveries d
          WHERE d.id = ANY($1::bigint[]) AND d.open_log_id IS NOT NULL
       ), claimed AS (
         UPDATE deliveries d SET attempts = d.attempts + 1, next_attempt_at = now() + $8 * interval '1 millisecond',
                -- Milliseconds: the completion finds the row again by this key, through a JS Date.
                open_log_id = nextval('webhook_logs_id_seq'), open_log_sent_at = date_trunc('milliseconds', clock_timestamp())
           FROM input i
          WHERE d.id = i.delivery_id AND d.state = 'pending' AND d.attempts < $9
            AND d.next_attempt_at <= now() + ${CLAIM_SLACK}
            AND (d.held_since IS NULL OR $11::boolean)
            AND ($7::text IS NULL OR EXISTS (SELECT 1 FROM job))
            -- Order per transaction (SPEC 7): a live delivery never starts once a newer status of
            -- its transaction was delivered (bulk deliveries send the current status anyway).
            AND ($7::text IS NOT NULL OR NOT EXISTS (
                  SELECT 1 FROM deliveries n WHERE n.transaction_id = d.transaction_id AND n.sequence > d.sequence AND n.state = 'succeeded'))
         RETURNING d.id, d.attempts, d.trigger, d.resend_job_id, d.merchant_id, d.open_log_id, d.open_log_sent_at
       ), abandoned AS (
         INSERT INTO open_attempts (webhook_log_id, sent_at)
         SELECT p.open_log_id, p.open_log_sent_at FROM prior p JOIN claimed c ON c.id = p.id
         ON CONFLICT (webhook_log_id) DO NOTHING
       )
       INSERT INTO webhook_logs (id, account_id, merchant_id, transaction_id, webhook_id, status_id, trigger, resend_job_id,
                                 url, url_source, attempt, duration_ms, sent_at, delivery_id)
       SELECT c.open_log_id, $10, c.merchant_id, i.transaction_id, i.webhook_id, i.status_id, c.trigger, c.resend_job_id,
              i.url, i.url_source, c.attempts, 0, c.open_log_sent_at, c.id
         FROM claimed c JOIN input i ON i.delivery_id = c.id
       RETURNING id, delivery_id, attempt, sent_at`,
      [
        starts.map((s) => s.deliveryId),
        starts.map((s) => s.transactionId),
        starts.map((s) => s.webhookId),
        starts.map((s) => s.statusId),
        starts.map((s) => s.url),
        starts.map((s) => s.urlSource),
        options.resendJobId,
        options.leaseMs,
        options.maxAttempts,
        options.accountId,
        options.probe ?? false,
      ],
    );
    return rows.map((r) => ({ deliveryId: Number(r.delivery_id), webhookLogId: Number(r.id), sentAt: r.sent_at, attempt: r.attempt }));
  }

  /**
   * Completes attempts in one statement: their audit rows (found by their partition key, and
   * rewritten in place), their deliveries (final, or due again after the backoff, no longer in
   * flight) and, for a bulk job, its counters. A delivery moves only from the attempt
   * that claimed it, so counters count each transaction once. A delivery of a job that stopped
   * running meanwhile is cancelled instead of retried.
   */
  async completeAttempts(
    results: AttemptResult[],
    resendJobId: string | null,
    manager: EntityManager = this.db.manager,
  ): Promise<MovedDelivery[]> {
    if (results.length === 0) return [];
    const rows: RawMoved[] = await manager.query(
      `WITH r AS (
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::smallint[], $4::text[], $5::smallint[], $6::integer[],
                              $7::text[], $8::text[], $9::text[], $10::integer[], $12::timestamptz[])
           AS r(log_id, delivery_id, attempt, outcome, http_status, duration_ms, error, response_body, next_state, retry_ms, sent_at)
       ), job_row AS (
         -- Locked, so a cancel is either wholly before (the retry becomes a cancel) or after.
         SELECT state FROM resend_jobs WHERE id = $11 FOR UPDATE
       ), job AS (
         SELECT COALESCE((SELECT state = 'running' FROM job_row), true) AS running
       ), logs AS (
         -- A slow completion may find its row closed as abandoned by a sweeper: the real outcome wins.
         UPDATE webhook_logs l SET outcome = r.outcome, http_status = r.http_status, duration_ms = r.duration_ms,
                error = r.error, response_body = r.response_body
           FROM r WHERE l.id = r.log_id AND l.sent_at = r.sent_at
            -- Scalar bounds let PostgreSQL leave every other partition unread.
            AND l.sent_at >= $13::timestamptz AND l.sent_at <= $14::timestamptz
            AND (l.outcome IS NULL OR l.error LIKE 'attempt abandoned:%')
       ), moved AS (
         UPDATE deliveries d SET
           state = CASE WHEN r.next_state = 'pending' AND NOT job.running THEN 'cancelled' ELSE r.next_state END,
           next_attempt_at = CASE WHEN r.next_state = 'pending' THEN now() + r.retry_ms * interval '1 millisecond' ELSE d.next_attempt_at END,
           finished_at = CASE WHEN r.next_state = 'pending' AND job.running THEN NULL ELSE now() END,
           open_log_id = NULL, open_log_sent_at = NULL
           FROM r, job
          WHERE d.id = r.delivery_id AND d.state = 'pending' AND d.attempts = r.attempt
         RETURNING d.id, d.state, d.attempts, d.next_attempt_at, d.releases
       ), unmarked AS (
         -- A delivery that ended another way meanwhile (cancelled, superseded) still named this
         -- attempt as in flight: it no longer is. (Disjoint from the rows moved above.)
         UPDATE deliveries d SET open_log_id = NULL, open_log_sent_at = NULL
           FROM r WHERE d.id = r.delivery_id AND d.open_log_id = r.log_id
            AND NOT (d.state = 'pending' AND d.attempts = r.attempt)
       ), counted AS (
         UPDATE resend_jobs SET
           processed = processed + (SELECT count(*) FROM moved WHERE state IN ('succeeded', 'failed', 'blocked')),
           succeeded = succeeded + (SELECT count(*) FROM moved WHERE state = 'succeeded'),
           failed = failed + (SELECT count(*) FROM moved WHERE state IN ('failed', 'blocked')),
           progressed_at = now()
          WHERE id = $11
         RETURNING processed >= dispatched AND fanout_done AS may_be_done
       )
       SELECT m.*, (SELECT may_be_done FROM counted) AS job_may_be_done FROM moved m`,
      [
        results.map((r) => r.webhookLogId),
        results.map((r) => r.deliveryId),
        results.map((r) => r.attempt),
        results.map((r) => r.outcome),
        results.map((r) => r.httpStatus),
        results.map((r) => r.durationMs),
        results.map((r) => r.error),
        results.map((r) => r.responseBody),
        results.map((r) => r.next),
        results.map((r) => r.retryInMs),
        resendJobId,
        results.map((r) => r.sentAt.toISOString()),
        new Date(Math.min(...results.map((r) => r.sentAt.getTime()))).toISOString(),
        new Date(Math.max(...results.map((r) => r.sentAt.getTime()))).toISOString(),
      ],
    );
    return rows.map(toMoved);
  }

  /**
   * Where a delivery's attempts stand: `none` before the first, `in_flight` while one is out,
   * else whether the latest delivered it.
   */
  async attemptStatus(deliveryId: number, manager: EntityManager = this.db.manager): Promise<'none' | 'in_flight' | 'delivered' | 'failed'> {
    const rows: Array<{ state: DeliveryState; attempts: number; open_log_id: string | null }> = await manager.query(
      'SELECT state, attempts, open_log_id FROM deliveries WHERE id = $1',
      [deliveryId],
    );
    const d = rows[0];
    if (!d || d.attempts === 0) return 'none';
    if (d.open_log_id !== null) return 'in_flight';
    return d.state === 'succeeded' ? 'delivered' : 'failed';
  }

  /**
   * Closes audit rows left open by a process that died (or lost PostgreSQL) mid-attempt: the
   * request may or may not have reached the merchant, so the attempt counts as spent. In flight
   * means named by its delivery (`open_log_id`) or, outside the ledger, by `open_attempts`.
   * Two statements, each locking one kind of row before the audit rows (never a delivery after an
   * audit row, the order a completion takes): stale markers move from their deliveries to
   * `open_attempts`, then what `open_attempts` holds past the lease is closed.
   */
  async closeAbandonedAttempts(olderThanMs: number, limit: number, manager: EntityManager = this.db.manager): Promise<number> {
    await manager.query(
      `WITH stale AS (
         SELECT id, open_log_id, open_log_sent_at FROM deliveries
          WHERE open_log_id IS NOT NULL AND open_log_sent_at < now() - $1 * interval '1 millisecond'
          ORDER BY open_log_sent_at LIMIT $2 FOR UPDATE SKIP LOCKED
       ), cleared AS (
         UPDATE deliveries d SET open_log_id = NULL, open_log_sent_at = NULL
           FROM stale s WHERE d.id = s.id
         RETURNING s.open_log_id AS id, s.open_log_sent_at AS sent_at
       )
       INSERT INTO open_attempts (webhook_log_id, sent_at) SELECT id, sent_at FROM cleared
       ON CONFLICT (webhook_log_id) DO NOTHING`,
      [olderThanMs, limit],
    );
    const [, count] = await manager.query(
      `WITH outside AS (
         DELETE FROM open_attempts WHERE webhook_log_id IN (
           SELECT webhook_log_id FROM open_attempts WHERE sent_at < now() - $1 * interval '1 millisecond'
            ORDER BY sent_at LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING webhook_log_id AS id, sent_at
       )
       UPDATE webhook_logs l SET outcome = 'network_error', error = ${ABANDONED}
         FROM outside a WHERE l.id = a.id AND l.sent_at = a.sent_at AND l.outcome IS NULL`,
      [olderThanMs, limit],
    );
    return count;
  }

  /**
   * Live deliveries (automatic, invoice) due for longer than `graceMs`, in (next_attempt_at, id)
   * order after `after`: the candidates whose wake-up may be lost. Read only; the sweeper asks
   * Redis which wake-ups are really gone before touching any row.
   */
  async dueLive(
    graceMs: number,
    after: { at: Date; id: number } | null,
    limit: number,
    manager: EntityManager = this.db.manager,
  ): Promise<Array<{ id: number; attempts: number; nextAttemptAt: Date; releases: number }>> {
    const rows: Array<{ id: string; attempts: number; next_attempt_at: Date; releases: number }> = await manager.query(
      `SELECT id, attempts, next_attempt_at, releases FROM deliveries
        WHERE state = 'pending' AND resend_job_id IS NULL AND held_since IS NULL
          AND next_attempt_at < now() - $1 * interval '1 millisecond'
          AND ($2::timestamptz IS NULL OR (next_attempt_at, id) > ($2::timestamptz, $3::bigint))
        ORDER BY next_attempt_at, id LIMIT $4`,
      [graceMs, after?.at.toISOString() ?? null, after?.id ?? 0, limit],
    );
    return rows.map((r) => ({ id: Number(r.id), attempts: r.attempts, nextAttemptAt: r.next_attempt_at, releases: r.releases }));
  }

  /**
   * Re-drives live deliveries whose wake-up is gone: marks them re-driven now (the next pass
   * leaves them a grace period) or fails those whose attempts are spent. Rows another sweeper
   * holds, or that moved meanwhile, are skipped.
   */
  async redriveLive(ids: number[], graceMs: number, maxAttempts: number, manager: EntityManager = this.db.manager): Promise<MovedDelivery[]> {
    if (ids.length === 0) return [];
    // A top-level UPDATE answers [rows, count] through TypeORM.
    const [rows]: [RawMoved[]] = await manager.query(
      `WITH due AS (
         SELECT id FROM deliveries
          WHERE id = ANY($1::bigint[]) AND state = 'pending' AND held_since IS NULL
            AND next_attempt_at < now() - $2 * interval '1 millisecond'
          FOR UPDATE SKIP LOCKED
       )
       UPDATE deliveries d SET
         state = CASE WHEN d.attempts >= $3 THEN 'failed' ELSE 'pending' END,
         finished_at = CASE WHEN d.attempts >= $3 THEN now() END,
         next_attempt_at = now()
         FROM due WHERE d.id = due.id
       RETURNING d.id, d.state, d.attempts, d.next_attempt_at, d.releases`,
      [ids, graceMs, maxAttempts],
    );
    return rows.map(toMoved);
  }

  /**
   * Pending deliveries of jobs that stopped (cancelled, failed) and that no attempt holds any
   * more (an in-flight one whose worker died): cancelled, so nothing stays owed by a stopped job.
   */
  async cancelOrphans(graceMs: number, limit: number, manager: EntityManager = this.db.manager): Promise<number> {
    const [, count] = await manager.query(
      `UPDATE deliveries SET state = 'cancelled', finished_at = now()
        WHERE id IN (
          SELECT d.id FROM resend_jobs j JOIN deliveries d ON d.resend_job_id = j.id AND d.state = 'pending'
           WHERE j.state IN ('cancelled', 'failed') AND j.finished_at > now() - interval '2 days'
             AND d.next_attempt_at < now() - $1 * interval '1 millisecond'
           LIMIT $2)
          AND state = 'pending'`,
      [graceMs, limit],
    );
    return count;
  }

  /**
   * A stalled bulk job's items that are due and unclaimed: marked re-driven now (or failed when
   * their attempts are spent, counted on the job). Returns the ids to wake up again.
   */
  async redriveJobItems(
    resendJobId: string,
    graceMs: number,
    limit: number,
    maxAttempts: number,
    manager: EntityManager = this.db.manager,
  ): Promise<number[]> {
    const rows: Array<{ id: string }> = await manager.query(
      `WITH due AS (
         SELECT id FROM deliveries
          WHERE resend_job_id = $1 AND state = 'pending' AND held_since IS NULL
            AND next_attempt_at < now() - $2 * interval '1 millisecond'
          ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED
       ), moved AS (
         UPDATE deliveries d SET
           state = CASE WHEN d.attempts >= $4 THEN 'failed' ELSE 'pending' END,
           finished_at = CASE WHEN d.attempts >= $4 THEN now() END,
           next_attempt_at = now()
           FROM due WHERE d.id = due.id
         RETURNING d.id, d.state
       ), counted AS (
         UPDATE resend_jobs SET
           processed = processed + (SELECT count(*) FROM moved WHERE state = 'failed'),
           failed = failed + (SELECT count(*) FROM moved WHERE state = 'failed'),
           progressed_at = now()
          WHERE id = $1
       )
       SELECT id FROM moved WHERE state = 'pending' ORDER BY id`,
      [resendJobId, graceMs, limit, maxAttempts],
    );
    return rows.map((r) => Number(r.id));
  }
}

interface RawMoved {
  id: string;
  state: DeliveryState;
  attempts: number;
  next_attempt_at: Date;
  releases: number;
  job_may_be_done?: boolean | null;
}

function toMoved(r: RawMoved): MovedDelivery {
  const moved: MovedDelivery = { id: Number(r.id), state: r.state, attempts: r.attempts, nextAttemptAt: r.next_attempt_at, releases: r.releases };
  if (r.job_may_be_done === false) moved.jobMayBeDone = false;
  return moved;
}
