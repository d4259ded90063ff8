import type Joi from 'joi';
import { UnprocessableError, ValidationError } from '@wr/domain';

/**
 * Validates input against a joi schema; the first problem is thrown with a message and `field`
 * naming the offending field (e.g. `"transactions[3].amount" must be ...`). It is a
 * ValidationError (400) unless the contract answers malformed input as unprocessable (422): the
 * payin bulk and SimPay contracts and `/v1/replays` do.
 */
export function validate<T>(schema: Joi.Schema<T>, value: unknown, refusal: 'invalid' | 'unprocessable' = 'invalid'): T {
  const { value: valid, error } = schema.validate(value, { abortEarly: true, convert: true });
  if (error) {
    const detail = error.details[0]!;
    const field = detail.path.join('.') || undefined;
    throw refusal === 'unprocessable' ? new UnprocessableError(detail.message, field) : new ValidationError(detail.message, field);
  }
  return valid as T;
}
