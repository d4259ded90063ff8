export * from './contract.js';
export * from './redis.js';
export * from './delivery-queue.js';
export * from './bulk-queues.js';
export * from './replay-lock.js';
export * from './flow-control.js';
export * from './queue-depth.js';
