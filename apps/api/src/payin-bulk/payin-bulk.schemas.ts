import Joi from 'joi';
import { NOTIFIABLE_STATUS_IDS } from '@wr/domain';

const SQL_DATETIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** `YYYY-MM-DD HH:MM:SS`, UTC, a real calendar time (no 2026-02-30). */
export function parseUtcDateTime(value: string): Date | undefined {
  const m = SQL_DATETIME.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  const roundTrips =
    date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && date.getUTCHours() === h && date.getUTCMinutes() === mi;
  return roundTrips && s < 60 ? date : undefined;
}

export function formatUtcDateTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** `YYYY-MM-DD HH:MM:SS`: the shape; `parseUtcDateTime` also checks the calendar. */
export const UTC_DATETIME_PATTERN = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

const UTC_DATETIME_MESSAGE = '{{#label}} must be a UTC time formatted YYYY-MM-DD HH:MM:SS';
const utcDateTime = Joi.string()
  .pattern(UTC_DATETIME_PATTERN)
  .custom((value: string, helpers) => parseUtcDateTime(value) ?? helpers.error('any.invalid'))
  .messages({ 'string.pattern.base': UTC_DATETIME_MESSAGE, 'any.invalid': UTC_DATETIME_MESSAGE });

export interface PayinBulkResendBody {
  merchant_id: number;
  start_time: Date;
  end_time: Date;
  status_ids?: number[];
  dry_run: boolean;
}

/** SPEC 5.4 / the WePayout seed. Unknown fields are refused so typos do not pass silently. */
export const payinBulkResendSchema = Joi.object<PayinBulkResendBody>({
  // strict: a JSON string is not a number or a boolean here; the seed documents the types.
  merchant_id: Joi.number().strict().integer().min(1).max(2_147_483_647).required().description("One of the account's merchant ids (a JSON number)."),
  start_time: utcDateTime.required().description('UTC, `YYYY-MM-DD HH:MM:SS`.').example('2026-03-24 08:00:00'),
  end_time: utcDateTime
    .required()
    .description('UTC, `YYYY-MM-DD HH:MM:SS`; after start_time and at most 3 hours after it (the window is [start, end)).')
    .example('2026-03-24 11:00:00'),
  status_ids: Joi.array()
    .items(Joi.number().integer().valid(...NOTIFIABLE_STATUS_IDS).messages({ 'any.only': '{{#label}} must be a notifiable status id (2 to 10)' }))
    .min(1)
    .max(NOTIFIABLE_STATUS_IDS.length)
    .unique()
    .description('Default: every notifiable status.'),
  dry_run: Joi.boolean().strict().default(false).description('Only count; nothing is dispatched and job_id is null.'),
})
  .id('PayinBulkResendRequest')
  .example({ merchant_id: 303, start_time: '2026-03-24 08:00:00', end_time: '2026-03-24 11:00:00', status_ids: [3, 4], dry_run: false });
