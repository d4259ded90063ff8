/**
 * The one family of errors the services throw. Each response dialect (the default JSON shape and
 * the provider contracts) maps these to its own body in its error middleware.
 */
export abstract class AppError extends Error {
  abstract readonly httpStatus: number;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends AppError {
  readonly httpStatus = 404;
}

/** Input that breaks a rule. `field` names the offending field when there is one. */
export class ValidationError extends AppError {
  readonly httpStatus: number;
  constructor(message: string, readonly field?: string, httpStatus = 400) {
    super(message);
    this.httpStatus = httpStatus;
  }
}

export class ConflictError extends AppError {
  readonly httpStatus = 409;
  constructor(message: string, readonly field?: string) {
    super(message);
  }
}

export class UnauthorizedError extends AppError {
  readonly httpStatus = 401;
  constructor() {
    super('Unauthorized');
  }
}

export class RateLimitedError extends AppError {
  readonly httpStatus = 429;
  constructor(readonly retryAfterSeconds: number) {
    super('Too Many Requests');
  }
}

/** PostgreSQL or Redis cannot be reached: nothing was accepted, the client may retry. */
export class ServiceUnavailableError extends AppError {
  readonly httpStatus = 503;
  constructor(message = 'Service temporarily unavailable') {
    super(message);
  }
}
