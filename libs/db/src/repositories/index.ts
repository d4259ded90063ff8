export * from './account.repository.js';
export * from './merchant.repository.js';
export * from './transaction.repository.js';
export * from './webhook-log.repository.js';
export * from './resend-job.repository.js';
export * from './delivery.repository.js';
export * from './replay-schedule.repository.js';
export * from './endpoint-health.repository.js';
