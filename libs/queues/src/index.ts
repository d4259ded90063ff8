export * from './contract.js';
export * from './redis.js';
export * from './delivery-queue.js';
