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

export type LogFormat = 'json' | 'pretty';

const LEVEL_COLOURS: Record<string, string> = { error: '\x1b[31m', warn: '\x1b[33m', info: '\x1b[32m' };

/** One readable line for a terminal: time, level, service, message, then the fields as key=value. */
const prettyLine = winston.format.printf((info) => {
  const { level, message, timestamp, service, stack, ...fields } = info as Record<string, unknown>;
  const time = String(timestamp).slice(11, 23);
  const colour = LEVEL_COLOURS[String(level)] ?? '';
  const rest = Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${time} ${colour}${String(level).padEnd(5)}\x1b[0m ${String(service)}: ${String(message)}${rest ? ` ${rest}` : ''}${stack ? `\n${String(stack)}` : ''}`;
});

/**
 * One JSON line per event (`service` says which process wrote it) for log collectors; or, on a
 * terminal, one readable line (LOG_FORMAT=pretty). Secrets are redacted either way.
 */
export function createLogger(options: { service: string; level: string; format?: LogFormat }): Logger {
  return winston.createLogger({
    level: options.level === 'silent' ? 'error' : options.level,
    silent: options.level === 'silent',
    defaultMeta: { service: options.service },
    format: winston.format.combine(
      withContext(),
      redact(),
      winston.format.errors({ stack: true }),
      winston.format.timestamp(),
      options.format === 'pretty' ? prettyLine : winston.format.json(),
    ),
    transports: [new winston.transports.Console()],
  });
}
