import type { DataSource, EntityManager } from 'typeorm';
import {
  CIRCUIT_RULES,
  foldObservations,
  nextProbeIntervalMs,
  type EndpointObservation,
  type EndpointState,
  type EndpointTransition,
} from '@wr/domain';
import {
  DeliveryEntity,
  EndpointHealthEntity,
  EndpointIncidentEntity,
  type DeliveryRecord,
  type EndpointHealthRecord,
  type EndpointIncidentRecord,
  type IncidentEnd,
} from '../entities/index.js';
import { mapRow, mapRows } from '../row-mapper.js';

/** A delivery let go from its hold (or a `recovery` delivery added): it needs a wake-up. */
export interface ReleasedDelivery {
  id: number;
  attempts: number;
  releases: number;
  resendJobId: string | null;
  statusChangedAt: Date;
}

/** What an incident's end did: the incident as closed, and what is now to be woken up. */
export interface Recovery {
  incident: EndpointIncidentRecord | null;
  /** In `status_changed_at` order: deliveries released from hold, then recovery deliveries merged in. */
  released: ReleasedDelivery[];
}

export interface RecordedHealth {
  health: EndpointHealthRecord;
  transition: EndpointTransition | null;
  /** The incident the transition opened, disabled or ended. */
  incidentId: number | null;
  /** Set when this record closed the circuit: what must be woken up now. */
  recovery: Recovery | null;
}

/** An incident with what it cost and what is left (SPEC 6). */
export interface IncidentSummary extends EndpointIncidentRecord {
  /** Deliveries that waited for the endpoint during the incident. */
  held: number;
  /** Of those and of the recovery deliveries: delivered. */
  replayed: number;
  /** Still owed. */
  stillToSend: number;
}

export interface EndpointStats {
  lastSuccess: { at: Date; httpStatus: number | null; durationMs: number } | null;
  lastFailure: { at: Date; httpStatus: number | null; error: string | null; outcome: string } | null;
  lastHour: { attempts: number; successRate: number | null; p95LatencyMs: number | null };
}

const RELEASED_COLUMNS = 'id, attempts, releases, resend_job_id, status_changed_at';

/**
 * A held delivery whose attempt is in flight (a probe) is not released: its wake-up would send it
 * a second time. Once the probe ends it is final, or held again and released by the sweeper.
 */
const NOT_IN_FLIGHT = `d.open_log_id IS NULL`;

/**
 * Endpoint health, incidents, and the deliveries that wait for an endpoint (held). Every change
 * of state happens under the health row's lock, so workers that see failures at once open one
 * incident, and a recovery releases everything held before it in the same transaction.
 */
export class EndpointHealthRepository {
  constructor(private readonly db: DataSource) {}

  async find(merchantId: number, manager: EntityManager = this.db.manager): Promise<EndpointHealthRecord | null> {
    const rows = await manager.query('SELECT * FROM endpoint_health WHERE merchant_id = $1', [merchantId]);
    return mapRow(manager, EndpointHealthEntity, rows[0]);
  }

  /** The endpoint's state; no row = healthy, never failed. */
  async stateOf(merchantId: number, manager: EntityManager = this.db.manager): Promise<{ state: EndpointState; consecutiveFailures: number }> {
    const health = await this.find(merchantId, manager);
    return { state: health?.state ?? 'healthy', consecutiveFailures: health?.consecutiveFailures ?? 0 };
  }

  /**
   * Parks pending deliveries while their endpoint is not healthy: no attempt spent, no wake-up.
   * The health row is share-locked, so a hold waits for a recovery in progress and then holds
   * nothing: a delivery is never held after the release that should have freed it.
   */
  async hold(merchantId: number, deliveryIds: number[], manager: EntityManager = this.db.manager): Promise<number[]> {
    if (deliveryIds.length === 0) return [];
    const [rows]: [Array<{ id: string }>] = await manager.query(
      `WITH h AS (
         SELECT incident_id FROM endpoint_health WHERE merchant_id = $2 AND state <> 'healthy' FOR SHARE
       )
       UPDATE deliveries d SET held_since = COALESCE(d.held_since, now()), incident_id = COALESCE((SELECT incident_id FROM h), d.incident_id)
        WHERE d.id = ANY($1::bigint[]) AND d.merchant_id = $2 AND d.state = 'pending' AND EXISTS (SELECT 1 FROM h)
       RETURNING d.id`,
      [deliveryIds, merchantId],
    );
    return rows.map((r) => Number(r.id));
  }

