import Joi from 'joi';

// Timestamps PostgreSQL and Date.prototype.toISOString both hold, and that make sense here.
const EARLIEST = '1970-01-01T00:00:00.000Z';
const LATEST = '9999-12-31T23:59:59.999Z';

/** An ISO 8601 timestamp, converted to a Date, between 1970 and 9999. */
export const timestamp = () =>
  Joi.date().iso().min(EARLIEST).max(LATEST).messages({
    'date.min': '{{#label}} must be in 1970 or later',
    'date.max': '{{#label}} must be before the year 10000',
  });

const ISO_DATE_TIME_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * An ISO 8601 date-time that must carry its time zone, kept as text. Written out rather than
 * joi's isoDate(), which converts first and would let a time without a zone through, to be read
 * in the server's local time.
 */
export const zonedDateTime = () =>
  Joi.string()
    .custom((value: string, helpers) => {
      const ms = Date.parse(value);
      const inRange = Number.isFinite(ms) && ms >= Date.parse(EARLIEST) && ms <= Date.parse(LATEST);
      return ISO_DATE_TIME_WITH_ZONE.test(value) && inRange ? value : helpers.error('any.invalid');
    })
    .messages({ 'any.invalid': '{{#label}} must be an ISO 8601 date-time with a time zone (e.g. 2026-05-01T00:00:00Z), from 1970 on' });
