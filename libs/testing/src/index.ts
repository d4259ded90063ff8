export * from './test-database.js';
export * from './test-config.js';
export * from './webhook-receiver.js';
export * from './worker-process.js';
export * from './redis-server.js';
export * from './redis-cluster.js';