  /**
   * Folds attempts into the endpoint's health: opens an incident when the circuit opens, disables
   * on 410, spaces the next probe after a failed one, and on the first success while failing
   * ends the incident and releases what waited (see `recover`).
   */
  async record(
    merchantId: number,
    observations: EndpointObservation[],
    options: { probe: boolean; firstError: string | null },
  ): Promise<RecordedHealth> {
    return this.db.transaction(async (tx) => {
      await tx.query('INSERT INTO endpoint_health (merchant_id) VALUES ($1) ON CONFLICT DO NOTHING', [merchantId]);
      const current = mapRow(tx, EndpointHealthEntity, (await tx.query('SELECT * FROM endpoint_health WHERE merchant_id = $1 FOR UPDATE', [merchantId]))[0])!;
      const { next, transition } = foldObservations(current, observations);
      if (options.probe && current.incidentId !== null) {
        await tx.query('UPDATE endpoint_incidents SET probes = probes + 1 WHERE id = $1', [current.incidentId]);
      }
      if (transition === 'recovered') {
        const recovery = await this.recoverIn(tx, merchantId, 'recovered', null);
        return { health: (await this.find(merchantId, tx))!, transition, incidentId: recovery.incident?.id ?? null, recovery };
      }
      let incidentId = current.incidentId;
      if (transition === 'failing' || (transition === 'disabled' && incidentId === null)) {
        const [incident] = await tx.query(
          `INSERT INTO endpoint_incidents (merchant_id, first_error) VALUES ($1, $2) RETURNING id`,
          [merchantId, options.firstError],
        );
        incidentId = Number(incident.id);
      }
      if (transition === 'disabled') {
        await tx.query(`UPDATE endpoint_incidents SET disabled_at = now(), disabled_reason = 'gone' WHERE id = $1`, [incidentId]);
      }
      // The probe schedule: set when the circuit opens, spaced out after each failed probe.
      const probeIntervalMs =
        next.state !== 'failing' ? null : transition === 'failing' ? CIRCUIT_RULES.firstProbeAfterMs : options.probe ? nextProbeIntervalMs(current.probeIntervalMs) : current.probeIntervalMs;
      const reschedule = next.state !== 'failing' || transition === 'failing' || options.probe;
      const [rows] = await tx.query(
        `UPDATE endpoint_health SET state = $2, consecutive_failures = $3, failed_delivery_ids = $4::bigint[],
                -- When the circuit opened (not the run's first failure: a lone failure days earlier
                -- must not count towards ENDPOINT_DISABLE_AFTER_HOURS).
                failing_since = CASE WHEN $2 = 'healthy' THEN NULL ELSE COALESCE(failing_since, now()) END,
                incident_id = $5,
                probe_interval_ms = CASE WHEN $6 THEN $7::integer ELSE probe_interval_ms END,
                next_probe_at = CASE WHEN $6 THEN now() + $7::integer * interval '1 millisecond' ELSE next_probe_at END,
                probe_lease_until = CASE WHEN $6 THEN NULL ELSE probe_lease_until END,
                updated_at = now()
          WHERE merchant_id = $1 RETURNING *`,
        [merchantId, next.state, next.consecutiveFailures, next.failedDeliveryIds, incidentId, reschedule, probeIntervalMs],
      );
      return { health: mapRow(tx, EndpointHealthEntity, rows[0])!, transition, incidentId: transition ? incidentId : null, recovery: null };
    });
  }

  /**
   * Ends the endpoint's incident (it recovered, an operator re-enabled it, or its URL changed):
   * healthy again, every held delivery released, and every delivery that spent its attempts
   * during the incident owed again as a `recovery` delivery — unless a newer status of its
   * transaction is already owed or delivered. `since` keeps only what changed since then (live
   * deliveries held from before are cancelled; a bulk job's are always released).
   */
  async recover(merchantId: number, endedBy: IncidentEnd, since: Date | null = null): Promise<Recovery> {
    return this.db.transaction((tx) => this.recoverIn(tx, merchantId, endedBy, since));
  }

