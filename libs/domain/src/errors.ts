/**
 * What went wrong, in the domain's words. The services throw these and know nothing of HTTP: each
 * response dialect (the default JSON shape and the provider contracts) picks the status code and
 * shapes the body in its error middleware.
 */
export type AppErrorKind =
  | 'not_found'
  | 'invalid'
  | 'unprocessable'
  | 'conflict'
  | 'unauthorized'
  | 'rate_limited'
  | 'unavailable';

/** The one family of errors the services throw. */
export abstract class AppError extends Error {
  abstract readonly kind: AppErrorKind;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends AppError {
  readonly kind = 'not_found';
}

/** Malformed input: a field breaks its schema or format. `field` names it when there is one. */
export class ValidationError extends AppError {
  readonly kind = 'invalid';
  constructor(message: string, readonly field?: string) {
    super(message);
  }
}

/**
 * Well-formed input that cannot be acted on: a window whose end is not after its start, a
 * reference to nothing, a merchant with nowhere to send. `field` names the field at fault.
 */
export class UnprocessableError extends AppError {
  readonly kind = 'unprocessable';
  constructor(message: string, readonly field?: string) {
    super(message);
  }
}

export class ConflictError extends AppError {
  readonly kind = 'conflict';
  constructor(message: string, readonly field?: string) {
    super(message);
  }
}

export class UnauthorizedError extends AppError {
  readonly kind = 'unauthorized';
  constructor() {
    super('Unauthorized');
  }
}

export class RateLimitedError extends AppError {
  readonly kind = 'rate_limited';
  constructor(readonly retryAfterSeconds: number) {
    super('Too Many Requests');
  }
}

/** PostgreSQL or Redis cannot be reached: nothing was accepted, the client may retry. */
export class ServiceUnavailableError extends AppError {
  readonly kind = 'unavailable';
  constructor(message = 'Service temporarily unavailable') {
    super(message);
  }
}
