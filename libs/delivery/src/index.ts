export * from './webhook-signer.js';
export * from './webhook-http-client.js';
export * from './webhook-deliverer.js';
export * from './target-policy.js';
export * from './target-filter.js';
export * from './retry-after.js';
export * from './operator-notifier.js';
