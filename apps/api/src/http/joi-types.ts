import Joi from 'joi';
import { NOTIFIABLE_STATUS_IDS, TRANSACTION_KINDS, TRANSACTION_STATUSES } from '@wr/domain';

// The vocabulary requests and answers share (descriptions go to the OpenAPI document).
export const transactionKind = Joi.string().valid(...TRANSACTION_KINDS).description('CASHIN: payin (PIX QR code, invoice). CASHOUT: payout.');
export const statusId = Joi.number()
  .integer()
  .min(1)
  .max(10)
  .description(`Transaction status id: ${Object.entries(TRANSACTION_STATUSES).map(([id, name]) => `${id} ${name}`).join(', ')}. 1 is never notified.`);
export const notifiableStatusId = Joi.number().integer().valid(...NOTIFIABLE_STATUS_IDS).description('A status that is notified (2 to 10).');

// Timestamps PostgreSQL and Date.prototype.toISOString both hold, and that make sense here.
const EARLIEST = '1970-01-01T00:00:00.000Z';
const LATEST = '9999-12-31T23:59:59.999Z';

const CALENDAR_PARTS = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/;

/**
 * Whether a date-time's written parts exist on the calendar: JavaScript's Date rolls
 * `2025-02-30` over to March 2 and `T24:00` to the next day, which would silently replay or
 * stamp the wrong time. Leap years included; no leap seconds.
 */
export function isCalendarDateTime(value: string): boolean {
  const m = CALENDAR_PARTS.exec(value);
  if (!m) return false;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1).map((p) => (p === undefined ? undefined : Number(p))) as number[];
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  return month! >= 1 && month! <= 12 && day! >= 1 && day! <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59;
}

/** An ISO 8601 timestamp, converted to a Date, between 1970 and 9999, that exists on the calendar. */
export const timestamp = () =>
  Joi.date()
    .iso()
    .min(EARLIEST)
    .max(LATEST)
    .custom((value: Date, helpers) =>
      typeof helpers.original === 'string' && !isCalendarDateTime(helpers.original) ? helpers.error('date.calendar') : value,
    )
    .messages({
      'date.min': '{{#label}} must be in 1970 or later',
      'date.max': '{{#label}} must be before the year 10000',
      'date.calendar': '{{#label}} is not a date and time that exists (check the day of the month and the hour)',
    });

const NOT_ZONED = '{{#label}} must be an ISO 8601 date-time with a time zone (e.g. 2026-05-01T00:00:00Z), from 1970 on';
const ISO_DATE_TIME_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * An ISO 8601 date-time that must carry its time zone, kept as text. Written out rather than
 * joi's isoDate(), which converts first and would let a time without a zone through, to be read
 * in the server's local time.
 */
export const zonedDateTime = () =>
  Joi.string()
    .pattern(ISO_DATE_TIME_WITH_ZONE)
    .custom((value: string, helpers) => {
      const ms = Date.parse(value);
      const inRange = Number.isFinite(ms) && ms >= Date.parse(EARLIEST) && ms <= Date.parse(LATEST);
      if (!inRange) return helpers.error('any.invalid');
      return isCalendarDateTime(value) ? value : helpers.error('date.calendar');
    })
    .meta({ format: 'date-time' })
    .messages({
      'string.pattern.base': NOT_ZONED,
      'any.invalid': NOT_ZONED,
      'date.calendar': '{{#label}} is not a date and time that exists (check the day of the month and the hour)',
    });