  private async recoverIn(tx: EntityManager, merchantId: number, endedBy: IncidentEnd, since: Date | null): Promise<Recovery> {
    const [health] = await tx.query('SELECT incident_id FROM endpoint_health WHERE merchant_id = $1 FOR UPDATE', [merchantId]);
    if (!health) return { incident: null, released: [] };
    await tx.query(
      `UPDATE endpoint_health SET state = 'healthy', consecutive_failures = 0, failed_delivery_ids = '{}',
              failing_since = NULL, next_probe_at = NULL, probe_interval_ms = NULL, probe_lease_until = NULL, incident_id = NULL,
              updated_at = now()
        WHERE merchant_id = $1`,
      [merchantId],
    );
    const sinceIso = since?.toISOString() ?? null;
    if (sinceIso) {
      await tx.query(
        `UPDATE deliveries SET state = 'cancelled', finished_at = now(), held_since = NULL
          WHERE merchant_id = $1 AND state = 'pending' AND held_since IS NOT NULL AND resend_job_id IS NULL AND status_changed_at < $2`,
        [merchantId, sinceIso],
      );
    }
    // Order per transaction (SPEC 7): of a transaction's statuses that waited, only the newest goes.
    await tx.query(
      `UPDATE deliveries d SET state = 'superseded', finished_at = now(), held_since = NULL
        WHERE d.merchant_id = $1 AND d.state = 'pending' AND d.held_since IS NOT NULL AND d.resend_job_id IS NULL
          AND ${NOT_IN_FLIGHT}
          AND (EXISTS (SELECT 1 FROM deliveries n WHERE n.transaction_id = d.transaction_id AND n.sequence > d.sequence
                          AND n.state = 'pending' AND n.resend_job_id IS NULL)
            OR EXISTS (SELECT 1 FROM deliveries n WHERE n.transaction_id = d.transaction_id AND n.sequence > d.sequence
                          AND n.state = 'succeeded'))`,
      [merchantId],
    );
    const [releasedRows] = await tx.query(
      `UPDATE deliveries d SET held_since = NULL, releases = releases + 1, next_attempt_at = now()
        WHERE d.merchant_id = $1 AND d.state = 'pending' AND d.held_since IS NOT NULL AND ${NOT_IN_FLIGHT}
       RETURNING ${RELEASED_COLUMNS}`,
      [merchantId],
    );
    let incident: EndpointIncidentRecord | null = null;
    let recoveryRows: unknown[] = [];
    if (health.incident_id !== null) {
      const [ended] = await tx.query(
        `UPDATE endpoint_incidents i SET ended_at = now(), ended_by = $2,
                deliveries_failed = (SELECT count(*) FROM deliveries d
                                      WHERE d.merchant_id = i.merchant_id AND d.state = 'failed' AND d.finished_at >= i.started_at)
          WHERE id = $1 RETURNING *`,
        [health.incident_id, endedBy],
      );
      incident = mapRow(tx, EndpointIncidentEntity, ended[0]);
      recoveryRows = await tx.query(
        `INSERT INTO deliveries (transaction_id, merchant_id, status_id, status_changed_at, sequence, trigger, incident_id)
         SELECT f.transaction_id, f.merchant_id, f.status_id, f.status_changed_at, f.sequence, 'recovery', $2
           FROM (SELECT DISTINCT ON (transaction_id) * FROM deliveries
                  WHERE merchant_id = $1 AND state = 'failed' AND finished_at >= $3
                    AND ($4::timestamptz IS NULL OR status_changed_at >= $4)
                  ORDER BY transaction_id, sequence DESC) f
          WHERE NOT EXISTS (SELECT 1 FROM deliveries n WHERE n.transaction_id = f.transaction_id AND n.sequence >= f.sequence
                               AND n.state = 'pending' AND n.resend_job_id IS NULL)
            AND NOT EXISTS (SELECT 1 FROM deliveries n WHERE n.transaction_id = f.transaction_id AND n.sequence >= f.sequence
                               AND n.state = 'succeeded')
         RETURNING ${RELEASED_COLUMNS}`,
        [merchantId, health.incident_id, incident!.startedAt.toISOString(), sinceIso],
      );
    }
    const released = [...(releasedRows as RawReleased[]), ...(recoveryRows as RawReleased[])]
      .map(toReleased)
      .sort((a, b) => a.statusChangedAt.getTime() - b.statusChangedAt.getTime() || a.id - b.id);
    return { incident, released };
  }

  /** Endpoints due for a probe, each leased to this caller for `leaseMs` (one probe at a time). */
  async claimDueProbes(limit: number, leaseMs: number, manager: EntityManager = this.db.manager): Promise<number[]> {
    const [rows]: [Array<{ merchant_id: number }>] = await manager.query(
      `UPDATE endpoint_health SET probe_lease_until = now() + $2 * interval '1 millisecond'
        WHERE merchant_id IN (
          SELECT merchant_id FROM endpoint_health
           WHERE state = 'failing' AND next_probe_at <= now() AND (probe_lease_until IS NULL OR probe_lease_until < now())
           ORDER BY next_probe_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING merchant_id`,
      [limit, leaseMs],
    );
    return rows.map((r) => r.merchant_id);
  }

