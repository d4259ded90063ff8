export * from './replay.service.js';
export * from './replay-windows.js';
