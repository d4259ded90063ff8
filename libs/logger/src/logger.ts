import winston from 'winston';
import { currentLogContext } from './log-context.js';
import { isSecretKey, REDACTED, redactSecrets } from './redact.js';

export type Logger = winston.Logger;

const withContext = winston.format((info) => {
  const context = currentLogContext();
  if (context) {
    for (const [key, value] of Object.entries(context)) if (value !== undefined && info[key] === undefined) info[key] = value;
  }
  return info;
});

const redact = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (key === 'level' || key === 'message') continue;
    info[key] = isSecretKey(key) ? REDACTED : redactSecrets(info[key]);
  }
  return info;
});

/** One JSON line per event; `service` says which process wrote it. */
export function createLogger(options: { service: string; level: string }): Logger {
  return winston.createLogger({
    level: options.level === 'silent' ? 'error' : options.level,
    silent: options.level === 'silent',
    defaultMeta: { service: options.service },
    format: winston.format.combine(
      withContext(),
      redact(),
      winston.format.errors({ stack: true }),
      winston.format.timestamp(),
      winston.format.json(),
    ),
    transports: [new winston.transports.Console()],
  });
}
