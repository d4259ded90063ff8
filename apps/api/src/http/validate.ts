import type Joi from 'joi';
import { ValidationError } from '@wr/domain';

/**
 * Validates input against a joi schema; the first problem becomes a ValidationError whose
 * message and `field` name the offending field (e.g. `"transactions[3].amount" must be ...`).
 */
export function validate<T>(schema: Joi.Schema<T>, value: unknown, httpStatus = 400): T {
  const { value: valid, error } = schema.validate(value, { abortEarly: true, convert: true });
  if (error) {
    const detail = error.details[0]!;
    throw new ValidationError(detail.message, detail.path.join('.') || undefined, httpStatus);
  }
  return valid as T;
}
