import { InitialSchema1763856000000 } from './1763856000000-initial-schema.js';
import { BulkReplays1763900000000 } from './1763900000000-bulk-replays.js';
import { DeliveryOutbox1763950000000 } from './1763950000000-delivery-outbox.js';
import { AuditTimeIndex1763960000000 } from './1763960000000-audit-time-index.js';
import { SafeTransactionIds1763970000000 } from './1763970000000-safe-transaction-ids.js';
import { DeliveryLedger1764000000000 } from './1764000000000-delivery-ledger.js';
import { MerchantFlowControl1764100000000 } from './1764100000000-merchant-flow-control.js';
import { EndpointHealth1764200000000 } from './1764200000000-endpoint-health.js';
import { WebhookSecretRotation1764300000000 } from './1764300000000-webhook-secret-rotation.js';
import { PartitionedAudit1764400000000 } from './1764400000000-partitioned-audit.js';
import { PortalSessions1764500000000 } from './1764500000000-portal-sessions.js';
import { TransactionsByMerchant1764600000000 } from './1764600000000-transactions-by-merchant.js';

/** Every migration, oldest first. Listed explicitly: no globbing of compiled files. */
export const ALL_MIGRATIONS = [
  InitialSchema1763856000000,
  BulkReplays1763900000000,
  DeliveryOutbox1763950000000,
  AuditTimeIndex1763960000000,
  SafeTransactionIds1763970000000,
  DeliveryLedger1764000000000,
  MerchantFlowControl1764100000000,
  EndpointHealth1764200000000,
  WebhookSecretRotation1764300000000,
  PartitionedAudit1764400000000,
  PortalSessions1764500000000,
  TransactionsByMerchant1764600000000,
];
