export { createLogger, type Logger } from './logger.js';
export { runWithLogContext, currentLogContext, type LogContext } from './log-context.js';
export { redactSecrets, REDACTED } from './redact.js';
