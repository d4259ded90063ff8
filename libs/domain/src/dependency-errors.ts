import { ServiceUnavailableError } from './errors.js';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);
// PostgreSQL: connection exceptions (08xxx), admin shutdown, cannot connect now.
const PG_UNAVAILABLE = /^(08...|57P01|57P02|57P03)$/;
const MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  "Stream isn't writeable",
  'Connection is closed',
  'Command timed out',
  'Reached the max retries per request limit',
  'Query read timeout',
  // A statement on a connection closed after its query timed out (a transaction's ROLLBACK).
  'is not queryable',
];

/** Whether an error means PostgreSQL or Redis is out of reach (so the answer is 503, not 500). */
export function isDependencyDown(err: unknown): boolean {
  if (err instanceof ServiceUnavailableError) return true;
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: string; message?: string; driverError?: { code?: string; message?: string } };
  const code = e.driverError?.code ?? e.code;
  if (code && (NETWORK_CODES.has(code) || PG_UNAVAILABLE.test(code))) return true;
  const message = `${e.message ?? ''} ${e.driverError?.message ?? ''}`;
  return MESSAGES.some((m) => message.includes(m));
}