  /**
   * The delivery a probe sends: the oldest held one with an attempt left and none in flight, live
   * ones first (a bulk job may have stopped). With nothing held, the newest delivery that spent
   * its attempts during the incident is owed again now (a held `recovery` delivery) and probes.
   */
  async probeCandidate(merchantId: number, maxAttempts: number): Promise<DeliveryRecord | null> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query(
        `SELECT * FROM deliveries d WHERE merchant_id = $1 AND state = 'pending' AND held_since IS NOT NULL
            AND attempts < $2 AND next_attempt_at <= now() + interval '2 seconds'
          ORDER BY (resend_job_id IS NOT NULL), status_changed_at, id LIMIT 1`,
        [merchantId, maxAttempts],
      );
      if (rows.length > 0) return mapRow(tx, DeliveryEntity, rows[0]);
      const staged = await tx.query(
        `INSERT INTO deliveries (transaction_id, merchant_id, status_id, status_changed_at, sequence, trigger, incident_id, held_since)
         SELECT f.transaction_id, f.merchant_id, f.status_id, f.status_changed_at, f.sequence, 'recovery', h.incident_id, now()
           FROM endpoint_health h
           JOIN endpoint_incidents i ON i.id = h.incident_id
           JOIN LATERAL (SELECT * FROM deliveries f WHERE f.merchant_id = h.merchant_id AND f.state = 'failed' AND f.finished_at >= i.started_at
                          ORDER BY f.finished_at DESC LIMIT 1) f ON true
          WHERE h.merchant_id = $1
            AND NOT EXISTS (SELECT 1 FROM deliveries n WHERE n.transaction_id = f.transaction_id AND n.sequence >= f.sequence AND n.state = 'pending' AND n.resend_job_id IS NULL)
            AND NOT EXISTS (SELECT 1 FROM deliveries n WHERE n.transaction_id = f.transaction_id AND n.sequence >= f.sequence AND n.state = 'succeeded')
         RETURNING *`,
        [merchantId],
      );
      return mapRow(tx, DeliveryEntity, staged[0]);
    });
  }

  /** Nothing to probe with, or the probe could not be made: try again after `delayMs`. */
  async postponeProbe(merchantId: number, delayMs: number, manager: EntityManager = this.db.manager): Promise<void> {
    await manager.query(
      `UPDATE endpoint_health SET next_probe_at = now() + $2 * interval '1 millisecond', probe_lease_until = NULL
        WHERE merchant_id = $1 AND state = 'failing'`,
      [merchantId, delayMs],
    );
  }

  /** Endpoints failing for longer than `hours`: disabled (SPEC 6, ENDPOINT_DISABLE_AFTER_HOURS). */
  async disableStale(hours: number, manager: EntityManager = this.db.manager): Promise<Array<{ merchantId: number; incidentId: number | null }>> {
    const rows: Array<{ merchant_id: number; incident_id: string | null }> = await manager.query(
      `WITH stale AS (
         SELECT merchant_id FROM endpoint_health
          WHERE state = 'failing' AND failing_since < now() - $1 * interval '1 hour' FOR UPDATE SKIP LOCKED
       ), moved AS (
         UPDATE endpoint_health h SET state = 'disabled', next_probe_at = NULL, probe_lease_until = NULL, updated_at = now()
           FROM stale WHERE h.merchant_id = stale.merchant_id
         RETURNING h.merchant_id, h.incident_id
       ), marked AS (
         UPDATE endpoint_incidents i SET disabled_at = now(), disabled_reason = 'failing_too_long'
           FROM moved WHERE i.id = moved.incident_id
       )
       SELECT * FROM moved`,
      [hours],
    );
    return rows.map((r) => ({ merchantId: r.merchant_id, incidentId: r.incident_id === null ? null : Number(r.incident_id) }));
  }

  /**
   * Held deliveries whose endpoint is healthy again yet were not released (a hold that raced a
   * recovery cannot happen, but a row is cheaper to check than to lose): released now.
   */
  async releaseStrays(limit: number, manager: EntityManager = this.db.manager): Promise<ReleasedDelivery[]> {
    const [rows]: [RawReleased[]] = await manager.query(
      `UPDATE deliveries SET held_since = NULL, releases = releases + 1, next_attempt_at = now()
        WHERE id IN (
          SELECT d.id FROM deliveries d LEFT JOIN endpoint_health h ON h.merchant_id = d.merchant_id
           WHERE d.state = 'pending' AND d.held_since IS NOT NULL AND COALESCE(h.state, 'healthy') = 'healthy'
             AND ${NOT_IN_FLIGHT}
           LIMIT $1 FOR UPDATE OF d SKIP LOCKED)
       RETURNING ${RELEASED_COLUMNS}`,
      [limit],
    );
    return rows.map(toReleased);
  }

  /** One incident with its counts. */
  async incidentSummary(id: number, manager: EntityManager = this.db.manager): Promise<IncidentSummary | null> {
    return (await this.summaries(manager, 'i.id = $1', [id]))[0] ?? null;
  }

  /** A merchant's incidents, newest first, with their counts; `beforeId` pages back. */
  async incidents(merchantId: number, options: { limit: number; beforeId?: number }, manager: EntityManager = this.db.manager): Promise<IncidentSummary[]> {
    return this.summaries(manager, 'i.merchant_id = $1 AND ($2::bigint IS NULL OR i.id < $2) ORDER BY i.id DESC LIMIT $3', [
      merchantId,
      options.beforeId ?? null,
      options.limit,
    ]);
  }

  private async summaries(manager: EntityManager, where: string, params: unknown[]): Promise<IncidentSummary[]> {
    const rows: Array<Record<string, unknown>> = await manager.query(
      `SELECT i.*,
              COALESCE(i.deliveries_failed, (SELECT count(*) FROM deliveries d
                 WHERE d.merchant_id = i.merchant_id AND d.state = 'failed' AND d.finished_at >= i.started_at))::int AS deliveries_failed,
              (SELECT count(*) FROM deliveries d WHERE d.incident_id = i.id AND d.trigger <> 'recovery')::int AS held,
              (SELECT count(*) FROM deliveries d WHERE d.incident_id = i.id AND d.state = 'succeeded')::int AS replayed,
              (SELECT count(*) FROM deliveries d WHERE d.incident_id = i.id AND d.state = 'pending')::int AS still_to_send
         FROM endpoint_incidents i
        WHERE ${where}`,
      params,
    );
    const incidents = mapRows(manager, EndpointIncidentEntity, rows);
    return incidents.map((incident, i) => ({
      ...incident,
      held: rows[i]!.held as number,
      replayed: rows[i]!.replayed as number,
      stillToSend: rows[i]!.still_to_send as number,
    }));
  }

  /** The endpoint's recent record, from the audit trail: last success and failure, the last hour. */
  async stats(merchantId: number, manager: EntityManager = this.db.manager): Promise<EndpointStats> {
    const [success, failure, hour] = await Promise.all([
      manager.query(
        `SELECT sent_at, http_status, duration_ms FROM webhook_logs
          WHERE merchant_id = $1 AND outcome = 'success' ORDER BY sent_at DESC, id DESC LIMIT 1`,
        [merchantId],
      ),
      manager.query(
        `SELECT sent_at, http_status, error, outcome FROM webhook_logs
          WHERE merchant_id = $1 AND outcome IN ('http_error', 'timeout', 'network_error') ORDER BY sent_at DESC, id DESC LIMIT 1`,
        [merchantId],
      ),
      manager.query(
        `SELECT count(*)::int AS attempts, avg((outcome = 'success')::int)::float AS success_rate,
                percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms)::float AS p95
           FROM webhook_logs WHERE merchant_id = $1 AND sent_at > now() - interval '1 hour' AND outcome IS NOT NULL`,
        [merchantId],
      ),
    ]);
    const s = success[0];
    const f = failure[0];
    const h = hour[0];
    return {
      lastSuccess: s ? { at: s.sent_at, httpStatus: s.http_status, durationMs: s.duration_ms } : null,
      lastFailure: f ? { at: f.sent_at, httpStatus: f.http_status, error: f.error, outcome: f.outcome } : null,
      lastHour: {
        attempts: h.attempts,
        successRate: h.success_rate === null ? null : Math.round(h.success_rate * 10000) / 10000,
        p95LatencyMs: h.p95 === null ? null : Math.round(h.p95),
      },
    };
  }
}

interface RawReleased {
  id: string;
  attempts: number;
  releases: number;
  resend_job_id: string | null;
  status_changed_at: Date;
}

function toReleased(r: RawReleased): ReleasedDelivery {
  return { id: Number(r.id), attempts: r.attempts, releases: r.releases, resendJobId: r.resend_job_id, statusChangedAt: r.status_changed_at };
}
