import { describe, expect, it } from '@jest/globals';
import type Joi from 'joi';
import { changeStatusSchema } from '../admin/admin.schemas.js';
import { createReplaySchema } from '../replays/replays.schemas.js';
import { simpayResendSchema } from '../simpay/simpay.schemas.js';
import { isCalendarDateTime } from './joi-types.js';

/** The first problem joi reports, as the API would answer it. */
function problem(schema: Joi.ObjectSchema, body: Record<string, unknown>): string | undefined {
  return schema.validate(body, { abortEarly: true }).error?.details[0]?.message;
}

describe('dates that do not exist are refused, naming the field (JavaScript would roll them over)', () => {
  it.each([
    ['2025-02-30T00:00:00Z', false],
    ['2025-02-29T00:00:00Z', false],
    ['2024-02-29T00:00:00Z', true],
    ['2025-04-31T10:00:00Z', false],
    ['2025-12-31T23:59:59Z', true],
    ['2025-06-01T24:00:00Z', false],
    ['2025-06-01T23:60:00Z', false],
    ['2025-13-01T00:00:00Z', false],
    ['2025-00-10T00:00:00Z', false],
    ['2025-06-01 10:00:00', true],
  ])('when the date-time is %s, then it exists: %s', (value, exists) => {
    expect(isCalendarDateTime(value)).toBe(exists);
  });

  it('when /v1/replays gets 2025-02-30, then "from" is named', () => {
    expect(problem(createReplaySchema, { merchant_id: 1, from: '2025-02-30T00:00:00Z', to: '2025-03-03T00:00:00Z' })).toMatch(/^"from" is not a date and time that exists/);
    expect(problem(createReplaySchema, { merchant_id: 1, from: '2025-03-01T00:00:00Z', to: '2025-03-01T24:00:00Z' })).toMatch(/^"to" is not a date and time that exists/);
  });

  it('when /v3/webhooks/resend gets 2025-02-30, then "start_datetime" is named', () => {
    const body = {
      resend_type: 'CASHIN',
      source_account_branch_identifier: '0001',
      source_account_number: '12345',
      start_datetime: '2025-02-30T00:00:00-03:00',
      end_datetime: '2025-03-03T00:00:00-03:00',
    };
    expect(problem(simpayResendSchema, body)).toMatch(/"start_datetime" is not a date and time that exists/);
  });

  it('when the admin status change gets 2025-02-30, then "status_changed_at" is named; a real date passes', () => {
    expect(problem(changeStatusSchema, { status_id: 3, status_changed_at: '2025-02-30T10:00:00Z' })).toMatch(/^"status_changed_at" is not a date and time that exists/);
    expect(problem(changeStatusSchema, { status_id: 3, status_changed_at: '2024-02-29T10:00:00Z' })).toBeUndefined();
  });
});
