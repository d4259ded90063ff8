import { describe, expect, it } from '@jest/globals';
import type { Request, Response } from 'express';
import {
  ConflictError,
  NotFoundError,
  RateLimitedError,
  ServiceUnavailableError,
  UnauthorizedError,
  UnprocessableError,
  ValidationError,
} from '@wr/domain';
import type { Logger } from '@wr/logger';
import { simpayErrorHandler } from '../simpay/simpay-errors.js';
import { defaultErrorHandler } from './error-handler.js';

const logger = { warn: () => undefined, error: () => undefined } as unknown as Logger;

/** What a client gets when `err` reaches the handler. */
function answerTo(handler: ReturnType<typeof defaultErrorHandler>, err: unknown) {
  const answer = { status: 0, headers: {} as Record<string, string>, body: undefined as unknown };
  const res = {
    status(code: number) {
      answer.status = code;
      return res;
    },
    setHeader(name: string, value: string) {
      answer.headers[name] = value;
    },
    json(body: unknown) {
      answer.body = body;
    },
  };
  handler(err, {} as Request, res as unknown as Response, () => undefined);
  return answer;
}

describe('error middleware (the one place an error kind becomes a status)', () => {
  it.each([
    { name: 'a ValidationError', err: new ValidationError('"limit" must be a number', 'limit'), status: 400, error: 'Bad Request' },
    { name: 'an UnauthorizedError', err: new UnauthorizedError(), status: 401, error: 'Unauthorized' },
    { name: 'a NotFoundError', err: new NotFoundError('Merchant not found'), status: 404, error: 'Not Found' },
    { name: 'a ConflictError', err: new ConflictError('Job is already completed'), status: 409, error: 'Conflict' },
    { name: 'an UnprocessableError', err: new UnprocessableError('"to" must be after "from"', 'to'), status: 422, error: 'Unprocessable Entity' },
    { name: 'a ServiceUnavailableError', err: new ServiceUnavailableError(), status: 503, error: 'Service Unavailable' },
  ])('when a service throws $name, then the default dialect answers $status', ({ err, status, error }) => {
    expect(answerTo(defaultErrorHandler(logger), err)).toEqual({
      status,
      headers: {},
      body: { statusCode: status, message: err.message, error },
    });
  });

  it('when a request is rate limited, then it answers 429 with Retry-After and no `error` field', () => {
    expect(answerTo(defaultErrorHandler(logger), new RateLimitedError(7))).toEqual({
      status: 429,
      headers: { 'Retry-After': '7' },
      body: { statusCode: 429, message: 'Too Many Requests' },
    });
  });

  it('when the SimPay contract refuses input, then it answers the same status in its own shape', () => {
    expect(answerTo(simpayErrorHandler(logger), new UnprocessableError('"end_datetime" must be after "start_datetime"'))).toEqual({
      status: 422,
      headers: {},
      body: { worked: false, detail: '"end_datetime" must be after "start_datetime"' },
    });
    expect(answerTo(simpayErrorHandler(logger), new ValidationError('QR Code not found')).status).toBe(400);
  });

  it('when something unknown is thrown, then it answers 500 without its text', () => {
    expect(answerTo(defaultErrorHandler(logger), new Error('connection string postgres://user:secret@db'))).toEqual({
      status: 500,
      headers: {},
      body: { statusCode: 500, message: 'Internal server error', error: 'Internal Server Error' },
    });
  });
});
