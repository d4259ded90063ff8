export * from './repositories.js';
export * from './runtime.js';
