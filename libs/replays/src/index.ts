export * from './replay.service.js';
export * from './replay-windows.js';
export * from './endpoint-recovery.js';
export * from './window-replay.js';
