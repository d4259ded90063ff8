import { EntitySchema } from 'typeorm';
import type { EndpointState } from '@wr/domain';
import { bigintArrayAsNumbers, bigintAsNumber } from './column-transformers.js';

/**
 * A merchant endpoint's health (SPEC 2). No row means healthy and never failed: the row is made
 * on the first failure, so a healthy merchant costs no write per delivery.
 */
export interface EndpointHealthRecord {
  merchantId: number;
  state: EndpointState;
  consecutiveFailures: number;
  /** Distinct deliveries that failed in the current run (the first few). */
  failedDeliveryIds: number[];
  /** When the circuit opened (the state left healthy); null while healthy. */
  failingSince: Date | null;
  nextProbeAt: Date | null;
  probeIntervalMs: number | null;
  probeLeaseUntil: Date | null;
  incidentId: number | null;
  updatedAt: Date;
}

export const EndpointHealthEntity = new EntitySchema<EndpointHealthRecord>({
  name: 'EndpointHealth',
  tableName: 'endpoint_health',
  columns: {
    merchantId: { name: 'merchant_id', type: 'integer', primary: true },
    state: { type: 'text' },
    consecutiveFailures: { name: 'consecutive_failures', type: 'integer' },
    failedDeliveryIds: { name: 'failed_delivery_ids', type: 'bigint', array: true, transformer: bigintArrayAsNumbers },
    failingSince: { name: 'failing_since', type: 'timestamptz', nullable: true },
    nextProbeAt: { name: 'next_probe_at', type: 'timestamptz', nullable: true },
    probeIntervalMs: { name: 'probe_interval_ms', type: 'integer', nullable: true },
    probeLeaseUntil: { name: 'probe_lease_until', type: 'timestamptz', nullable: true },
    incidentId: { name: 'incident_id', type: 'bigint', nullable: true, transformer: bigintAsNumber },
    updatedAt: { name: 'updated_at', type: 'timestamptz' },
  },
});

export type IncidentEnd = 'recovered' | 'enabled' | 'url_changed';

/** From the endpoint starting to fail until it recovers (or an operator re-enables it). */
export interface EndpointIncidentRecord {
  id: number;
  merchantId: number;
  startedAt: Date;
  disabledAt: Date | null;
  disabledReason: 'gone' | 'failing_too_long' | null;
  endedAt: Date | null;
  endedBy: IncidentEnd | null;
  firstError: string | null;
  probes: number;
  deliveriesFailed: number | null;
}

export const EndpointIncidentEntity = new EntitySchema<EndpointIncidentRecord>({
  name: 'EndpointIncident',
  tableName: 'endpoint_incidents',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment', transformer: bigintAsNumber },
    merchantId: { name: 'merchant_id', type: 'integer' },
    startedAt: { name: 'started_at', type: 'timestamptz' },
    disabledAt: { name: 'disabled_at', type: 'timestamptz', nullable: true },
    disabledReason: { name: 'disabled_reason', type: 'text', nullable: true },
    endedAt: { name: 'ended_at', type: 'timestamptz', nullable: true },
    endedBy: { name: 'ended_by', type: 'text', nullable: true },
    firstError: { name: 'first_error', type: 'text', nullable: true },
    probes: { type: 'integer' },
    deliveriesFailed: { name: 'deliveries_failed', type: 'integer', nullable: true },
  },
});
