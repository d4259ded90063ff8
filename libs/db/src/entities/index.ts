import { AccountEntity } from './account.entity.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { MerchantEntity } from './merchant.entity.js';
import { ResendJobEntity } from './resend-job.entity.js';
import { TransactionEntity } from './transaction.entity.js';
import { WebhookLogEntity } from './webhook-log.entity.js';
import { DeliveryEntity } from './delivery.entity.js';
import { ReplayScheduleEntity } from './replay-schedule.entity.js';
import { EndpointHealthEntity, EndpointIncidentEntity } from './endpoint-health.entity.js';
import { PortalSessionEntity } from './portal-session.entity.js';

export * from './account.entity.js';
export * from './api-key.entity.js';
export * from './merchant.entity.js';
export * from './transaction.entity.js';
export * from './webhook-log.entity.js';
export * from './resend-job.entity.js';
export * from './delivery.entity.js';
export * from './replay-schedule.entity.js';
export * from './endpoint-health.entity.js';
export * from './portal-session.entity.js';

export const ALL_ENTITIES = [AccountEntity, ApiKeyEntity, MerchantEntity, TransactionEntity, WebhookLogEntity, ResendJobEntity, DeliveryEntity, ReplayScheduleEntity, EndpointHealthEntity, EndpointIncidentEntity, PortalSessionEntity];
