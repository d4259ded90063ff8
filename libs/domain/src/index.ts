export * from './statuses.js';
export * from './delivery-types.js';
export * from './errors.js';
export * from './identifiers.js';
export * from './webhook-payload.js';
export * from './dependency-errors.js';
export * from './endpoint-health.js';
